// `hookd`: the resident server for the hook's native entry (native/hook-client), which starts
// it on first use (or systemd does, from its socket unit). It saves the two Node start-ups per
// container (~60-120 ms each); it holds no per-container state, so killing it loses nothing (the
// native entry then runs the Node hook itself) and there is still no process per container. The
// socket is root-only: it lives in a 0700 directory, and each connection's peer must be root by
// SO_PEERCRED whatever the socket's path and mode (an admin may move it; a socket passed by
// systemd may carry any mode): it runs hooks as root.
import { chmodSync, lstatSync, mkdirSync, statSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packagePath } from '../../native/package-root.js';
import { runHook } from './main.js';
import { MAX_STATE_BYTES } from '../../oci/state.js';
import { hookdSocketDirUnsafe } from '../../errors.js';
import { peerCredentials } from '../../native/peer-credentials.js';

export const DEFAULT_HOOKD_SOCKET = '/run/seccomp-tailor/hookd.sock';
const HEADER = /^seccomp-tailor-hook 2 (\d+) (\d+)$/;
const MAX_REQUEST = MAX_STATE_BYTES + 64 * 1024;

export interface HookRequest { runtimePid: number; hookScript: string; argv: string[]; input: string }

/** Parses the native entry's request; undefined when it is not one. */
export function parseHookRequest(buf: Buffer): HookRequest | undefined {
  const nl = buf.indexOf(0x0a);
  if (nl < 0 || nl > 200) return undefined;
  const m = HEADER.exec(buf.subarray(0, nl).toString('latin1'));
  if (!m) return undefined;
  const argc = Number(m[2]);
  if (argc > 64) return undefined;
  const strings: string[] = [];
  let at = nl + 1;
  for (let i = 0; i <= argc; i++) {
    const end = buf.indexOf(0, at);
    if (end < 0) return undefined;
    strings.push(buf.subarray(at, end).toString('utf8'));
    at = end + 1;
  }
  const [hookScript, ...argv] = strings;
  // The runtime pid is inserted the way the Node entry takes it when the client falls back.
  return { runtimePid: Number(m[1]), hookScript: hookScript!, argv: ['--runtime-pid', m[1]!, ...argv], input: buf.subarray(at).toString('utf8') };
}

// An entry built by another checkout, or this daemon's code replaced on disk (an upgrade): the
// entry runs its own Node hook, and a daemon with stale code leaves so the next hook starts a
// fresh one.
const OWN_HOOK_SCRIPT = packagePath('bin', 'seccomp-tailor-hook');
const OWN_CODE = fileURLToPath(new URL('./main.js', import.meta.url));
const codeStamp = (): number | undefined => statSync(OWN_CODE, { throwIfNoEntry: false })?.mtimeMs;

interface Activity { busy: number; lastAt: number; stamp: number | undefined; stale?: boolean }

export interface HookdOptions {
  log?: (line: string) => void;
  /** A listening socket handed over by systemd (socket activation) instead of binding socketPath. */
  listenFd?: number;
  /** Exit after this many seconds without a request (0: never). */
  idleExitSeconds?: number;
  /** A connection silent this long (a request never finished, a hook that never answers) is cut off. */
  requestDeadlineMs?: number;
}

/** Under the native entry's own 25 s deadline for the whole exchange, so hookd answers first. */
export const REQUEST_DEADLINE_MS = 20_000;

export async function serveHooks(socketPath = DEFAULT_HOOKD_SOCKET, opts: HookdOptions = {}): Promise<Server> {
  const log = opts.log ?? (() => {});
  if (opts.listenFd === undefined) {
    const dir = dirname(socketPath);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    if (!st.isDirectory() || st.uid !== (process.getuid?.() ?? 0) || (st.mode & 0o077) !== 0) throw hookdSocketDirUnsafe(dir);
    try {
      unlinkSync(socketPath);
    } catch {
      // no stale socket
    }
  }
  const activity: Activity = { busy: 0, lastAt: Date.now(), stamp: codeStamp() };
  // allowHalfOpen: the client shuts its side after the request and waits for the answer.
  const deadline = opts.requestDeadlineMs ?? REQUEST_DEADLINE_MS;
  const server = createServer({ allowHalfOpen: true }, (sock) => handle(sock, log, activity, deadline));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (opts.listenFd !== undefined) server.listen({ fd: opts.listenFd }, () => resolve());
    else server.listen(socketPath, () => resolve());
  });
  if (opts.listenFd === undefined) chmodSync(socketPath, 0o600);
  if (opts.idleExitSeconds) exitWhenIdle(server, socketPath, opts.idleExitSeconds * 1000, activity, opts.listenFd === undefined, log);
  return server;
}

