// The recorder, loaded into the running kernel: exact sets, process trees across namespaces,
// isolation between targets, arch classification, and a clean detach.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Tracer, objectVersion } from '../../src/record/tracer.js';
import * as L from '../../src/record/tracer-layout.js';
import { BpfMap } from '../../src/native/ebpf.js';
import { recordCommand } from '../../src/record/record-command.js';
import { assertTracerCanRun } from '../../src/record/environment.js';
import { EnvironmentError } from '../../src/errors.js';
import { KNOWN, compatEntrySkip, knownSyscallsBinary, rootOnly } from '../helpers/known-syscalls.js';

let tracer: Tracer;
let ks: string;

before(() => {
  if (rootOnly) return;
  ks = knownSyscallsBinary();
  tracer = Tracer.load();
});
after(() => tracer?.close());

const namesOf = (calls: Array<{ arch: string; name: string }>, arch: string) =>
  calls.filter((c) => c.arch === arch).map((c) => c.name).sort();

test('records exactly the syscalls a child makes after its execve', { skip: rootOnly }, async () => {
  const rec = await recordCommand(ks, [], { tracer, stdio: 'ignore' });
  assert.deepEqual(namesOf(rec.calls, 'x86_64'), [...KNOWN.plain]);
  assert.deepEqual(rec.calls.filter((c) => c.arch !== 'x86_64'), []);
  assert.equal(rec.state.execs, 1);
  assert.equal(rec.state.liveTasks, 0);
  assert.equal(rec.exit.code, 0);
});

test('a compat (int 0x80) call is named from the i386 table, under arch x86', { skip: rootOnly || compatEntrySkip() }, async () => {
  const rec = await recordCommand(ks, ['c'], { tracer, stdio: 'ignore' });
  assert.deepEqual(namesOf(rec.calls, 'x86'), ['getpid']);
  assert.equal(rec.calls.find((c) => c.arch === 'x86')?.nr, 20);
  assert.deepEqual(namesOf(rec.calls, 'x86_64'), [...KNOWN.plain]);
  assert.ok(rec.profile.architectures?.includes('SCMP_ARCH_X86'));
});

test('x32 numbers are classified as x32; -1 and numbers past every table never leak out', { skip: rootOnly }, async () => {
  const rec = await recordCommand(ks, ['b'], { tracer, stdio: 'ignore' });
  assert.deepEqual(namesOf(rec.calls, 'x32'), ['getpid']);
  assert.deepEqual(namesOf(rec.calls, 'x86_64'), [...KNOWN.plain]);
  assert.equal(rec.state.dropped, 2);
  assert.equal(rec.unknown.length, 0);
  assert.ok(rec.calls.every((c) => c.nr >= 0 && c.nr < 1024));
});

test('a grandchild in new mount and pid namespaces (unshare -m -p -f) is still recorded', { skip: rootOnly }, async () => {
  const rec = await recordCommand('/bin/sh', ['-c', `unshare -m -p -f ${ks} b; true`], { tracer, stdio: 'ignore' });
  // Only the grandchild makes an x32 call (seen at sys_enter whether or not the kernel runs x32):
  // seeing it proves the tree was followed.
  assert.deepEqual(namesOf(rec.calls, 'x32'), ['getpid']);
  assert.ok(namesOf(rec.calls, 'x86_64').includes('unshare'));
  assert.ok(rec.state.forks >= 2, `forks ${rec.state.forks}`);
});

test('threads are followed too', { skip: rootOnly }, async () => {
  // perl is not threaded here; node is: its worker thread's calls carry into the record.
  const rec = await recordCommand(process.execPath, ['-e', 'new (require("worker_threads").Worker)("require(\'fs\').statSync(\'/\')", {eval:true})'], { tracer, stdio: 'ignore' });
  assert.ok(rec.state.forks >= 2, `threads created: ${rec.state.forks}`);
  assert.equal(rec.state.liveTasks, 0);
});

test('a process outside the tree is not recorded, and two concurrent targets do not mix', { skip: rootOnly }, async () => {
  // Where int 0x80 faults (compat entry off) the outsider dies at that call: still an outsider.
  const outsider = setInterval(() => spawnSync(ks, ['c'], { stdio: 'ignore' }), 5);
  try {
    const [a, b] = await Promise.all([
      recordCommand('/bin/sh', ['-c', `sleep 0.2; exec ${ks} b`], { tracer, stdio: 'ignore' }),
      recordCommand('/bin/sh', ['-c', 'sleep 0.2; exec /bin/true'], { tracer, stdio: 'ignore' }),
    ]);
    // The outsider makes compat calls all the time: neither target may have any.
    assert.deepEqual(namesOf(a.calls, 'x86'), []);
    assert.deepEqual(namesOf(b.calls, 'x86'), []);
    // Only `a` ran the x32 call.
    assert.deepEqual(namesOf(a.calls, 'x32'), ['getpid']);
    assert.deepEqual(namesOf(b.calls, 'x32'), []);
  } finally {
    clearInterval(outsider);
  }
});

