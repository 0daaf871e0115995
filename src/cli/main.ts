// The CLI entry: yargs with one module per command; handlers call core code and map errors.
import { createRequire } from 'node:module';
import { commands } from './commands/index.js';
import { reportError } from './report-error.js';
import { usageError } from '../errors.js';

// yargs 17's CommonJS build, one file, loaded with require: 27 ms, where yargs 18 (ES modules
// only: some 45 files, and a text segmenter built at import) takes 90 ms. Every command's start
// pays it: `events` on an empty file takes 0.16 s instead of 0.22 s, against 0.08 s for the
// runtime alone. The hook never loads yargs.
const require = createRequire(import.meta.url);
const yargs = require('yargs/yargs') as typeof import('yargs/yargs');
const { hideBin } = require('yargs/helpers') as typeof import('yargs/helpers');

export async function main(argv: string[]): Promise<void> {
  const args = hideBin(argv);
  // Answered before yargs, which would otherwise want a command; loads the addons only when asked.
  if (args.length === 1 && args[0] === '--version') {
    const { versionInfo, versionText } = await import('../install/version.js');
    process.stdout.write(versionText(versionInfo()));
    return;
  }
  const cli = yargs(args)
    .scriptName('seccomp-tailor')
    .version(false)
    .option('version', { type: 'boolean', global: false, describe: 'the version, the commit it was built from, and the Node.js, libbpf and libseccomp it runs with' })
    .strict()
    .demandCommand(1, 'name a command; see --help')
    .recommendCommands()
    // `seccomp-tailor completion` prints a bash completion script (the package installs it).
    .completion('completion', 'print a bash completion script for seccomp-tailor')
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .fail((msg, err) => {
      if (err) throw err;
      throw usageError(msg);
    });
  // A command line that names a command needs only that module (a few of them load zod, the
  // addons, pino): `events` then starts in a fraction of the time. Anything else gets them all
  // (top-level --help, completion, suggestions for a mistyped name).
  const named = commands.find(([name]) => name === args[0]);
  for (const [, load] of named ? [named] : commands) cli.command(await load());
  try {
    await cli.parseAsync();
  } catch (err) {
    process.exitCode = reportError(err);
  }
}
