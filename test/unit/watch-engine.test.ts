import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { WatchEngine } from '../../src/watch/engine.js';
import { hiddenDenials } from '../../src/watch/container-profile.js';
import type { Mapper } from '../../src/watch/mapper.js';
import { ProfileCache } from '../../src/watch/profile-cache.js';
import type { RegistryEntry } from '../../src/state/registry.js';
import { loadState, watchStatePath } from '../../src/watch/state-store.js';
import { parseProfile } from '../../src/profile/schema.js';
import type { SeccompEvent } from '../../parsers/types.js';
import { proposalsDir } from '../../src/state/paths.js';

const log = pino({ level: 'silent' });

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'st-engine-'));
  const profilePath = join(dir, 'p.json');
  writeFileSync(profilePath, JSON.stringify({ defaultAction: 'SCMP_ACT_LOG', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] }));
  const entry: RegistryEntry = { id: 'c1', runtime: 'runc', initPid: 1, initStartTime: 1, profilePath, registeredAt: new Date().toISOString() };
  const mapper = { attribute: () => ({ kind: 'container', entry, via: 'pid-ns' }) } as unknown as Mapper;
  const engine = () => new WatchEngine({ stateDir: dir, mapper, profiles: new ProfileCache([dir]), isRejected: () => false, log, flushIntervalMs: 10_000 }, loadState(dir));
  return { dir, engine, profilePath };
}

let serial = 0;
const ev = (name: string): SeccompEvent => ({
  time: new Date().toISOString(), serial: ++serial, pid: 7, comm: 'w', arch: 'x86_64', syscall: 63, syscallName: name, compat: false, action: 'log', code: '0x7ffc0000',
});
const cp = (offset: number) => ({ kind: 'file' as const, path: '/x', dev: 1, ino: 2, offset });

function jsonFiles(d: string): string[] {
  try {
    return readdirSync(d).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
}
function onlyProposal(dir: string) {
  const [f] = jsonFiles(proposalsDir(dir));
  return JSON.parse(readFileSync(join(proposalsDir(dir), f!), 'utf8')) as { add: Array<{ syscall: string; count: number }> };
}

test('a crash after the proposal write but before the state write: replay counts each record once', () => {
  const { dir, engine } = setup();
  const a = engine();
  for (let i = 0; i < 10; i++) a.handle({ kind: 'event', event: ev('uname') });
  a.setCheckpoint('file:/x', cp(100));
  a.flush();
  const saved = join(dir, 'state-at-10.json');
  copyFileSync(watchStatePath(dir), saved);
  for (let i = 0; i < 5; i++) a.handle({ kind: 'event', event: ev('uname') });
  a.setCheckpoint('file:/x', cp(150));
  a.flush();
  assert.equal(onlyProposal(dir).add[0]!.count, 15);
  // The crash: the proposals of the second flush reached the disk, its state file did not.
  copyFileSync(saved, watchStatePath(dir));
  const b = engine();
  assert.deepEqual(b.checkpoint('file:/x'), cp(100));
  // The source resumes at offset 100 and hands the same 5 records over again.
  for (let i = 0; i < 5; i++) b.handle({ kind: 'event', event: ev('uname') });
  b.setCheckpoint('file:/x', cp(150));
  b.flush();
  assert.equal(onlyProposal(dir).add[0]!.count, 15);
  rmSync(dir, { recursive: true });
});

test('proposals are re-rendered from the state at start (a lost or stale proposal file is repaired)', () => {
  const { dir, engine } = setup();
  const a = engine();
  a.handle({ kind: 'event', event: ev('uname') });
  a.handle({ kind: 'event', event: ev('getpid') });
  a.flush();
  const d = proposalsDir(dir);
  for (const f of jsonFiles(d)) unlinkSync(join(d, f));
  const b = engine();
  b.flush();
  assert.deepEqual(onlyProposal(dir).add.map((x) => x.syscall), ['getpid', 'uname']);
  rmSync(dir, { recursive: true });
});

test('one proposal per (container, profile), updated in place', () => {
  const { dir, engine } = setup();
  const a = engine();
  a.handle({ kind: 'event', event: ev('uname') });
  a.flush();
  a.handle({ kind: 'event', event: ev('uname') });
  a.handle({ kind: 'event', event: ev('getpid') });
  a.flush();
  assert.equal(jsonFiles(proposalsDir(dir)).length, 1);
  assert.deepEqual(onlyProposal(dir).add.map((x) => [x.syscall, x.count]), [['getpid', 1], ['uname', 2]]);
  rmSync(dir, { recursive: true });
});

test('parse issues and loss notices are not events', () => {
  const { dir, engine } = setup();
  const a = engine();
  a.handle({ kind: 'issue', issue: { kind: 'truncated', detail: 'x' } });
  a.handle({ kind: 'loss', loss: { source: 'audit-lost', count: 3, detail: 'x' } });
  a.handle({ kind: 'other' });
  a.flush();
  assert.equal(a.stats.events, 0);
  assert.deepEqual(jsonFiles(proposalsDir(dir)), []);
  rmSync(dir, { recursive: true });
});

test('profiles that keep denials out of the log are named', () => {
  const p = (o: object) => parseProfile(JSON.stringify({ syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }], ...o }), 't');
  assert.equal(hiddenDenials(p({ defaultAction: 'SCMP_ACT_LOG' })), undefined);
  assert.equal(hiddenDenials(p({ defaultAction: 'SCMP_ACT_KILL_PROCESS' })), undefined);
  assert.equal(hiddenDenials(p({ defaultAction: 'SCMP_ACT_ERRNO', flags: ['SECCOMP_FILTER_FLAG_LOG'] })), undefined);
  assert.match(hiddenDenials(p({ defaultAction: 'SCMP_ACT_ERRNO' }))!, /not logged/);
});

