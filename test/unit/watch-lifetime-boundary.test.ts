// Issue 23, the boundary between consecutive short-lived containers: container N's init exits and
// N+1 starts a few milliseconds later with the same (recycled) pid and mount namespace inodes.
// Every record of N's process goes to N or is reported, never to N+1, whatever order the watcher
// learns things in (the record before discovery, discovery before the witness, a retry later).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContainerIndex, Mapper, type ExitWitness } from '../../src/watch/mapper.js';
import { BootClock, type ProcIdentity } from '../../src/watch/proc.js';
import type { RegistryEntry } from '../../src/state/registry.js';

const BOOT = 1_700_000_000_000;
const clock = new BootClock(() => `${(Date.now() - BOOT) / 1000} 0`);
const at = (bootMs: number) => new Date(BOOT + bootMs).toISOString();
const HOST = { pidNs: 4026531836, mntNs: 4026531841 };
const PIDNS = 4026533000;
const MNTNS = 4026533001;
const ms = (n: number) => BigInt(Math.round(n * 1e6));

/** Container `id` whose init `pid` ran from `startMs` to `exitMs` (boot time), as the witness saw it. */
function life(id: string, pid: number, startMs: number, exitMs: number) {
  const witness: ExitWitness = { tgid: pid, pidNs: PIDNS, mntNs: MNTNS, startBootNs: ms(startMs), exitBootNs: ms(exitMs), exitCode: 0, comm: 'sh' };
  const proc: Omit<ProcIdentity, 'pid'> = { startTicks: Math.floor(startMs / 10), pidNs: PIDNS, mntNs: MNTNS, cgroupText: `0::/${id}\n` };
  // As discovery records it: the start to the tick (/proc, runc's state.json), no exit yet.
  const entry: RegistryEntry = { id, runtime: 'runc', initPid: pid, initStartTime: proc.startTicks, registeredAt: at(startMs), pidNs: PIDNS, mntNs: MNTNS, cgroup: `/${id}` };
  return { id, pid, witness, proc, entry };
}

/** A little world whose processes live and die, whose index learns containers, and a mapper over it. */
function world() {
  const alive = new Map<number, Omit<ProcIdentity, 'pid'>>();
  const exited = new Map<number, ExitWitness>();
  const index = new ContainerIndex([], clock, HOST);
  const mapper = new Mapper({
    index, host: HOST, clock,
    readProc: (pid) => (alive.has(pid) ? { pid, ...alive.get(pid)! } : undefined),
    witness: (pid) => exited.get(pid),
  });
  return {
    index, mapper,
    start(c: ReturnType<typeof life>) { alive.set(c.pid, c.proc); },
    exit(c: ReturnType<typeof life>) { alive.delete(c.pid); exited.set(c.pid, c.witness); },
    discover(c: ReturnType<typeof life>, extra: Partial<RegistryEntry> = {}) { index.upsert({ ...c.entry, ...extra }); },
    /** One of a live process's threads exited (runc's init exec'ing its workload): the witness knows its start. */
    threadExit(c: ReturnType<typeof life>, atMs: number) { exited.set(c.pid, { ...c.witness, exitBootNs: ms(atMs) }); },
    witnessOnly(x: ExitWitness) { exited.set(x.tgid, x); },
  };
}
const idOf = (a: ReturnType<Mapper['attribute']>) => (a.kind === 'container' ? a.entry.id : `${a.kind}${a.kind === 'unknown' ? `:${a.reason}` : ''}`);

test('a record held before discovery knew its container, attributed again after that container exited and the next one (same inodes) runs: its own, never the next', () => {
  // N lives 5.002 .. 5.006 s; N+1 starts at 5.043 s with N's recycled namespace inodes.
  const n = life('n', 7000, 5_002, 5_006);
  const n1 = life('n1', 7001, 5_043, 5_050);
  const w = world();
  w.start(n);
  const rec = { pid: n.pid, time: at(5_004) };
  // Read while N runs, before its state file was handed over: nobody's yet (the engine holds it).
  assert.equal(idOf(w.mapper.attribute(rec)), 'unknown:no-container');
  w.discover(n);
  w.exit(n);
  w.start(n1);
  w.discover(n1);
  // The retry: N's process is gone; what /proc said of it then is not judged against who runs now
  // (that named N+1, issue 23); its exit witness and N's lifetime decide.
  assert.equal(idOf(w.mapper.attribute(rec)), 'n');
  // And once N+1 has exited too (a catch-up long after): still N.
  w.exit(n1);
  w.discover(n, { stoppedAt: at(5_020) });
  w.discover(n1, { stoppedAt: at(5_060) });
  assert.equal(idOf(w.mapper.attribute(rec)), 'n');
});

