// `seccomp-tailor hookd [--socket PATH]`: serve the hook's native entry (optional; see contrib/).
import type { AnyCommand } from './index.js';
import { DEFAULT_HOOKD_SOCKET, serveHooks } from '../../record/hookd.js';
import { ensureHookClient } from '../../oci/hook-client.js';

export default {
  command: 'hookd',
  describe: 'optional resident server that runs the OCI hook for its native entry, saving two Node start-ups per container',
  builder: (y) =>
    y
      .option('socket', { type: 'string', default: DEFAULT_HOOKD_SOCKET, describe: 'Unix socket (its directory must be 0700)' })
      .option('verbose', { type: 'boolean', default: false, describe: 'one line per hook served' }),
  handler: async (argv: Record<string, unknown>) => {
    ensureHookClient();
    const log = argv.verbose ? (l: string) => process.stderr.write(`seccomp-tailor hookd: ${l}\n`) : undefined;
    const server = await serveHooks(argv.socket as string, log);
    process.stderr.write(`seccomp-tailor hookd: listening on ${argv.socket as string}\n`);
    const stop = () => server.close(() => process.exit(0));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  },
} satisfies AnyCommand;
