import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findAuditStamp } from '../../parsers/index.js';
import { SerialGaps } from '../../src/watch/serial-gaps.js';

function clock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => { t += ms; } };
}

test('contiguous serials, repeats and records of one event sharing a serial: no loss', () => {
  const c = clock();
  const g = new SerialGaps(2000, c.now);
  for (const s of [100, 101, 101, 101, 102, 103, 103]) assert.deepEqual(g.observe(s), []);
  c.advance(10_000);
  assert.deepEqual(g.tick(), []);
  assert.equal(g.lost, 0);
  assert.equal(g.contiguousThrough, 103);
});

test('out of order within the grace time is not loss (a SYSCALL record follows later serials)', () => {
  const c = clock();
  const g = new SerialGaps(2000, c.now);
  g.observe(10);
  assert.deepEqual(g.observe(12), []);
  c.advance(1500);
  assert.deepEqual(g.observe(13), []);
  assert.deepEqual(g.observe(11), []);
  c.advance(5000);
  assert.deepEqual(g.tick(), []);
  assert.equal(g.contiguousThrough, 13);
});

test('a serial missing longer than the grace time is reported once, with its window', () => {
  const c = clock();
  const g = new SerialGaps(2000, c.now);
  g.observe(9512, Date.parse('2026-12-01T20:09:14.548Z'));
  g.observe(9553, Date.parse('2026-12-01T20:09:25.680Z'));
  g.observe(9554);
  g.observe(9560);
  c.advance(1999);
  assert.deepEqual(g.tick(), []);
  c.advance(1);
  assert.deepEqual(g.tick(), [
    { first: 9513, last: 9552, count: 40, from: '2026-12-01T20:09:14.548Z', to: '2026-12-01T20:09:25.680Z' },
    { first: 9555, last: 9559, count: 5, from: '2026-12-01T20:09:25.680Z' },
  ]);
  assert.deepEqual(g.tick(), []);
  // Arriving after it was declared lost: not counted again, not a new gap.
  assert.deepEqual(g.observe(9513), []);
  assert.equal(g.lost, 45);
  assert.equal(g.contiguousThrough, 9560);
});

test('resumeAfter: a gap right after a checkpoint counts from it', () => {
  const c = clock();
  const g = new SerialGaps(0, c.now);
  g.resumeAfter(50);
  assert.deepEqual(g.observe(53).map((x) => x.count), [2]);
});

test('findAuditStamp reads the stamp of any record type (kmsg text, netlink payload, audit.log)', () => {
  assert.deepEqual(findAuditStamp('audit: type=1334 audit(1796155754.548:9512): prog-id=165 op=LOAD'), { sec: 1796155754, ms: 548, serial: 9512 });
  assert.deepEqual(findAuditStamp('audit(1796155754.548:9513): prog-id=165 op=UNLOAD'), { sec: 1796155754, ms: 548, serial: 9513 });
  assert.deepEqual(findAuditStamp('type=BPF msg=audit(1796155754.548:9514): prog-id=166 op=LOAD'), { sec: 1796155754, ms: 548, serial: 9514 });
  assert.equal(findAuditStamp('kauditd_printk_skb: 38 callbacks suppressed'), undefined);
  assert.equal(findAuditStamp('audit(garbage'), undefined);
});