/**
 * Ends the process after `idleMs` without a request, or as soon as its socket path no longer
 * names its socket (another hookd took the path): the native entry starts a new one on demand.
 */
function exitWhenIdle(server: Server, socketPath: string, idleMs: number, activity: Activity, ownsPath: boolean, log: (line: string) => void): void {
  const ino = ownsPath ? statSync(socketPath).ino : undefined;
  const timer = setInterval(() => {
    const replaced = ino !== undefined && statSync(socketPath, { throwIfNoEntry: false })?.ino !== ino;
    if (!replaced && !activity.stale && (activity.busy > 0 || Date.now() - activity.lastAt < idleMs)) return;
    clearInterval(timer);
    log(replaced ? `${socketPath} was replaced: exiting` : activity.stale ? 'stale code: exiting' : `idle for ${idleMs / 1000} s: exiting`);
    // libuv unlinks a bound path when the server closes; a replaced path is someone else's now.
    if (replaced) process.exit(0);
    server.close(() => process.exit(0));
  }, Math.min(idleMs, 30_000) / 2);
}

/** The connecting process's uid, from the kernel (SO_PEERCRED), or undefined when it cannot be known. */
function peerUid(sock: Socket): number | undefined {
  // net.Socket keeps the descriptor on its libuv pipe handle; there is no public accessor.
  const fd = (sock as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) return undefined;
  try {
    return peerCredentials(fd).uid;
  } catch {
    return undefined;
  }
}

function handle(sock: Socket, log: (line: string) => void, activity: Activity, deadlineMs: number): void {
  const uid = peerUid(sock);
  if (uid !== 0) {
    log(`refused a connection from ${uid === undefined ? 'an unknown peer' : `uid ${uid}`}: only root may run hooks`);
    sock.on('error', () => sock.destroy());
    sock.end(`1\nseccomp-tailor-hookd: refused: the peer is ${uid === undefined ? 'unknown' : `uid ${uid}`}, not root\n`);
    sock.resume();
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let served = false;
  activity.busy++;
  sock.once('close', () => {
    activity.busy--;
    // Only hooks it ran keep a daemon alive: another installation's entries, sent away, must not
    // keep it holding the socket they want their own daemon on.
    if (served) activity.lastAt = Date.now();
  });
  sock.on('error', () => sock.destroy());
  // Each request holds only its own connection: one that never finishes sending, or whose hook
  // never answers, is told so in one line and closed (issue 19 item 5), and no longer counts as
  // busy for the idle exit.
  sock.setTimeout(deadlineMs, () => {
    log(`a request got no answer within ${deadlineMs / 1000} s: closed`);
    sock.end(`1\nseccomp-tailor-hookd: no answer within ${deadlineMs / 1000} s\n`);
    sock.destroySoon();
  });
  sock.on('data', (d: Buffer) => {
    size += d.length;
    if (size > MAX_REQUEST) {
      sock.end(`1\nseccomp-tailor-hookd: request larger than ${MAX_REQUEST} bytes\n`);
      return;
    }
    chunks.push(d);
  });
  sock.on('end', () => {
    if (size > MAX_REQUEST) return;
    const req = parseHookRequest(Buffer.concat(chunks));
    if (!req) {
      sock.end('2\nseccomp-tailor-hookd: not a hook request\n');
      return;
    }
    // An empty script: an entry with no Node hook of its own (a copy the Kubernetes agent put on a
    // node without Node.js) has nothing to fall back to, so this daemon is the one to serve it.
    const ours = req.hookScript === OWN_HOOK_SCRIPT || req.hookScript === '';
    if (!ours || codeStamp() !== activity.stamp) {
      log(`${ours ? 'code changed on disk' : `not ours: ${req.hookScript}`}: the entry runs its Node hook`);
      sock.end('fallback\n');
      if (ours) activity.stale = true;
      return;
    }
    served = true;
    const lines: string[] = [];
    const t0 = performance.now();
    runHook({ argv: req.argv, readInput: () => Promise.resolve(req.input), say: (l) => lines.push(l) })
      .then(
        (code) => {
          log(`${req.argv.slice(2).join(' ')}: exit ${code} in ${(performance.now() - t0).toFixed(1)} ms`);
          sock.end(`${code}\n${lines.map((l) => `${l}\n`).join('')}`);
        },
        (e: unknown) => sock.end(`1\nseccomp-tailor-hookd: ${(e as Error).message}\n`),
      );
  });
}
