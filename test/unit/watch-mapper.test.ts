import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContainerIndex, Mapper, type ExitWitness } from '../../src/watch/mapper.js';
import { BootClock, nsInode, type ProcIdentity } from '../../src/watch/proc.js';
import { startTicksFromStat } from '../../src/proc/stat.js';
import type { RegistryEntry } from '../../src/state/registry.js';

// Boot at wall time 1_700_000_000_000 ms: uptime 1000 s read "now".
const BOOT = 1_700_000_000_000;
const clock = new BootClock(() => `${(Date.now() - BOOT) / 1000} 0`);
const at = (bootMs: number) => new Date(BOOT + bootMs).toISOString();
const HEX = 'c'.repeat(64);

const entry = (id: string, o: Partial<RegistryEntry>): RegistryEntry => ({
  id, runtime: 'runc', initPid: 100, initStartTime: 100, registeredAt: at(0), ...o,
});
const A = entry('alpha', { pidNs: 5001, mntNs: 6001, cgroup: '/alpha' });
const B = entry('beta', { pidNs: 5002, mntNs: 6002, cgroup: '/machine.slice/beta' });
const S1 = entry('shared1', { pidNs: 5003, mntNs: 6003 });
const S2 = entry('shared2', { pidNs: 5003, mntNs: 6004 });
const P = entry(HEX, { runtime: 'podman' });
// A container run with the host's pid namespace (podman --pid=host): found by its mount namespace only.
const HOSTPID = entry('hostpid', { pidNs: 4026531836, mntNs: 6010 });
const OLD = entry('old', { pidNs: 5009, mntNs: 6009, stoppedAt: at(1000) });

function mapper(procs: Record<number, Omit<ProcIdentity, 'pid'>>, witness?: Record<number, ExitWitness>, extra: RegistryEntry[] = []) {
  return new Mapper({
    index: new ContainerIndex([A, B, S1, S2, P, OLD, HOSTPID, ...extra], clock, { pidNs: 4026531836, mntNs: 4026531841 }),
    host: { pidNs: 4026531836, mntNs: 4026531841 },
    // The entries' inits (pid 100, started at tick 100) are alive unless a test says otherwise.
    readProc: (pid) => (procs[pid] ? { pid, ...procs[pid]! } : pid === 100 ? { pid, startTicks: 100, pidNs: 1, cgroupText: '' } : undefined),
    witness: witness ? (pid) => witness[pid] : undefined,
    clock,
  });
}
const ev = (pid: number, bootMs: number) => ({ pid, time: at(bootMs) });

test('pid namespace names the container', () => {
  const m = mapper({ 7: { startTicks: 500, pidNs: 5001, mntNs: 6001, cgroupText: '0::/\n' } });
  const r = m.attribute(ev(7, 10_000));
  assert.equal(r.kind, 'container');
  assert.equal(r.kind === 'container' && r.entry.id, 'alpha');
});

test('a shared pid namespace is resolved by the mount namespace', () => {
  const m = mapper({ 7: { startTicks: 500, pidNs: 5003, mntNs: 6004, cgroupText: '' } });
  const r = m.attribute(ev(7, 10_000));
  assert.equal(r.kind === 'container' && r.entry.id, 'shared2');
});

test('cgroup path under a registered cgroup (process unshared its namespaces)', () => {
  const m = mapper({ 7: { startTicks: 500, pidNs: 9999, mntNs: 9998, cgroupText: '4:memory:/machine.slice/beta/sub\n0::/\n' } });
  const r = m.attribute(ev(7, 10_000));
  assert.equal(r.kind === 'container' && r.entry.id, 'beta');
  assert.equal(r.kind === 'container' && r.via, 'cgroup-path');
});

// Issue 12, attack 1: a user names a cgroup of its delegated subtree after a container.
test('a host process whose cgroup is named after a container is the host', () => {
  const m = mapper({ 7: { startTicks: 500, pidNs: 4026531836, mntNs: 4026531841, cgroupText: `0::/machine.slice/libpod-${HEX}.scope/container\n` } });
  assert.equal(m.attribute(ev(7, 10_000)).kind, 'host');
});

