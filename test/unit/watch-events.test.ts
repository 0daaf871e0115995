// `seccomp-tailor events` core: exact JSON keys, the summary on stderr, stdin-like streams.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { runEvents } from '../../src/watch/events.js';
import { resolveSyscall, samplesDir } from '../helpers/parser-samples.js';

async function run(file: string, json: boolean, countOnly = false) {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks: string[] = [];
  const errs: string[] = [];
  out.on('data', (d: Buffer) => chunks.push(d.toString()));
  err.on('data', (d: Buffer) => errs.push(d.toString()));
  const counters = await runEvents({ path: samplesDir + file, json, follow: false, countOnly, resolveSyscall, yearHint: 2026, out, err });
  return { out: chunks.join(''), err: errs.join(''), counters };
}

const KEYS = ['time', 'serial', 'node', 'pid', 'uid', 'auid', 'comm', 'commHex', 'exe', 'exeHex', 'arch', 'syscall', 'syscallName', 'compat', 'action', 'errno', 'sig', 'ip', 'code'];

test('--json: one object a line, only the documented keys, in order, undefined ones omitted', async () => {
  const { out, err, counters } = await run('constructed.log', true);
  const objs = out.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(objs.length, counters.events);
  for (const o of objs) {
    const keys = Object.keys(o);
    assert.deepEqual(keys, KEYS.filter((k) => keys.includes(k)));
    // serial only where the line carries one (the constructed sample has a journald short line).
    for (const k of ['time', 'pid', 'comm', 'arch', 'syscall', 'compat', 'action', 'code']) assert.ok(k in o, k);
    assert.match(o.time as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  }
  assert.equal(objs[0]!.node, 'web-01');
  assert.ok(!('node' in objs[1]!));
  assert.equal(objs.find((o) => o.errno !== undefined)?.errno, 13);
  assert.match(err, /^events: 10; duplicates dropped: 1; issues: 7 \(truncated=1, malformed=2, binary=1, unknown-arch=1, bad-field=2\); loss notices: 0/);
});

test('the hand-built JSON is the text JSON.stringify gives, hostile strings included', async () => {
  const { eventJson } = await import('../../src/watch/event-format.js');
  const { parseSample, readSample } = await import('../helpers/parser-samples.js');
  const events = [...parseSample(readSample('auditd-enriched.log')).events, ...parseSample(readSample('constructed.log')).events];
  events.push({ ...events[0]!, comm: 'q"\\\u2028\ud800\u0000', exe: undefined, node: 'n\t' });
  for (const e of events) {
    const o = Object.fromEntries(KEYS.filter((k) => (e as unknown as Record<string, unknown>)[k] !== undefined).map((k) => [k, (e as unknown as Record<string, unknown>)[k]]));
    assert.equal(eventJson(e), JSON.stringify(o));
  }
});

test('text output escapes hostile comm values for the terminal', async () => {
  const { out } = await run('auditd-raw.log', false);
  assert.ok(out.includes('comm="a b\\u000ac\\u001b\\"x"'));
  assert.ok(!/[\u0000-\u0008\u000b-\u001f]/.test(out));
});

test('--count prints nothing but the summary', async () => {
  const { out, err } = await run('kmsg.log', true, true);
  assert.equal(out, '');
  assert.match(err, /events: 48;.*loss notices: 2 \(records lost: 2\)/);
});
