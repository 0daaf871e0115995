import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FLUSH_DUTY_FACTOR, MAX_FLUSH_INTERVAL_MS, flushDueAt } from '../../src/watch/flush-schedule.js';

test('flush schedule: denials wait --flush-ms after a cheap write, at once after a quiet spell', () => {
  assert.equal(flushDueAt({ lastStart: 10_000, lastCost: 2, intervalMs: 25 }, true), 10_025);
  // The first flush, or one long after the last: due in the past, so at once.
  assert.ok(flushDueAt({ lastStart: 0, lastCost: 0, intervalMs: 25 }, true) <= Date.now());
});

test('flush schedule: a slow write stretches the interval to keep writes at a sixth of the time, up to a cap', () => {
  assert.equal(flushDueAt({ lastStart: 10_000, lastCost: 40, intervalMs: 25 }, true), 10_000 + FLUSH_DUTY_FACTOR * 40);
  assert.equal(flushDueAt({ lastStart: 10_000, lastCost: 60_000, intervalMs: 25 }, true), 10_000 + MAX_FLUSH_INTERVAL_MS);
  // A long --flush-ms is not shortened by the cap.
  assert.equal(flushDueAt({ lastStart: 10_000, lastCost: 60_000, intervalMs: 10_000 }, true), 20_000);
});

test('flush schedule: a checkpoint with no denial behind it waits at least a second', () => {
  assert.equal(flushDueAt({ lastStart: 10_000, lastCost: 2, intervalMs: 25 }, false), 11_000);
  assert.equal(flushDueAt({ lastStart: 10_000, lastCost: 400, intervalMs: 25 }, false), 12_000);
});