test('N+1 started in the tick N started in: with its start known to the tick only, N\'s record is reported ambiguous; with its exact start, N\'s', () => {
  const n = life('n', 7000, 5_002, 5_006);
  const n1 = life('n1', 7001, 5_008, 5_012);
  const w = world();
  w.start(n);
  w.discover(n);
  w.exit(n);
  w.start(n1);
  w.discover(n1);
  const rec = { pid: n.pid, time: at(5_004) };
  // N+1's entry says "started in 5.000 .. 5.010 s", which holds N's process's start: N+1 might have
  // been a container sharing N's namespaces. Not a guess: reported.
  const a = w.mapper.attribute(rec);
  assert.equal(idOf(a), 'unknown:ambiguous');
  assert.deepEqual(a.kind === 'unknown' && a.candidates?.sort(), ['n', 'n1']);
  // runc's init is multi-threaded until it execs: its threads' exits give the witness N+1's exact start.
  w.threadExit(n1, 5_009);
  w.discover(n1);
  assert.equal(idOf(w.mapper.attribute(rec)), 'n');
});

test('N exits and N+1 starts in the same millisecond: records of both stamped in that millisecond go each to its own', () => {
  const n = life('n', 7000, 5_002.1, 5_006.2);
  const n1 = life('n1', 7001, 5_006.7, 5_030);
  const w = world();
  w.start(n);
  w.discover(n);
  w.exit(n);
  w.start(n1);
  w.threadExit(n1, 5_007);
  w.discover(n1);
  const recN = { pid: n.pid, time: at(5_006) };
  const recN1 = { pid: n1.pid, time: at(5_006) };
  // While N+1 runs (/proc for N+1, the witness for N), and after both are gone (witnesses only).
  assert.equal(idOf(w.mapper.attribute(recN)), 'n');
  assert.equal(idOf(w.mapper.attribute(recN1)), 'n1');
  w.exit(n1);
  w.discover(n1, { stoppedAt: at(5_040) });
  assert.equal(idOf(w.mapper.attribute(recN1)), 'n1');
  assert.equal(idOf(w.mapper.attribute(recN)), 'n');
});

test('a record of N+1 held before discovery knew N+1 goes to N+1 once known, never to N (stopped, same inodes)', () => {
  const n = life('n', 7000, 5_002, 5_006);
  const n1 = life('n1', 7001, 5_043, 5_050);
  const w = world();
  w.start(n);
  w.discover(n);
  w.exit(n);
  w.start(n1);
  const rec = { pid: n1.pid, time: at(5_045) };
  // N is known and its inode matches, but its init is gone: not N's; N+1 not known yet.
  assert.equal(idOf(w.mapper.attribute(rec)), 'unknown:no-container');
  w.exit(n1);
  assert.equal(idOf(w.mapper.attribute(rec)), 'unknown:no-container');
  w.discover(n1);
  assert.equal(idOf(w.mapper.attribute(rec)), 'n1');
});

test('N\'s init exit not witnessed (evicted): N+1\'s records still N+1\'s; N\'s own are reported, never N+1\'s', () => {
  const n = life('n', 7000, 5_002, 5_006);
  const n1 = life('n1', 7001, 5_043, 5_050);
  const w = world();
  w.discover(n, { stoppedAt: at(5_020) });
  w.exit(n1);
  w.discover(n1, { stoppedAt: at(5_060) });
  // A process of N that was witnessed (N's init's own entry is gone, say: another pid of N).
  const other = { ...n.witness, tgid: 7005, startBootNs: ms(5_003), exitBootNs: ms(5_005) };
  w.witnessOnly(other);
  assert.equal(idOf(w.mapper.attribute({ pid: n1.pid, time: at(5_045) })), 'n1');
  assert.equal(idOf(w.mapper.attribute({ pid: 7005, time: at(5_004) })), 'unknown:ambiguous');
});