test('an unshared process in a user-owned cgroup named after a container is not that container', () => {
  for (const cg of [`8:pids:/st-deleg/libpod-${HEX}\n0::/\n`, `0::/user.slice/user-1000.slice/user@1000.service/app.slice/libpod-${HEX}.scope\n`]) {
    const m = mapper({ 7: { startTicks: 500, pidNs: 7777, mntNs: 7778, cgroupText: cg } });
    assert.equal(m.attribute(ev(7, 10_000)).kind, 'unknown', cg);
  }
  // A registry entry whose cgroup lies in a user's subtree proves nothing either.
  const U = entry('inuser', { pidNs: 5050, mntNs: 6050, cgroup: '/user.slice/user-1000.slice/session-3.scope' });
  const m = mapper({ 7: { startTicks: 500, pidNs: 7777, mntNs: 7778, cgroupText: '0::/user.slice/user-1000.slice/session-3.scope/x\n' } }, undefined, [U]);
  assert.equal(m.attribute(ev(7, 10_000)).kind, 'unknown');
});

test('cgroup id names a registered podman container', () => {
  const m = mapper({ 7: { startTicks: 500, pidNs: 1, mntNs: 2, cgroupText: `0::/machine.slice/libpod-${HEX}.scope/container\n` } });
  const r = m.attribute(ev(7, 10_000));
  assert.equal(r.kind === 'container' && r.via, 'cgroup-id');
});

test('cgroup id of an unknown container is reported as unregistered', () => {
  const id = 'd'.repeat(64);
  const m = mapper({ 7: { startTicks: 500, pidNs: 1, mntNs: 2, cgroupText: `0::/system.slice/docker-${id}.scope\n` } });
  assert.deepEqual(m.attribute(ev(7, 10_000)), { kind: 'unregistered', id, engine: 'docker' });
});

test('host process (own mount namespace, host pid namespace) is host', () => {
  const m = mapper({ 7: { startTicks: 500, pidNs: 4026531836, mntNs: 4026532000, cgroupText: '0::/system.slice/x.service\n' } });
  assert.deepEqual(m.attribute(ev(7, 10_000)), { kind: 'host' });
});

test('a pid reused after the event is not attributed', () => {
  // The process now at pid 7 started at boot+20 s; the record is from boot+10 s.
  const m = mapper({ 7: { startTicks: 2000, pidNs: 5001, mntNs: 6001, cgroupText: '' } });
  const r = m.attribute(ev(7, 10_000));
  assert.equal(r.kind, 'unknown');
});

test('a gone process with no witness is unknown, not guessed', () => {
  assert.equal(mapper({}).attribute(ev(7, 10_000)).kind, 'unknown');
});

test('a killed process is attributed by the exit witness', () => {
  const w: ExitWitness = { tgid: 7, mntNs: 6002, pidNs: 5002, startBootNs: 9_000_000_000n, exitBootNs: 10_002_000_000n, exitCode: 31, comm: 'uname' };
  const r = mapper({}, { 7: w }).attribute(ev(7, 10_001));
  assert.equal(r.kind === 'container' && r.entry.id, 'beta');
  assert.equal(r.kind === 'container' && r.via, 'witness');
});

test('a witness of a process that exited before the event, or started after it, does not count', () => {
  const w: ExitWitness = { tgid: 7, mntNs: 6002, pidNs: 5002, startBootNs: 9_000_000_000n, exitBootNs: 10_000_000_000n, exitCode: 0, comm: 'x' };
  assert.equal(mapper({}, { 7: w }).attribute(ev(7, 60_000)).kind, 'unknown');
  assert.equal(mapper({}, { 7: w }).attribute(ev(7, 5_000)).kind, 'unknown');
});

test('a zombie (no namespaces left in /proc) is attributed by its witness', () => {
  const w: ExitWitness = { tgid: 7, mntNs: 6001, pidNs: 5001, startBootNs: 5_000_000_000n, exitBootNs: 10_002_000_000n, exitCode: 0, comm: 'x' };
  const r = mapper({ 7: { startTicks: 500, cgroupText: '' } }, { 7: w }).attribute(ev(7, 10_000));
  assert.equal(r.kind === 'container' && r.entry.id, 'alpha');
});

