// profile readiness: eight recordings of one workload, then a ninth that adds a syscall. The
// expected pNew is computed here from the recordings themselves (names in exactly one run ÷ runs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/native/package-root.js';
import { appendRunHistory } from '../../src/history/history.js';
import { writeProposal } from '../../src/profile/proposal-store.js';
import { proposalId } from '../../src/profile/proposal.js';
import { parseDuration, readiness, DEFAULT_THRESHOLDS } from '../../src/readiness/readiness.js';

const BIN = join(packageRoot(), 'bin', 'seccomp-tailor');
const BASE = ['exit_group', 'write', 'read', 'openat', 'close', 'mmap', 'brk', 'execve'];
const T0 = Date.UTC(2026, 11, 1);

function recording(dir: string, i: number, names: string[]): { path: string; at: string; names: string[] } {
  const path = join(dir, `run${i}.json`);
  writeFileSync(path, JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names, action: 'SCMP_ACT_ALLOW' }, { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }] }] }));
  const at = new Date(T0 + i * 3600_000);
  utimesSync(path, at, at);
  return { path, at: at.toISOString(), names: [...names, 'socket(0=1)'] };
}

function cli(args: string[]) {
  const r = spawnSync(BIN, args, { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Good–Turing from the inputs: syscalls in exactly one run ÷ runs (independent of the code under test). */
function goodTuring(runs: ReadonlyArray<{ names: string[] }>): number {
  const seenIn = new Map<string, number>();
  for (const r of runs) for (const n of new Set(r.names)) seenIn.set(n, (seenIn.get(n) ?? 0) + 1);
  return [...seenIn.values()].filter((n) => n === 1).length / runs.length;
}

test('eight recordings of one workload: ready; a ninth adds a syscall: learning, lastNewAt is the ninth\'s, pNew by the formula', () => {
  const dir = mkdtempSync(join(tmpdir(), 'st-readiness-'));
  const state = join(dir, 'state');
  const profile = join(dir, 'app.json');
  writeFileSync(profile, '{}');
  const eight = Array.from({ length: 8 }, (_, i) => recording(dir, i + 1, BASE));
  const flags = ['--json', '--min-runs', '8', '--quiet-for', '0', '--max-p-new', '0.1', '--state-dir', state];
  const before = cli(['profile', 'readiness', profile, ...eight.map((r) => r.path), ...flags]);
  assert.equal(before.status, 0, before.stderr);
  const b = JSON.parse(before.stdout);
  assert.equal(b.verdict, 'ready', b.reason);
  assert.equal(b.observations.runs, 8);
  assert.equal(b.pNew, goodTuring(eight));
  assert.equal(b.lastNewAt, eight[0]!.at, 'everything was new in the first run only');

  const ninth = recording(dir, 9, [...BASE, 'uname']);
  const after = cli(['profile', 'readiness', profile, ...[...eight, ninth].map((r) => r.path), ...flags]);
  assert.equal(after.status, 0, after.stderr);
  const a = JSON.parse(after.stdout);
  assert.equal(a.verdict, 'learning');
  assert.equal(a.lastNewAt, ninth.at);
  assert.equal(a.pNew, goodTuring([...eight, ninth]));
  assert.ok(Math.abs(a.pNew - 1 / 9) < 1e-12, 'one syscall seen once in nine runs');
  assert.match(a.reason, /above 0\.1/);
  assert.deepEqual(a.observations.order.at(-1).new, ['uname']);

  // Human summary, and bad input: one line, no stack.
  const human = cli(['profile', 'readiness', profile, ...eight.map((r) => r.path), '--min-runs', '8', '--quiet-for', '0', '--max-p-new', '0.1', '--state-dir', state]);
  assert.match(human.stdout, /: READY\n/);
  const bad = cli(['profile', 'readiness', profile, '--quiet-for', '7 days', '--state-dir', state]);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /--quiet-for "7 days"/);
  assert.doesNotMatch(bad.stderr, /\n\s+at /);
});

test('an open proposal for the profile always means learning; history runs count what they added', () => {
  const dir = mkdtempSync(join(tmpdir(), 'st-readiness-'));
  const state = join(dir, 'state');
  const profile = join(dir, 'app.json');
  writeFileSync(profile, '{}');
  for (let i = 0; i < 12; i++) {
    appendRunHistory(state, {
      profile, kind: i % 2 ? 'shadow' : 'recording', container: `c${i}`, image: { name: 'app', digest: 'sha256:1' },
      startedAt: new Date(T0 + i * 60_000).toISOString(), endedAt: new Date(T0 + i * 60_000 + 30_000).toISOString(),
      added: i === 0 ? [{ arch: 'x86_64', name: 'uname' }] : [],
    });
  }
  const flags = ['--json', '--min-runs', '10', '--quiet-for', '1h', '--state-dir', state];
  const r = JSON.parse(cli(['profile', 'readiness', profile, ...flags]).stdout);
  assert.equal(r.observations.runs, 12);
  assert.equal(r.observations.containers, 12);
  assert.deepEqual(r.images, ['app@sha256:1']);
  assert.equal(r.lastNewAt, new Date(T0 + 30_000).toISOString());
  assert.equal(r.pNew, 1 / 12);
  assert.equal(r.verdict, 'learning', 'pNew 0.083 is above the default 0.05');
  const loose = JSON.parse(cli(['profile', 'readiness', profile, ...flags, '--max-p-new', '0.1']).stdout);
  assert.equal(loose.verdict, 'ready', loose.reason);
  writeProposal(state, {
    version: 2, id: proposalId(profile), profile: { path: profile, sha256: '0'.repeat(64) }, container: { id: 'c1' }, containers: [], otherContainers: { containers: 0, count: 0 },
    revision: 1, createdAt: new Date(T0).toISOString(), updatedAt: new Date(T0).toISOString(), status: 'open', blockedByRule: [], patch: [],
    add: [{ arch: 'x86_64', syscall: 'uname', count: 1, firstSeen: new Date(T0).toISOString(), lastSeen: new Date(T0).toISOString(), comm: [], exe: [], actions: ['errno'] }],
  } as never);
  const pending = JSON.parse(cli(['profile', 'readiness', profile, ...flags, '--max-p-new', '0.1']).stdout);
  assert.equal(pending.verdict, 'learning');
  assert.equal(pending.pendingProposals.length, 1);
  assert.match(pending.reason, /open proposal/);
});

test('durations and defaults', () => {
  assert.equal(parseDuration('0'), 0);
  assert.equal(parseDuration('12h'), 12 * 3600_000);
  assert.equal(parseDuration('7d'), 7 * 86_400_000);
  assert.equal(parseDuration('7'), undefined);
  assert.equal(parseDuration('soon'), undefined);
  const none = readiness({ profile: '/p', history: { runs: [] }, recordings: [], pendingProposals: [], nowMs: T0, thresholds: DEFAULT_THRESHOLDS });
  assert.equal(none.verdict, 'learning');
  assert.equal(none.pNew, null);
  assert.equal(none.lastNewAt, null);
});
