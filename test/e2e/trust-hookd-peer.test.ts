// Issue 12: hookd runs hooks as root for whoever connects, so it checks the peer with
// SO_PEERCRED, not only the socket's directory. Here the socket is made reachable (directory
// 0755, socket 0666: a moved or misconfigured socket) and a real unprivileged user connects and
// sends a well-formed hook request: refused, and no hook runs. Root still gets served.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveHooks } from '../../src/record/hook/hookd.js';
import { createUser, spawnAsUser, type TestUser } from '../helpers/attacker.js';

const skip = process.getuid?.() !== 0 ? 'needs root (creates a user)' : false;
let user: TestUser | undefined;
let server: Server | undefined;
let dir = '';
let sock = '';
const log: string[] = [];

before(async () => {
  if (skip) return;
  user = createUser(`hd${process.pid}`);
  dir = mkdtempSync(join(tmpdir(), 'st-hookd-'));
  sock = join(dir, 'run', 'hookd.sock');
  server = await serveHooks(sock, { log: (l: string) => { log.push(l); } });
  chmodSync(dir, 0o755);
  chmodSync(join(dir, 'run'), 0o755);
  chmodSync(sock, 0o666);
});
after(async () => {
  if (skip) return;
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  user?.remove();
  rmSync(dir, { recursive: true, force: true });
});

// A prestart request as the native entry sends it (header, argv NUL-separated, then the OCI state).
const REQUEST = 'seccomp-tailor-hook 2 4242 1\n/usr/lib/seccomp-tailor/hook\0prestart\0{"ociVersion":"1.0.2","id":"x","status":"creating","pid":4242,"bundle":"/nonexistent","annotations":{"io.containers.trace-syscall":"of:/tmp/pwned.json"}}';

const CLIENT = `const s=require('net').connect(process.argv[1]);let o='';s.on('data',d=>o+=d);s.on('end',()=>{process.stdout.write(o)});s.on('error',e=>{process.stdout.write('ERR '+e.code)});s.end(require('fs').readFileSync(0));`;

test('an unprivileged user who can reach the socket is refused by SO_PEERCRED', { skip }, async () => {
  // Not spawnSync: the server answers from this very event loop.
  const p = spawnAsUser(user!, [process.execPath, '-e', CLIENT, sock]);
  p.stdin!.end(REQUEST);
  let out = '';
  p.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; });
  const status = await new Promise<number | null>((resolve) => p.on('exit', (c) => resolve(c)));
  const r = { status, stdout: out };
  assert.equal(r.status, 0);
  assert.match(r.stdout, new RegExp(`^1\\nseccomp-tailor-hookd: refused: the peer is uid ${user!.uid}, not root\\n$`));
  assert.ok(log.some((l) => l.includes(`uid ${user!.uid}`) && l.includes('refused')));
  assert.ok(!log.some((l) => l.includes('prestart')), 'no hook ran');
});

test('root is served', { skip }, async () => {
  const answer = await new Promise<string>((resolve, reject) => {
    const s = connect(sock);
    let o = '';
    s.on('data', (d) => { o += d; });
    s.on('end', () => resolve(o));
    s.on('error', reject);
    s.end('not a hook request');
  });
  assert.match(answer, /^2\nseccomp-tailor-hookd: not a hook request/);
});
