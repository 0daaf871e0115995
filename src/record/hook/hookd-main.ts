// bin/seccomp-tailor-hookd: hookd without the CLI (a smaller resident process than
// `seccomp-tailor hookd`, which loads every command's modules).
//   seccomp-tailor-hookd [--socket PATH] [--idle-exit SECONDS] [--ready-fd N] [--lock-fd N] [--verbose]
// Started by the native entry on first use (with --ready-fd: one byte there once it listens;
// --lock-fd: the inherited start lock <socket dir>/hookd.lock, which then holds our pid),
// or by systemd from contrib/systemd/seccomp-tailor-hookd.socket (LISTEN_FDS).
import { closeSync, ftruncateSync, writeSync } from 'node:fs';
import { DEFAULT_HOOKD_SOCKET, serveHooks } from './hookd.js';
import { ensureHookClient } from './native-entry.js';
import { hookdBadArgument } from '../../errors.js';

// sd_listen_fds(3): the first passed socket is fd 3, and only for the pid systemd started.
const SD_LISTEN_FDS_START = 3;
const activatedFd = (): number | undefined =>
  process.env.LISTEN_FDS === '1' && Number(process.env.LISTEN_PID) === process.pid ? SD_LISTEN_FDS_START : undefined;

export async function hookdMain(argv: string[]): Promise<void> {
  let socket = DEFAULT_HOOKD_SOCKET;
  let verbose = false;
  let idleExitSeconds = 0;
  let readyFd: number | undefined;
  let lockFd: number | undefined;
  const num = (a: string, v: string | undefined): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw hookdBadArgument(`${a} needs a whole number`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--socket') socket = argv[++i] ?? socket;
    else if (a === '--verbose') verbose = true;
    else if (a === '--idle-exit') idleExitSeconds = num(a, argv[++i]);
    else if (a === '--ready-fd') readyFd = num(a, argv[++i]);
    else if (a === '--lock-fd') lockFd = num(a, argv[++i]);
    else throw hookdBadArgument(`unknown argument "${a}"`);
  }
  const listenFd = activatedFd();
  // Not inherited by the hooks' own children (runc --version, logger).
  delete process.env.LISTEN_FDS;
  delete process.env.LISTEN_PID;
  if (readyFd === undefined) ensureHookClient();
  const log = verbose ? (l: string) => process.stderr.write(`seccomp-tailor-hookd: ${l}\n`) : undefined;
  const server = await serveHooks(socket, { listenFd, idleExitSeconds, ...(log ? { log } : {}) });
  process.stderr.write(`seccomp-tailor-hookd: listening on ${listenFd !== undefined ? `fd ${listenFd} (socket activation)` : socket}\n`);
  if (lockFd !== undefined) {
    ftruncateSync(lockFd, 0);
    writeSync(lockFd, `${process.pid}\n`, 0);
  }
  if (readyFd !== undefined) {
    writeSync(readyFd, '1');
    closeSync(readyFd);
  }
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