test('a live process in a stopped container\'s namespace inode is not that container\'s (the inode was reused)', () => {
  const m = mapper({ 7: { startTicks: 100, pidNs: 5009, mntNs: 6009, cgroupText: '' } });
  assert.equal(m.attribute(ev(7, 60_000)).kind, 'unknown');
  assert.equal(m.attribute(ev(7, 1_500)).kind, 'unknown');
});

test('/proc parsing helpers', () => {
  const stat = '1234 (a) b) (c) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10';
  assert.equal(startTicksFromStat(stat), 987654);
  assert.equal(nsInode('mnt:[4026531841]'), 4026531841);
  assert.equal(nsInode('garbage'), undefined);
});

test('recycled namespace inodes: the container whose lifetime holds the process\'s start', () => {
  // "old2" (boot+1 s .. 8.7 s) stopped a moment ago; "new2" got the same inodes when it started at boot+9 s.
  const old2 = entry('old2', { pidNs: 7001, mntNs: 8001, initPid: 200, initStartTime: 100, exitBootUs: 8_700_000, stoppedAt: at(9_000) });
  const new2 = entry('new2', { pidNs: 7001, mntNs: 8001, initPid: 201, initStartTime: 900 });
  const m = mapper({ 7: { startTicks: 950, pidNs: 7001, mntNs: 8001, cgroupText: '' }, 201: { startTicks: 900, pidNs: 7001, cgroupText: '' } }, undefined, [old2, new2]);
  const r = m.attribute(ev(7, 10_000));
  assert.equal(r.kind === 'container' && r.entry.id, 'new2');
  // A process that started (and logged) before new2 started is old2's, however late its record is read.
  const early = { tgid: 7, mntNs: 8001, pidNs: 7001, startBootNs: 1_500_000_000n, exitBootNs: 8_600_000_000n, exitCode: 0, comm: 'x' };
  const m2 = mapper({ 201: { startTicks: 900, pidNs: 7001, cgroupText: '' } }, { 7: early }, [old2, new2]);
  const r2 = m2.attribute(ev(7, 8_500));
  assert.equal(r2.kind === 'container' && r2.entry.id, 'old2');
  // A process of new2 that exited: new2's, although old2 ran with the same inodes.
  const late = { tgid: 8, mntNs: 8001, pidNs: 7001, startBootNs: 9_500_000_000n, exitBootNs: 9_600_000_000n, exitCode: 0, comm: 'x' };
  const r3 = mapper({ 201: { startTicks: 900, pidNs: 7001, cgroupText: '' } }, { 8: late }, [old2, new2]).attribute(ev(8, 9_550));
  assert.equal(r3.kind === 'container' && r3.entry.id, 'new2');
  // old2's exit unknown (stopped, its init's witness gone): a process that started after old2 did
  // may be old2's or a missed container's; reported as ambiguous, never guessed.
  const { exitBootUs: _x, ...old2NoExit } = old2;
  const r4 = mapper({}, { 7: early }, [old2NoExit]).attribute(ev(7, 8_500));
  assert.equal(r4.kind === 'unknown' && r4.reason, 'ambiguous');
});

test('a short-lived container\'s init, witnessed: its exact start settles the tick its registry entry had', () => {
  // The init (pid 300) started at boot+5.004 s; the registry has tick 500 (5.00 .. 5.01 s).
  const c = entry('short', { pidNs: 7100, mntNs: 8100, initPid: 300, initStartTime: 500, stoppedAt: at(5_100) });
  const init = { tgid: 300, mntNs: 8100, pidNs: 7100, startBootNs: 5_004_000_000n, exitBootNs: 5_006_000_000n, exitCode: 0, comm: 'uname' };
  const r = mapper({}, { 300: init }, [c]).attribute(ev(300, 5_005));
  assert.equal(r.kind === 'container' && r.entry.id, 'short');
  // The next container with the same inodes, started 30 ms later, gets none of it, and its own.
  const next = entry('next', { pidNs: 7100, mntNs: 8100, initPid: 301, initStartTime: 503, stoppedAt: at(5_100) });
  const init2 = { tgid: 301, mntNs: 8100, pidNs: 7100, startBootNs: 5_036_000_000n, exitBootNs: 5_038_000_000n, exitCode: 0, comm: 'uname' };
  const m = mapper({}, { 300: init, 301: init2 }, [c, next]);
  const r1 = m.attribute(ev(300, 5_005));
  const r2 = m.attribute(ev(301, 5_037));
  assert.equal(r1.kind === 'container' && r1.entry.id, 'short');
  assert.equal(r2.kind === 'container' && r2.entry.id, 'next');
});

