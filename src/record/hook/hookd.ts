// `hookd`: an optional resident server for the hook's native entry (native/hook-client). It
// saves the two Node start-ups per container (~60-120 ms each); it holds no per-container state,
// so killing it loses nothing (the native entry then runs the Node hook itself) and there is
// still no process per container. The socket is root-only: it lives in a 0700 directory.
import { chmodSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { runHook } from './main.js';
import { MAX_STATE_BYTES } from '../../oci/state.js';

export const DEFAULT_HOOKD_SOCKET = '/run/seccomp-tailor/hookd.sock';
const HEADER = /^seccomp-tailor-hook 1 (\d+) (\d+)$/;
const MAX_REQUEST = MAX_STATE_BYTES + 64 * 1024;

export interface HookRequest { runtimePid: number; argv: string[]; input: string }

/** Parses the native entry's request; undefined when it is not one. */
export function parseHookRequest(buf: Buffer): HookRequest | undefined {
  const nl = buf.indexOf(0x0a);
  if (nl < 0 || nl > 200) return undefined;
  const m = HEADER.exec(buf.subarray(0, nl).toString('latin1'));
  if (!m) return undefined;
  const argc = Number(m[2]);
  if (argc > 64) return undefined;
  const argv: string[] = [];
  let at = nl + 1;
  for (let i = 0; i < argc; i++) {
    const end = buf.indexOf(0, at);
    if (end < 0) return undefined;
    argv.push(buf.subarray(at, end).toString('utf8'));
    at = end + 1;
  }
  // The runtime pid is inserted the way the Node entry takes it when the client falls back.
  return { runtimePid: Number(m[1]), argv: ['--runtime-pid', m[1]!, ...argv], input: buf.subarray(at).toString('utf8') };
}

export async function serveHooks(socketPath = DEFAULT_HOOKD_SOCKET, log: (line: string) => void = () => {}): Promise<Server> {
  const dir = dirname(socketPath);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (!st.isDirectory() || st.uid !== (process.getuid?.() ?? 0) || (st.mode & 0o077) !== 0)
    throw new Error(`${dir} must be a directory only its owner can enter (mode 0700): the socket runs hooks as root`);
  try {
    unlinkSync(socketPath);
  } catch {
    // no stale socket
  }
  // allowHalfOpen: the client shuts its side after the request and waits for the answer.
  const server = createServer({ allowHalfOpen: true }, (sock) => handle(sock, log));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  chmodSync(socketPath, 0o600);
  return server;
}

function handle(sock: Socket, log: (line: string) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  sock.on('error', () => sock.destroy());
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
