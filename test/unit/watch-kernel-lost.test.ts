import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KernelAuditStatus } from '../../src/native/audit-netlink.js';
import { watchKernelLost, type KernelLostOptions } from '../../src/watch/kernel-lost.js';
import type { KernelLostCheckpoint } from '../../src/watch/state-store.js';

const status = (lost: number): KernelAuditStatus => ({ enabled: 1, failure: 1, pid: 0, rateLimit: 0, backlogLimit: 64, lost, backlog: 0 });

function harness(values: Array<number | Error>, resume?: KernelLostCheckpoint) {
  const losses: Array<{ count: number; detail: string; window: { from?: string; to?: string } }> = [];
  const checkpoints: KernelLostCheckpoint[] = [];
  const notes: Array<{ level: string; msg: string }> = [];
  let i = 0;
  const o: KernelLostOptions = {
    read: () => {
      const v = values[Math.min(i++, values.length - 1)]!;
      if (v instanceof Error) throw v;
      return status(v);
    },
    bootId: 'boot-a', resume,
    loss: (count, detail, window) => losses.push({ count, detail, window }),
    checkpoint: (cp) => checkpoints.push(cp),
    note: (level, msg) => notes.push({ level, msg }),
    everyMs: 60_000,
  };
  return { o, losses, checkpoints, notes };
}

test('kernel lost counter: a rise is one loss notice with the difference; no rise, no notice; the last value is checkpointed', () => {
  const h = harness([10, 10, 17]);
  const stop = watchKernelLost(h.o);
  assert.deepEqual(h.losses, []);
  assert.equal(h.checkpoints.at(-1)?.lost, 10);
  stop(); // the final poll reads 10: nothing
  assert.deepEqual(h.losses, []);
  const h2 = harness([10, 17]);
  watchKernelLost(h2.o)();
  assert.equal(h2.losses.length, 1);
  assert.equal(h2.losses[0]!.count, 7);
  assert.match(h2.losses[0]!.detail, /dropped 7 audit records before any listener/);
  assert.equal(h2.checkpoints.at(-1)?.lost, 17);
});

test('kernel lost counter: a rise while the watcher was down is reported at start with its window; another boot is not', () => {
  const down = { kind: 'kernel-lost' as const, bootId: 'boot-a', lost: 4, time: '2026-12-01T10:00:00.000Z' };
  const h = harness([9], down);
  watchKernelLost(h.o)();
  assert.equal(h.losses.length, 1);
  assert.equal(h.losses[0]!.count, 5);
  assert.equal(h.losses[0]!.window.from, down.time);
  assert.match(h.losses[0]!.detail, /while the watcher was down/);
  const other = harness([9], { ...down, bootId: 'boot-b' });
  watchKernelLost(other.o)();
  assert.deepEqual(other.losses, []);
});

test('kernel lost counter: a reset is a note, not a loss; counting goes on from the new value', () => {
  const h = harness([50, 0, 3]);
  const stop = watchKernelLost(h.o);
  stop();
  assert.deepEqual(h.losses, []);
  assert.ok(h.notes.some((n) => /reset/.test(n.msg)));
});

test('kernel lost counter: AUDIT_GET refused is said once, and nothing is polled', () => {
  const h = harness([Object.assign(new Error('EPERM: Operation not permitted, AUDIT_GET'), { code: 'EPERM' })]);
  const stop = watchKernelLost(h.o);
  stop();
  assert.equal(h.notes.filter((n) => n.level === 'warn').length, 1);
  assert.deepEqual(h.checkpoints, []);
});