test('a host-pid-namespace container claims its own mount namespace, not every host process', () => {
  const m = mapper({
    7: { startTicks: 500, pidNs: 4026531836, mntNs: 6010, cgroupText: '' },
    8: { startTicks: 500, pidNs: 4026531836, mntNs: 4026531841, cgroupText: '0::/\n' },
  });
  const r = m.attribute(ev(7, 10_000));
  assert.equal(r.kind === 'container' && r.entry.id, 'hostpid');
  assert.deepEqual(m.attribute(ev(8, 10_000)), { kind: 'host' });
});

test('/proc is read once per pid for records stamped before the read, again for later ones', () => {
  let reads = 0;
  const m = new Mapper({
    index: new ContainerIndex([A], clock),
    host: { pidNs: 4026531836 },
    readProc: (pid) => (pid === 100 ? { pid, startTicks: 100, pidNs: 5001, cgroupText: '' } : (reads++, { pid, startTicks: 500, pidNs: 5001, mntNs: 6001, cgroupText: '' })),
    clock,
  });
  for (let i = 0; i < 100; i++) assert.equal(m.attribute(ev(7, 10_000 + i)).kind, 'container');
  assert.equal(reads, 1);
  // A record stamped after the read may come from a new process that reuses the pid: read again.
  m.attribute({ pid: 7, time: new Date(Date.now() + 1000).toISOString() });
  assert.equal(reads, 2);
});

test('issue 23: a record read after the next container took its namespace inode stays its own container\'s', () => {
  // Container "first" (init pid 400, started boot+5.000 s) logs at boot+5.010 s; its process is
  // read from /proc while it lives. It exits at boot+5.020 s; "second" gets the same inodes at
  // boot+5.050 s. More records of the first process, stamped before that /proc read, are read now.
  const first = entry('first', { pidNs: 7200, mntNs: 8200, initPid: 400, initStartTime: 500 });
  const procs: Record<number, Omit<ProcIdentity, 'pid'> | undefined> = { 400: { startTicks: 500, pidNs: 7200, mntNs: 8200, cgroupText: '' } };
  const initWitness: ExitWitness = { tgid: 400, mntNs: 8200, pidNs: 7200, startBootNs: 5_000_000_000n, exitBootNs: 5_020_000_000n, exitCode: 0, comm: 'sh' };
  const witness: Record<number, ExitWitness> = {};
  const index = new ContainerIndex([first], clock, { pidNs: 4026531836, mntNs: 4026531841 });
  const m = new Mapper({
    index, host: { pidNs: 4026531836, mntNs: 4026531841 }, clock,
    readProc: (pid) => (procs[pid] ? { pid, ...procs[pid]! } : undefined),
    witness: (pid) => witness[pid],
  });
  // Stamped "now" so that the /proc read comes after it (the read is what the cache keys on).
  const now = Date.now();
  const rec = { pid: 400, time: new Date(now).toISOString() };
  const a1 = m.attribute(rec);
  assert.equal(a1.kind === 'container' && a1.entry.id, 'first');
  // The first container ends; the second starts with the same inodes (its init alive).
  delete procs[400];
  witness[400] = initWitness;
  index.upsert({ ...first, stoppedAt: new Date(now + 10).toISOString() });
  const second = entry('second', { pidNs: 7200, mntNs: 8200, initPid: 401, initStartTime: 505 });
  procs[401] = { startTicks: 505, pidNs: 7200, mntNs: 8200, cgroupText: '' };
  index.upsert(second);
  // The same stamp again (a record of the first process read late): never the second container.
  const a2 = m.attribute(rec);
  assert.notEqual(a2.kind === 'container' && a2.entry.id, 'second', 'a late record of the first container went to the next one');
});
