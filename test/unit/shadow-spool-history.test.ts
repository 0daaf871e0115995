// The shadow spool and the run history: what is written is read back (bigint values exact),
// repeats are folded, the bounds hold and say so, files are root-only, planted files are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendShadowDenials, forgetSpoolState, MAX_LINES_PER_CONTAINER, readShadowSpool, shadowDir, REPEAT_MS } from '../../src/shadow/spool.js';
import { appendRunHistory, historyPath, KEEP_RUNS, MAX_RUNS, readRunHistory, type RunHistoryEntry } from '../../src/history/history.js';
import type { ShadowDenial } from '../../src/shadow/types.js';
import { historyAddedOf } from '../../src/shadow/history-added.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'st-shadow-'));
const REF = { container: 'c0ffee', profilePath: '/etc/p.json', image: { name: 'busybox', digest: 'sha256:ab' } };
const d = (name: string, extra: Partial<ShadowDenial> = {}): ShadowDenial => ({ arch: 'x86_64', name, nr: 1, firstSeenMs: 1000, lastSeenMs: 1000, reason: 'name', ...extra });

test('spool: read back exactly, 64-bit values included; root-only modes', () => {
  const s = fresh();
  appendShadowDenials(s, REF, [d('uname', { count: 1 }), d('socket', { reason: 'argument', tuple: [{ index: 0, value: 0xffffffffffffffffn }] })], 5000);
  const [c] = readShadowSpool(s);
  assert.deepEqual(c!.ref, REF);
  assert.equal(c!.denials[1]!.tuple![0]!.value, 0xffffffffffffffffn);
  assert.equal(statSync(shadowDir(s)).mode & 0o777, 0o700);
  assert.equal(statSync(join(shadowDir(s), 'c0ffee.jsonl')).mode & 0o777, 0o600);
});

test('spool: a finding is written once, again only when it moved and REPEAT_MS passed; the reader folds', () => {
  const s = fresh();
  const file = join(shadowDir(s), 'c0ffee.jsonl');
  const lines = () => readFileSync(file, 'utf8').trim().split('\n').length;
  appendShadowDenials(s, REF, [d('uname', { count: 1 })], 10_000);
  appendShadowDenials(s, REF, [d('uname', { count: 1 })], 10_000 + REPEAT_MS * 2);
  assert.equal(lines(), 1, 'nothing moved');
  appendShadowDenials(s, REF, [d('uname', { count: 5, lastSeenMs: 9000 })], 10_001);
  assert.equal(lines(), 1, 'moved, but too soon');
  appendShadowDenials(s, REF, [d('uname', { count: 7, lastSeenMs: 9500 })], 10_000 + REPEAT_MS);
  assert.equal(lines(), 2);
  // A restarted writer recovers what was written instead of writing it again.
  forgetSpoolState();
  appendShadowDenials(s, REF, [d('uname', { count: 7, lastSeenMs: 9500 })], 99_999);
  assert.equal(lines(), 2);
  const [c] = readShadowSpool(s);
  assert.deepEqual(c!.denials.map((x) => [x.name, x.count, x.firstSeenMs, x.lastSeenMs]), [['uname', 7, 1000, 9500]]);
});

test('spool: the per-container bound writes one bound line, then nothing; the reader says so', () => {
  const s = fresh();
  const many = Array.from({ length: MAX_LINES_PER_CONTAINER + 50 }, (_, i) => d('ioctl', { reason: 'argument', tuple: [{ index: 1, value: BigInt(i) }] }));
  appendShadowDenials(s, REF, many, 1);
  appendShadowDenials(s, REF, [d('uname')], 2);
  const [c] = readShadowSpool(s);
  assert.equal(c!.bounded, true);
  assert.equal(c!.denials.length, MAX_LINES_PER_CONTAINER);
  assert.ok(!c!.denials.some((x) => x.name === 'uname'));
});