test('a pruned subject (containers gone) continues its counts from its proposal when records come again', () => {
  const { dir, engine } = setup();
  const a = engine();
  for (let i = 0; i < 3; i++) a.handle({ kind: 'event', event: ev('uname') });
  a.flush();
  assert.equal(a.prune(new Set(['c1'])), 0);
  assert.equal(a.prune(new Set()), 1);
  a.flush();
  assert.deepEqual(loadState(dir).aggregate.subjects, {});
  a.handle({ kind: 'event', event: ev('uname') });
  a.flush();
  assert.equal(onlyProposal(dir).add[0]!.count, 4);
  rmSync(dir, { recursive: true });
});

test('a loss notice marks the proposals watched meanwhile as incomplete, and the mark survives a restart', () => {
  const { dir, engine } = setup();
  const a = engine();
  a.handle({ kind: 'event', event: ev('uname') });
  a.handle({ kind: 'loss', loss: { source: 'kmsg-ratelimit', count: 38, detail: 'kauditd_printk_skb: 38 callbacks suppressed' } });
  a.handle({ kind: 'loss', loss: { source: 'serial-gap', count: 40, detail: 'x', from: '2026-12-01T20:09:14.548Z', to: '2026-12-01T20:09:25.680Z' } });
  a.flush();
  const p = onlyProposal(dir) as unknown as { evidenceIncomplete?: { lostRecords: number; notices: number; sources: string[]; from: string } };
  assert.equal(p.evidenceIncomplete?.lostRecords, 78);
  assert.equal(p.evidenceIncomplete?.notices, 2);
  assert.deepEqual(p.evidenceIncomplete?.sources, ['kmsg-ratelimit', 'serial-gap']);
  assert.equal(p.evidenceIncomplete?.from, '2026-12-01T20:09:14.548Z');
  const b = engine();
  b.handle({ kind: 'event', event: ev('uname') });
  b.flush();
  assert.equal((onlyProposal(dir) as unknown as { evidenceIncomplete?: { lostRecords: number } }).evidenceIncomplete?.lostRecords, 78);
  rmSync(dir, { recursive: true, force: true });
});

test('no loss: no evidenceIncomplete field', () => {
  const { dir, engine } = setup();
  const a = engine();
  a.handle({ kind: 'event', event: ev('uname') });
  a.flush();
  assert.equal('evidenceIncomplete' in onlyProposal(dir), false);
  rmSync(dir, { recursive: true, force: true });
});
