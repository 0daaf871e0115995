// hookd without the kernel: its request format, what it answers an entry of another checkout,
// and the socket systemd hands it (socket activation), served for real over a Unix socket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { parseHookRequest, serveHooks } from '../../src/record/hook/hookd.js';
import { packagePath } from '../../src/native/package-root.js';

const OWN_SCRIPT = packagePath('bin', 'seccomp-tailor-hook');
const request = (script: string, args: string[], input: string) => Buffer.concat([
  Buffer.from(`seccomp-tailor-hook 2 42 ${args.length}\n${script}\0${args.map((a) => `${a}\0`).join('')}`), Buffer.from(input),
]);

function ask(socket: string, req: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = connect(socket, () => c.end(req));
    let out = '';
    c.on('data', (d) => (out += d));
    c.on('end', () => resolve(out));
    c.on('error', reject);
  });
}

test('hookd requests: parsed, and anything else refused', () => {
  assert.deepEqual(parseHookRequest(request('/x/bin/seccomp-tailor-hook', ['--config', '/x.json'], '{"id":"a"}')), {
    runtimePid: 42, hookScript: '/x/bin/seccomp-tailor-hook', argv: ['--runtime-pid', '42', '--config', '/x.json'], input: '{"id":"a"}',
  });
  assert.equal(parseHookRequest(Buffer.from('GET / HTTP/1.0\n\n')), undefined);
  assert.equal(parseHookRequest(Buffer.from('seccomp-tailor-hook 2 42 2\n/x\0--config\0')), undefined, 'an argument is missing');
  assert.equal(parseHookRequest(Buffer.from('seccomp-tailor-hook 1 42 0\n{}')), undefined, 'the old protocol');
});

test('an entry built for another checkout is told to run its own Node hook', async () => {
  const dir = mkdtempSync('/tmp/st-hookd-unit-');
  const socket = join(dir, 's', 'hookd.sock');
  const server = await serveHooks(socket);
  try {
    assert.equal(await ask(socket, request('/elsewhere/bin/seccomp-tailor-hook', ['prestart'], '{}')), 'fallback\n');
    // Ours is served: a bad argument is the hook's own answer (exit 2, one line).
    assert.match(await ask(socket, request(OWN_SCRIPT, ['--bogus'], '{}')), /^2\nseccomp-tailor-hook: unknown argument "--bogus"/);
  } finally {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
});

const activate = spawnSync('sh', ['-c', 'command -v systemd-socket-activate'], { encoding: 'utf8' }).stdout.trim();
test('socket activation: hookd serves the socket systemd passes (LISTEN_FDS)', { skip: activate ? false : 'systemd-socket-activate is not installed' }, async () => {
  const dir = mkdtempSync('/tmp/st-hookd-unit-');
  const socket = join(dir, 'hookd.sock');
  // systemd-socket-activate binds and listens like systemd's .socket unit, then execs hookd with
  // LISTEN_FDS=1 / LISTEN_PID; hookd must not bind the path itself (--socket names a path it
  // never creates here).
  const p = spawn(activate, ['-l', socket, process.execPath, packagePath('bin', 'seccomp-tailor-hookd'), '--socket', join(dir, 'unused', 'x.sock')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  p.stderr!.on('data', (d: Buffer) => (err += d));
  try {
    const deadline = Date.now() + 10_000;
    while (!err.includes('Listening') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.match(await ask(socket, request(OWN_SCRIPT, ['--bogus'], '{}')), /^2\nseccomp-tailor-hook: unknown argument/);
    assert.match(err, /listening on fd 3 \(socket activation\)/);
  } finally {
    p.kill('SIGTERM');
    await new Promise((r) => p.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
});

test('idle exit: requests from another installation do not keep a daemon alive', async () => {
  const dir = mkdtempSync('/tmp/st-hookd-unit-');
  const socket = join(dir, 'hookd.sock');
  const p = spawn(process.execPath, [packagePath('bin', 'seccomp-tailor-hookd'), '--socket', socket, '--idle-exit', '1'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  p.stderr!.on('data', (d: Buffer) => (err += d));
  const exited = new Promise((r) => p.once('exit', r));
  try {
    const deadline = Date.now() + 10_000;
    while (!err.includes('listening') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    let gone = false;
    void exited.then(() => (gone = true));
    const start = Date.now();
    // A foreign entry every 200 ms: each is sent away, and the daemon still leaves after ~1 s.
    while (!gone && Date.now() - start < 6000) {
      await ask(socket, request('/elsewhere/bin/seccomp-tailor-hook', ['prestart'], '{}')).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(gone, 'the daemon exited while foreign requests kept coming');
  } finally {
    p.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a client that never finishes its request holds only its own connection, cut at the deadline', { skip: process.getuid?.() === 0 ? false : 'hookd serves root only' }, async () => {
  const dir = mkdtempSync('/tmp/st-hookd-unit-');
  const socket = join(dir, 's', 'hookd.sock');
  const server = await serveHooks(socket, { requestDeadlineMs: 800 });
  try {
    // The stuck client: connects, sends half a request, never shuts its side.
    const stuck = connect(socket, () => stuck.write('seccomp-tailor-hook 2 42 1\n'));
    let stuckSaid = '';
    stuck.on('data', (d) => (stuckSaid += d));
    const stuckClosed = new Promise<number>((r) => { const t0 = Date.now(); stuck.on('close', () => r(Date.now() - t0)); });
    // Meanwhile another container's hook is answered at once.
    const t0 = Date.now();
    assert.equal(await ask(socket, request('/elsewhere/bin/seccomp-tailor-hook', ['poststop'], '{}')), 'fallback\n');
    assert.ok(Date.now() - t0 < 500, `answered in ${Date.now() - t0} ms beside a stuck request`);
    const after = await Promise.race([stuckClosed, new Promise<number>((r) => setTimeout(() => { stuck.destroy(); r(Infinity); }, 5000))]);
    assert.ok(after >= 700 && after < 5000, `the stuck connection was closed after ${after} ms`);
    assert.match(stuckSaid, /^1\nseccomp-tailor-hookd: no answer within 0.8 s\n$/);
  } finally {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
});