test('spool: a symlink planted as a container file is refused, a garbage line is reported and skipped', () => {
  const s = fresh();
  appendShadowDenials(s, REF, [d('uname')], 1);
  symlinkSync('/etc/passwd', join(shadowDir(s), 'evil.jsonl'));
  assert.throws(() => appendShadowDenials(s, { ...REF, container: 'evil' }, [d('uname')], 1), /ELOOP/);
  appendFileSync(join(shadowDir(s), 'c0ffee.jsonl'), '{"v":1,"kind":"denial","container":"x"}\nnot json\n');
  const c = readShadowSpool(s).find((x) => x.ref.container === 'c0ffee')!;
  assert.equal(c.denials.length, 1);
  assert.equal(c.problems.length, 2);
  assert.equal(readdirSync(shadowDir(s)).length, 2);
  assert.match(readShadowSpool(s).find((x) => x.ref.container === 'evil')!.problems[0]!, /symbolic link/);
});

const run = (i: number, added: RunHistoryEntry['added'] = []): RunHistoryEntry => ({
  profile: '/etc/p.json', kind: i % 2 ? 'shadow' : 'recording', container: `c${i}`, image: { name: 'img' },
  startedAt: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(), endedAt: new Date(Date.UTC(2026, 0, 1, 0, i, 30)).toISOString(), added,
});

test('history: appended runs read back in order; one file per profile path, 0600', () => {
  const s = fresh();
  appendRunHistory(s, run(2, [{ arch: 'x86_64', name: 'socket', args: [{ index: 0, value: '1' }] }]));
  appendRunHistory(s, run(1, [{ arch: 'x86_64', name: 'uname' }]));
  const h = readRunHistory(s, '/etc/p.json');
  assert.deepEqual(h.runs.map((r) => r.container), ['c1', 'c2']);
  assert.deepEqual(h.runs[1]!.added, [{ arch: 'x86_64', name: 'socket', args: [{ index: 0, value: '1' }] }]);
  assert.equal(statSync(historyPath(s, '/etc/p.json')).mode & 0o777, 0o600);
  assert.deepEqual(readRunHistory(s, '/etc/other.json').runs, []);
  assert.throws(() => appendRunHistory(s, { ...run(3), profile: 'relative.json' }), /not absolute/);
  assert.throws(() => appendRunHistory(s, { ...run(3), added: [{ arch: 'x86_64', name: 'Bad Name' }] }), /added\.0/);
});

test('history: past MAX_RUNS the file is compacted behind a summary that keeps the counts', () => {
  const s = fresh();
  // Written directly (appending 4000 runs one by one is slow): MAX_RUNS lines, then one append.
  const lines = Array.from({ length: MAX_RUNS }, (_, i) => JSON.stringify({ v: 1, ...run(i, i === 5 ? [{ arch: 'x86_64', name: 'uname' }] : []) }));
  appendRunHistory(s, run(0));
  writeFileSync(historyPath(s, '/etc/p.json'), lines.join('\n') + '\n');
  appendRunHistory(s, run(MAX_RUNS, [{ arch: 'x86_64', name: 'uname' }]));
  const h = readRunHistory(s, '/etc/p.json');
  assert.equal(h.runs.length, KEEP_RUNS);
  assert.equal(h.summary!.runs + h.runs.length, MAX_RUNS + 1);
  assert.equal(h.summary!.keyRuns.uname, 1);
  assert.equal(h.summary!.lastNewAt, run(5).endedAt);
  assert.deepEqual(h.problems, []);
});

test('a shadowed run\'s denials as history: one entry per (arch, syscall, tuple), values as decimals', () => {
  const added = historyAddedOf([d('uname'), d('uname', { lastSeenMs: 5 }), d('socket', { reason: 'argument', tuple: [{ index: 0, value: 1n }, { index: 2, value: 0n }] })]);
  assert.deepEqual(added, [{ arch: 'x86_64', name: 'uname' }, { arch: 'x86_64', name: 'socket', args: [{ index: 0, value: '1' }, { index: 2, value: '0' }] }]);
  const s = fresh();
  appendRunHistory(s, { ...run(1), added });
  assert.deepEqual(readRunHistory(s, '/etc/p.json').runs[0]!.added, added);
});
