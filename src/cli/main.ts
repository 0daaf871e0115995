// The CLI entry: yargs with one module per command; handlers call core code and map errors.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { commands } from './commands/index.js';
import { reportError } from './report-error.js';

export async function main(argv: string[]): Promise<void> {
  const cli = yargs(hideBin(argv))
    .scriptName('seccomp-tailor')
    .strict()
    .demandCommand(1, 'name a command; see --help')
    .recommendCommands()
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .fail((msg, err) => {
      if (err) throw err;
      throw Object.assign(new Error(msg), { usage: true });
    });
  for (const load of commands) cli.command(await load());
  try {
    await cli.parseAsync();
  } catch (err) {
    process.exitCode = reportError(err);
  }
}
