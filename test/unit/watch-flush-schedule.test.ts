import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FLUSH_DUTY_FACTOR, MAX_FLUSH_INTERVAL_MS, flushDueAt, smoothFlushCost } from '../../src/watch/flush-schedule.js';

test('flush schedule: denials wait --flush-ms after a cheap write, at once after a quiet spell', () => {
  assert.equal(flushDueAt({ lastStart: 10_000, cost: 2, intervalMs: 25 }, true), 10_025);
  // The first flush, or one long after the last: due in the past, so at once.
  assert.ok(flushDueAt({ lastStart: 0, cost: 0, intervalMs: 25 }, true) <= Date.now());
});

test('flush schedule: slow writes stretch the interval to keep writes at a sixth of the time, up to a cap', () => {
  assert.equal(flushDueAt({ lastStart: 10_000, cost: 40, intervalMs: 25 }, true), 10_000 + FLUSH_DUTY_FACTOR * 40);
  assert.equal(flushDueAt({ lastStart: 10_000, cost: 60_000, intervalMs: 25 }, true), 10_000 + MAX_FLUSH_INTERVAL_MS);
  // A long --flush-ms is not shortened by the cap.
  assert.equal(flushDueAt({ lastStart: 10_000, cost: 60_000, intervalMs: 10_000 }, true), 20_000);
});

test('flush schedule: a checkpoint with no denial behind it waits at least a second', () => {
  assert.equal(flushDueAt({ lastStart: 10_000, cost: 2, intervalMs: 25 }, false), 11_000);
  assert.equal(flushDueAt({ lastStart: 10_000, cost: 400, intervalMs: 25 }, false), 12_000);
});

test('flush cost: one stalled fsync does not hold back the next writes for long; a disk that stays slow does', () => {
  // Cheap writes, then one flush of 1 s: the next interval is stretched, not to 5 s.
  let cost = 2;
  cost = smoothFlushCost(cost, 1000);
  const after = flushDueAt({ lastStart: 0, cost, intervalMs: 25 }, true);
  assert.ok(after > 25 && after <= 1300, `next flush ${after} ms after a 1 s stall`);
  // Cheap again: back near --flush-ms within a few flushes.
  for (let i = 0; i < 12; i++) cost = smoothFlushCost(cost, 2);
  assert.ok(flushDueAt({ lastStart: 0, cost, intervalMs: 25 }, true) <= 50);
  // Slow every time (200 ms): the interval settles at five times that.
  for (let i = 0; i < 40; i++) cost = smoothFlushCost(cost, 200);
  assert.ok(Math.abs(flushDueAt({ lastStart: 0, cost, intervalMs: 25 }, true) - 1000) < 10);
});
