// A command module typed end to end: the handler's argv is what the builder's options make it,
// as yargs infers it, so no handler casts its arguments.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';

export interface Command<A> {
  command: string | readonly string[];
  describe: string;
  builder: (y: Argv) => Argv<A>;
  handler: (argv: ArgumentsCamelCase<A>) => void | Promise<void>;
}

/** Inference happens here, per module; the entry only needs to register it. */
export const defineCommand = <A>(c: Command<A>): CommandModule<object, unknown> => c as unknown as CommandModule<object, unknown>;
