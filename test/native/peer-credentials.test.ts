// native/sys-napi's SO_PEERCRED against the kernel: the credentials of a real unix socket peer,
// and a clear catalog error for a descriptor that is no socket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Socket } from 'node:net';
import { mkdtempSync, openSync, closeSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { peerCredentials } from '../../src/native/peer-credentials.js';

test('peerCredentials: the connecting process\'s pid, uid and gid as the kernel recorded them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'st-peer-'));
  const path = join(dir, 's.sock');
  const accepted: Socket[] = [];
  const server = createServer((s) => accepted.push(s));
  server.listen(path);
  await once(server, 'listening');
  const client = connect(path);
  await once(client, 'connect');
  while (accepted.length === 0) await new Promise((r) => setTimeout(r, 5));
  try {
    const fd = (accepted[0] as unknown as { _handle: { fd: number } })._handle.fd;
    assert.deepEqual(peerCredentials(fd), { pid: process.pid, uid: process.getuid!(), gid: process.getgid!() });
  } finally {
    client.destroy();
    for (const s of accepted) s.destroy();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('peerCredentials on a file that is no socket: NativeError SYS_ENOTSOCK, one line', () => {
  const fd = openSync('/dev/null', 'r');
  try {
    assert.throws(() => peerCredentials(fd), (e: Error & { code?: string }) => e.code === 'SYS_ENOTSOCK' && /^getsockopt\(\d+, SO_PEERCRED\): /.test(e.message) && !e.message.includes('\n'));
  } finally {
    closeSync(fd);
  }
});
