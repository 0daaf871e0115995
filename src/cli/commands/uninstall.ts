// `seccomp-tailor uninstall --engine podman|docker|containerd | --all`: undoes what install did.
import { defineCommand } from './command.js';
import { uninstall } from '../../install/uninstall.js';
import { ENGINES } from '../../install/manifest.js';
import { installBadOption } from '../../errors.js';
import { DEFAULT_STATE_DIR } from './install.js';

const say = (s: string) => process.stderr.write(s.endsWith('\n') ? s : s + '\n');

export default defineCommand({
  command: 'uninstall',
  describe: 'undo what install did (hooks.d file, daemon.json runtime entry, shim settings, hookd units); profiles and proposals are kept',
  builder: (y) =>
    y
      .option('engine', { choices: ['podman', 'docker', 'containerd'] as const, describe: 'the engine whose set-up to undo' })
      .option('all', { type: 'boolean', default: false, describe: 'every engine install was run for' })
      .option('state-dir', { type: 'string', default: DEFAULT_STATE_DIR, describe: 'where install kept its record (installed.json)' }),
  handler: async (argv) => {
    if (!argv.all === !argv.engine) throw installBadOption('name one --engine, or --all');
    await uninstall({ engines: argv.all ? ENGINES : [argv.engine!], stateDir: argv.stateDir }, say);
  },
});
