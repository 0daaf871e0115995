// bin/seccomp-tailor-hookd: hookd without the CLI (a smaller resident process than
// `seccomp-tailor hookd`, which loads every command's modules).
//   seccomp-tailor-hookd [--socket PATH] [--verbose]
import { DEFAULT_HOOKD_SOCKET, serveHooks } from './hookd.js';
import { ensureHookClient } from './native-entry.js';

export async function hookdMain(argv: string[]): Promise<void> {
  let socket = DEFAULT_HOOKD_SOCKET;
  let verbose = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--socket') socket = argv[++i] ?? socket;
    else if (argv[i] === '--verbose') verbose = true;
    else throw new Error(`unknown argument "${argv[i]}" (usage: seccomp-tailor-hookd [--socket PATH] [--verbose])`);
  }
  ensureHookClient();
  const server = await serveHooks(socket, verbose ? (l) => process.stderr.write(`seccomp-tailor-hookd: ${l}\n`) : undefined);
  process.stderr.write(`seccomp-tailor-hookd: listening on ${socket}\n`);
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