test('syscalls before the first execve (the shell that waits) are not in the workload phase', { skip: rootOnly }, async () => {
  const target = tracer.claim();
  try {
    const rec = await recordCommand(ks, [], { tracer, stdio: 'ignore' });
    // The waiting shell's `read` is phase 0; the workload never reads.
    assert.ok(!namesOf(rec.calls, 'x86_64').includes('read'));
  } finally {
    target.release();
  }
});

const progIds = (): number[] =>
  (JSON.parse(execFileSync('bpftool', ['-j', 'prog', 'show']).toString()) as Array<{ id: number; name: string }>)
    .filter((p) => ['on_sys_enter', 'on_fork', 'on_exec', 'on_exit'].includes(p.name)).map((p) => p.id);

async function eventually(check: () => boolean, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

test('after close() nothing stays attached', { skip: rootOnly }, async () => {
  const beforeIds = new Set(progIds());
  const t = Tracer.load();
  const mine = progIds().filter((id) => !beforeIds.has(id));
  assert.equal(mine.length, 4);
  t.close();
  t.close(); // idempotent
  assert.ok(await eventually(() => progIds().every((id) => !mine.includes(id))), 'programs still loaded after close()');
});

test('the shared tracer pins itself, is reused in milliseconds, and unloads cleanly', { skip: rootOnly }, async () => {
  const pinRoot = mkdtempSync('/sys/fs/bpf/st-test-');
  rmSync(pinRoot, { recursive: true });
  const beforeIds = new Set(progIds());
  try {
    const first = Tracer.shared(pinRoot);
    first.close();
    const mine = progIds().filter((id) => !beforeIds.has(id));
    assert.equal(mine.length, 4, 'pinned programs stay attached with no process holding them');
    const t0 = performance.now();
    const again = Tracer.shared(pinRoot);
    const target = again.claim();
    const ms = performance.now() - t0;
    target.release();
    again.close();
    assert.ok(ms < 50, `re-open + claim took ${ms.toFixed(1)} ms`);
    assert.ok(Tracer.unloadShared(pinRoot));
    assert.ok(await eventually(() => progIds().every((id) => !mine.includes(id))), 'programs still loaded after unload');
  } finally {
    rmSync(pinRoot, { recursive: true, force: true });
  }
});

test('a claim survives in another handle and slots are reused after release', { skip: rootOnly }, () => {
  const idle = tracer.activeSlots();
  const a = tracer.claim(12345);
  assert.equal(tracer.owner(a.slot)?.pid, 12345);
  assert.equal(tracer.activeSlots(), idle + 1);
  const again = tracer.target(a.slot, a.generation);
  assert.equal(again.slot, a.slot);
  a.release();
  assert.equal(tracer.activeSlots(), idle);
  assert.throws(() => tracer.target(a.slot, a.generation), /no longer claimed/);
  const b = tracer.claim();
  assert.equal(b.slot, a.slot);
  assert.notEqual(b.generation, a.generation);
  b.release();
});

test('missing BTF, privileges or kernel support are one clear sentence', () => {
  const ok = { kernelRelease: '6.1.0', btfPath: '/', euid: 0, capEff: 0n };
  assert.throws(() => assertTracerCanRun('x', { ...ok, btfPath: '/nonexistent' }), (e: unknown) => e instanceof EnvironmentError && /no BTF/.test(e.message));
  assert.throws(() => assertTracerCanRun('record', { ...ok, euid: 1000 }), (e: unknown) => e instanceof EnvironmentError && e.code === 'ENV_NOT_PRIVILEGED' && /record needs root/.test(e.message));
  assert.doesNotThrow(() => assertTracerCanRun('x', { ...ok, euid: 1000, capEff: (1n << 38n) | (1n << 39n) }));
  assert.throws(() => assertTracerCanRun('x', { ...ok, kernelRelease: '4.19.0' }), (e: unknown) => e instanceof EnvironmentError && e.code === 'ENV_KERNEL_TOO_OLD');
});

test('not root: the CLI says so in one line, no stack trace', { skip: rootOnly }, () => {
  const dir = mkdtempSync(join('/tmp', 'st-np-'));
  try {
    let stderr = '';
    let status = 0;
    try {
      execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', 'node', 'bin/seccomp-tailor', 'record', '--', '/bin/true'], { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      const err = e as { status: number; stderr: Buffer };
      status = err.status;
      stderr = err.stderr.toString();
    }
    assert.equal(status, 1);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
    assert.match(stderr, /needs root \(or CAP_BPF and CAP_PERFMON\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('unload --if-idle keeps a tracer that is recording, unloads an idle one, and a racing claim notices', { skip: rootOnly }, async () => {
  const pinRoot = mkdtempSync('/sys/fs/bpf/st-idle-');
  rmSync(pinRoot, { recursive: true });
  const beforeIds = new Set(progIds());
  try {
    const a = Tracer.shared(pinRoot);
    const target = a.claim();
    const mine = progIds().filter((id) => !beforeIds.has(id));
    assert.equal(mine.length, 4);
    assert.deepEqual(Tracer.unloadIfIdle(pinRoot).unloaded, []);
    assert.equal(progIds().filter((id) => mine.includes(id)).length, 4, 'a recording tracer stays attached');
    target.release();

    // A hook that opened the pins just before an unload: its claim must not land in a tracer
    // that is no longer attached.
    const late = Tracer.shared(pinRoot);
    assert.equal(Tracer.unloadIfIdle(pinRoot).unloaded.length, 1);
    assert.throws(() => late.claim(), (e: unknown) => (e as { code?: string }).code === 'TRACER_UNLOADED');
    assert.equal(late.activeSlots(), 0, 'the refused claim was released');
    late.close();
    a.close();
    assert.ok(await eventually(() => progIds().every((id) => !mine.includes(id))), 'an idle tracer was left attached');

    const again = Tracer.shared(pinRoot);
    const t2 = again.claim();
    assert.ok(t2.slot >= 0, 'the next claim loads it again');
    t2.release();
    again.close();
  } finally {
    Tracer.unloadShared(pinRoot);
  }
});

test('1024 targets at once: every slot claimable, the limit is exact, and the gate closes after', { skip: rootOnly }, () => {
  const { MAX_TARGETS } = L;
  const idle = tracer.activeSlots();
  const gate0 = tracer.gateCount();
  const limited = [] as ReturnType<Tracer['claim']>[];
  for (let i = 0; i < 5; i++) limited.push(tracer.claim(process.pid, idle + 5));
  assert.throws(() => tracer.claim(process.pid, idle + 5), (e: unknown) => (e as { code?: string }).code === 'TRACER_FULL' && /all \d+ recording slots are in use \(hook.json maxRecordings\)/.test((e as Error).message));
  const all = [...limited];
  while (all.length + idle < MAX_TARGETS) all.push(tracer.claim());
  assert.throws(() => tracer.claim(), (e: unknown) => (e as { code?: string }).code === 'TRACER_FULL');
  assert.equal(tracer.activeSlots(), MAX_TARGETS);
  assert.equal(tracer.gateCount(), gate0 + BigInt(MAX_TARGETS - idle));
  assert.equal(new Set(all.map((t) => t.slot)).size, all.length);
  for (const t of all) t.release();
  assert.equal(tracer.activeSlots(), idle);
  assert.equal(tracer.gateCount(), gate0);
});

test('the layout in tracer-layout.ts is the object\'s', { skip: rootOnly }, () => {
  const pinRoot = mkdtempSync('/sys/fs/bpf/st-layout-');
  rmSync(pinRoot, { recursive: true });
  const t = Tracer.shared(pinRoot);
  t.close();
  try {
    const dir = join(pinRoot, objectVersion());
    const info = (m: string) => {
      const map = BpfMap.openPinned(join(dir, m));
      try { return map.info; } finally { map.close(); }
    };
    assert.equal(info('targets').valueSize, L.TARGET_STATE_BYTES);
    assert.equal(info('targets').maxEntries, L.MAX_TARGETS);
    assert.equal(info('control').valueSize, L.CONTROL_ACTIVE_OFFSET + L.MAX_TARGETS);
    assert.equal(info('arg_sets').valueSize, L.ARG_SET_BYTES);
    assert.equal(info('first_seen').maxEntries, L.FIRST_SEEN_ENTRIES);
    assert.equal(info('target_owners').valueSize, L.OWNER_BYTES);
  } finally {
    Tracer.unloadShared(pinRoot);
  }
});
