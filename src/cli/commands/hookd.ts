// `seccomp-tailor hookd [--socket PATH]`: serve the hook's native entry (optional; see contrib/).
// bin/seccomp-tailor-hookd is the same without the CLI (smaller resident process).
import { defineCommand } from './command.js';
import { DEFAULT_HOOKD_SOCKET } from '../../record/hook/hookd.js';
import { hookdMain } from '../../record/hook/hookd-main.js';

export default defineCommand({
  command: 'hookd',
  describe: 'optional resident server that runs the OCI hook for its native entry, saving two Node start-ups per container',
  builder: (y) =>
    y
      .option('socket', { type: 'string', default: DEFAULT_HOOKD_SOCKET, describe: 'Unix socket (its directory must be 0700)' })
      .option('verbose', { type: 'boolean', default: false, describe: 'one line per hook served' }),
  handler: async (argv) => {
    await hookdMain(['--socket', argv.socket, ...(argv.verbose ? ['--verbose'] : [])]);
  },
});
