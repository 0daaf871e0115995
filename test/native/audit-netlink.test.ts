// native/audit-netlink-napi against the real kernel: bind to the audit multicast group, records in
// batches with their type, loss counted on a receive buffer too small, pause/resume, errors shaped
// like Node's SystemError, close() idempotent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { AuditListener, netlinkDrops } from '../../src/native/audit-netlink.js';
import { seccompLogUnameBinary } from '../helpers/audit-noise.js';

const skip = process.getuid?.() !== 0 ? 'needs root (CAP_AUDIT_READ)' : false;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function collector() {
  const got: Array<{ type: number; text: string }> = [];
  let overflows = 0;
  const cb = (types: Uint32Array, texts: string[], o: number) => {
    for (let i = 0; i < types.length; i++) got.push({ type: types[i]!, text: texts[i]! });
    overflows += o;
  };
  return { got, cb, overflows: () => overflows };
}

test('SECCOMP records arrive with type 1326 and the kernel text, one per denial', { skip }, async () => {
  const c = collector();
  const l = new AuditListener(c.cb, { rcvbuf: 4 << 20 });
  try {
    assert.ok(l.info.inode > 0 && l.info.portid > 0);
    assert.equal(netlinkDrops(l.info.inode), 0, 'its row in /proc/net/netlink');
    l.resume();
    const r = spawnSync(seccompLogUnameBinary(), ['25']);
    assert.equal(r.status, 0);
    await sleep(300);
    const mine = c.got.filter((x) => x.type === 1326 && x.text.includes(` pid=${r.pid} `));
    assert.equal(mine.length, 25);
    assert.match(mine[0]!.text, /^audit\(\d+\.\d{3}:\d+\): auid=\d+ uid=0 .* syscall=63 compat=0 .*code=0x7ffc0000$/);
    assert.equal(c.overflows(), 0);
  } finally {
    l.close();
  }
});

test('pause(): nothing is delivered; resume() delivers what the kernel queued meanwhile', { skip }, async () => {
  const c = collector();
  const l = new AuditListener(c.cb, { rcvbuf: 4 << 20 });
  try {
    l.resume();
    l.pause();
    const r = spawnSync(seccompLogUnameBinary(), ['10']);
    await sleep(200);
    const mine = () => c.got.filter((x) => x.type === 1326 && x.text.includes(` pid=${r.pid} `)).length;
    assert.equal(mine(), 0);
    l.resume();
    await sleep(200);
    assert.equal(mine(), 10);
  } finally {
    l.close();
  }
});

test('a receive buffer too small: ENOBUFS reported as overflows, the drop counter counts, the socket keeps working', { skip }, async () => {
  const c = collector();
  const l = new AuditListener(c.cb, { rcvbuf: 1 });
  try {
    assert.ok(l.info.rcvbuf < 8192, `granted ${l.info.rcvbuf}`);
    l.pause();
    spawnSync(seccompLogUnameBinary(), ['500']);
    l.resume();
    await sleep(200);
    assert.ok(c.overflows() >= 1, 'ENOBUFS seen');
    const drops = l.drops()!;
    assert.ok(drops > 0, `drops ${drops}`);
    // Still reading: later records arrive (one at a time, with time to read each: the buffer
    // holds about one, and the rest of the host may be logging too).
    const before = c.got.length;
    const pids: number[] = [];
    for (let i = 0; i < 5; i++) {
      pids.push(spawnSync(seccompLogUnameBinary(), ['1']).pid!);
      await sleep(100);
    }
    assert.ok(c.got.slice(before).some((x) => pids.some((p) => x.text.includes(` pid=${p} `))), 'a later record still arrives');
  } finally {
    l.close();
  }
});

test('errors are SystemError-shaped; close() is idempotent; bad arguments are TypeErrors', { skip }, () => {
  const l = new AuditListener(() => {});
  l.close();
  l.close();
  assert.throws(() => l.resume(), (e: Error & { code?: string; errno?: number; syscall?: string }) => e.code === 'EBADF' && e.errno === -9 && e.syscall === 'resume');
  assert.equal(l.drain(), 0);
  assert.throws(() => new AuditListener(() => {}, { rcvbuf: -1 }), RangeError);
  assert.throws(() => new AuditListener(undefined as unknown as () => void), TypeError);
});
