// Issue 19 item 6: numbers outside an arch's syscall table cannot grow the watcher. A generated
// audit log of 300,000 distinct out-of-table numbers goes through the real parser (libseccomp
// resolving names) into the engine: one "#unknown" tally with its count and a few examples, a state
// file of a few KiB, and heap growth of a few MiB. A state written by an older version (one tally
// per number) is folded on load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createLineParser } from '../../parsers/index.js';
import { syscallName } from '../../src/native/libseccomp.js';
import { memoResolver } from '../../src/watch/syscall-resolver.js';
import { WatchEngine } from '../../src/watch/engine.js';
import type { Mapper } from '../../src/watch/mapper.js';
import { ProfileCache } from '../../src/watch/profile-cache.js';
import type { RegistryEntry } from '../../src/state/registry.js';
import { loadState, watchStatePath } from '../../src/watch/state-store.js';
import { MAX_UNKNOWN_EXAMPLES, UNKNOWN_SYSCALL } from '../../src/watch/aggregator.js';

const N = 300_000;
// Heap is measured after a full collection on both sides: garbage of the parse is not growth.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'st-unknown-'));
  const profilePath = join(dir, 'p.json');
  writeFileSync(profilePath, JSON.stringify({ defaultAction: 'SCMP_ACT_LOG', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] }));
  const entry: RegistryEntry = { id: 'c1', runtime: 'runc', initPid: 1, initStartTime: 1, profilePath, registeredAt: new Date().toISOString() };
  const mapper = { attribute: () => ({ kind: 'container', entry, via: 'pid-ns' }) } as unknown as Mapper;
  const engine = () => new WatchEngine({ stateDir: dir, mapper, profiles: new ProfileCache([dir]), isRejected: () => false, log: pino({ level: 'silent' }), flushIntervalMs: 60_000 }, loadState(dir));
  return { dir, engine };
}

test(`${N} distinct out-of-table syscall numbers: one bounded tally, a small state, little memory`, () => {
  const { dir, engine } = setup();
  try {
    const e = engine();
    const parser = createLineParser({ resolveSyscall: memoResolver(syscallName) });
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    for (let i = 0; i < N; i++) {
      const line = `type=SECCOMP msg=audit(1700000000.${String(i % 1000).padStart(3, '0')}:${1000 + i}): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=7 comm="w" exe="/w" sig=0 arch=c000003e syscall=${1000 + i} compat=0 ip=0x4 code=0x7ffc0000`;
      e.handle(parser.push(line));
    }
    e.setCheckpoint('file:/x', { kind: 'file', path: '/x', dev: 1, ino: 2, offset: 1 });
    e.flush();
    gc();
    const heapMB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    const stateBytes = statSync(watchStatePath(dir)).size;
    const subjects = Object.values(loadState(dir).aggregate.subjects) as Array<{ tallies: Record<string, { syscall: string; count: number; examples?: number[] }> }>;
    assert.equal(subjects.length, 1);
    const tallies = Object.values(subjects[0]!.tallies);
    assert.deepEqual(tallies.map((t) => t.syscall), [UNKNOWN_SYSCALL]);
    assert.equal(tallies[0]!.count, N);
    assert.deepEqual(tallies[0]!.examples, Array.from({ length: MAX_UNKNOWN_EXAMPLES }, (_, i) => 1000 + i));
    // Stated bounds (README): the state stays a few KiB, the heap grows by a few MiB at most.
    assert.ok(stateBytes < 8 * 1024, `state.json ${stateBytes} bytes`);
    assert.ok(heapMB < 16, `heap grew ${heapMB.toFixed(1)} MiB`);
    process.stderr.write(`# ${N} distinct unknown numbers: state.json ${stateBytes} bytes, heap +${heapMB.toFixed(1)} MiB\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a state from an older version with one tally per unknown number is folded into one on load', () => {
  const { dir, engine } = setup();
  try {
    const tallies: Record<string, unknown> = {};
    for (let i = 0; i < 1000; i++) tallies[`x86_64/#${5000 + i}`] = { arch: 'x86_64', syscall: `#${5000 + i}`, nr: 5000 + i, count: 2, firstSeen: '2026-01-01T00:00:00.000Z', lastSeen: '2026-01-01T00:00:01.000Z', comm: ['w'], exe: ['/w'], actions: ['log'] };
    tallies['x86_64/uname'] = { arch: 'x86_64', syscall: 'uname', nr: 63, count: 3, firstSeen: '2026-01-01T00:00:00.000Z', lastSeen: '2026-01-01T00:00:01.000Z', comm: ['w'], exe: ['/w'], actions: ['log'] };
    const subject = { id: 'p1', profilePath: join(dir, 'p.json'), tallies, containers: {}, others: { containers: 0, count: 0, ids: [] } };
    mkdirSync(join(dir, 'watch'), { recursive: true });
    writeFileSync(watchStatePath(dir), JSON.stringify({ version: 1, checkpoints: {}, aggregate: { subjects: { p1: subject } }, savedAt: new Date(0).toISOString() }));
    const e = engine();
    e.setCheckpoint('file:/x', { kind: 'file', path: '/x', dev: 1, ino: 2, offset: 1 });
    e.flush();
    const saved = JSON.parse(readFileSync(watchStatePath(dir), 'utf8')) as { aggregate: { subjects: Record<string, { tallies: Record<string, { count: number; examples?: number[] }> }> } };
    const t = saved.aggregate.subjects.p1!.tallies;
    assert.deepEqual(Object.keys(t).sort(), ['x86_64/#unknown', 'x86_64/uname']);
    assert.equal(t['x86_64/#unknown']!.count, 2000);
    assert.equal(t['x86_64/#unknown']!.examples!.length, MAX_UNKNOWN_EXAMPLES);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
