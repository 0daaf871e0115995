// How an error reaches the person at the terminal (the entry and commands that go on after one).
import { isTailorError } from '../errors.js';

/** One line for people; a stack only for bugs (errors we did not raise on purpose). */
export function reportError(err: unknown): number {
  if (isTailorError(err)) {
    process.stderr.write(`seccomp-tailor: ${err.message}\n`);
    return err.exitCode;
  }
  process.stderr.write(`seccomp-tailor: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return 70;
}
