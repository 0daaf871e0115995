// Issue 14 at the scale of a node: 200 recorded busybox containers under runc alive at once
// (they wait on a barrier, so they overlap for certain), 200 identical profiles, nothing
// leaked; one more beyond a lowered maxRecordings follows onFailure with a line the person who
// started it sees, and is counted where the watcher and `status` look.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, mkdirSync, openSync, readFileSync, readdirSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { claimedSlots, hookLog, isRoot, makeHookEnv, runStateFiles, strayHookProcesses, type HookEnv } from '../helpers/hook-env.js';
import { makeRootfs, writeBundleConfig } from '../helpers/oci-bundle.js';
import { TRACE_ANNOTATION } from '../../src/oci/annotation.js';
import { listRefusals, refusalNames } from '../../src/state/refused.js';
import { DEFAULT_PIN_ROOT } from '../../src/record/tracer.js';
import { packagePath } from '../../src/native/package-root.js';

const skip = isRoot ? false : 'needs root (eBPF, runc)';
const N = Number(process.env.ST_SCALE_N ?? 200);
// Starts in flight at once: enough to overlap, few enough that 2 cores are not swamped.
const STARTING = 12;

interface Run { status: number | null; stderr: string }

describe(`${N} concurrent recordings under runc`, { skip }, () => {
  let env: HookEnv;
  let slotsBefore: number[];
  let shared: string;
  let rootfs: string;
  let n = 0;
  const runs: Array<Promise<Run>> = [];

  before(async () => {
    env = makeHookEnv('scale');
    env.setConfig({ maxRecordings: N, onFailure: 'start' });
    slotsBefore = await claimedSlots();
    shared = join(env.work, 'shared');
    mkdirSync(shared, { mode: 0o755 });
    execFileSync('mkfifo', ['-m', '0644', join(shared, 'go')]);
    rootfs = makeRootfs(join(env.work, 'image'));
  });
  after(async () => {
    try {
      // Even after a failed assertion: every container ends and its poststop runs before the
      // hook config and run dir go, or its slot would stay claimed until reclaimed.
      release();
      await Promise.allSettled(runs);
      closeBarrier();
      assert.deepEqual(runStateFiles(env), [], 'every run state was removed');
      assert.deepEqual(await claimedSlots(), slotsBefore, 'no tracer slot leaked');
      assert.deepEqual(readdirSync(DEFAULT_PIN_ROOT).filter((d) => /^(tmp|gone)-/.test(d)), [], 'no half-published or half-unloaded pin left');
      assert.deepEqual(strayHookProcesses(), [], 'no hook process left running');
    } finally {
      env.cleanup();
    }
  });

  // SECCOMP_TAILOR_HOOK_TIMING: where each hook's stage timings go (bench aid, see hook/main.ts).
  const hookEntry = () => (process.env.SECCOMP_TAILOR_HOOK_TIMING ? { ...env.hookEntry, env: [`SECCOMP_TAILOR_HOOK_TIMING=${process.env.SECCOMP_TAILOR_HOOK_TIMING}`] } : env.hookEntry);

  // The barrier: held open read-write by the test (so neither end blocks it), one line per
  // container written at the release, closed when every container is done.
  let barrier: number | undefined;
  const release = () => {
    barrier ??= openSync(join(shared, 'go'), constants.O_RDWR | constants.O_NONBLOCK);
    writeSync(barrier, 'go\n'.repeat(N + 8));
  };
  const closeBarrier = () => {
    if (barrier !== undefined) closeSync(barrier);
    barrier = undefined;
  };

  /** A bundle on the one shared rootfs, with the barrier directory mounted read-only. */
  function bundle(args: string[], trace?: string): { id: string; dir: string } {
    const id = `st-scale-${process.pid}-${++n}`;
    const dir = join(env.work, 'bundles', id);
    mkdirSync(dir, { recursive: true });
    writeBundleConfig(dir, {
      args, annotations: trace ? { [TRACE_ANNOTATION]: trace } : {},
      hooks: { prestart: [hookEntry()], poststop: [hookEntry()] },
    });
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    cfg.root.path = rootfs;
    cfg.mounts.push({ destination: '/shared', type: 'bind', source: shared, options: ['rbind', 'ro'] });
    writeFileSync(join(dir, 'config.json'), JSON.stringify(cfg));
    return { id, dir };
  }

  function runc(b: { id: string; dir: string }): Promise<Run> {
    return new Promise((resolve, reject) => {
      const c = spawn('runc', ['run', '--bundle', b.dir, b.id], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      c.stderr.on('data', (d: Buffer) => (stderr += d));
      c.on('error', reject);
      c.on('close', (status) => resolve({ status, stderr }));
    });
  }

  /**
   * Through a shell pipeline, as in a terminal session or a CI log: the runtime's stderr is a
   * pipe the hook can reach. (Node's own 'pipe' is a socket, which /proc/PID/fd cannot reopen.)
   */
  function runcPiped(b: { id: string; dir: string }): Run {
    const r = spawnSync('sh', ['-c', '{ runc run --bundle "$1" "$2" 2>&1 >/dev/null; echo "rc=$?"; } | cat', 'sh', b.dir, b.id], { encoding: 'utf8', timeout: 60_000 });
    const m = /rc=(\d+)\n$/.exec(r.stdout);
    return { status: m ? Number(m[1]) : null, stderr: r.stdout.replace(/rc=\d+\n$/, '') };
  }

  const waitFor = async (what: string, ok: () => boolean, ms: number) => {
    const end = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  test(`${N} overlap, all profiles identical; #${N + 1} and #${N + 2} follow onFailure start and fail`, {
    timeout: 300_000,
    // Known regression, open: since the move to Node.js 24 this run no longer finishes in 300 s
    // (it took about a minute on Node 20); skipped so the rest lands, named in the closing note.

  }, async () => {
    // The same workload in every container: a short sleep, then wait for the barrier: a blocking
    // read of a FIFO, which costs nothing while it waits. (It polled a file every 0.2 s before:
    // 200 containers forking 1,000 sleeps a second, a load growing with N that the hooks of the
    // containers still starting, each a Node process, competed with: 20 started in 3.2 s, 60 in
    // 15 s, 120 in 89 s, 200 not within 300 s.)
    const workload = ['sh', '-c', 'sleep 0.2; read x < /shared/go; exit 0'];
    const t0 = Date.now();
    for (let i = 0; i < N; i++) {
      await waitFor('a start slot', () => runs.length - runStateFiles(env).length < STARTING, 60_000);
      runs.push(runc(bundle(workload, `of:${join(env.out, `c${i}.json`)}`)));
    }
    await waitFor(`${N} recordings at once`, () => runStateFiles(env).length === N, 120_000);
    const started = Date.now() - t0;
    const claimed = (await claimedSlots()).filter((s) => !slotsBefore.includes(s)).length;
    assert.equal(claimed, N, 'every container holds its own slot at the same time');

    // One more: the limit is reached; onFailure start lets it run, unrecorded, and says so on
    // the runtime's stderr (runc itself shows a hook's stderr only when the hook fails).
    const extra = runcPiped(bundle(['true'], `of:${join(env.out, 'extra.json')}`));
    assert.equal(extra.status, 0, extra.stderr);
    assert.match(extra.stderr, new RegExp(`all ${N} recording slots are in use \\(hook.json maxRecordings\\).*starts WITHOUT recording`));
    assert.equal(extra.stderr.trim().split('\n').length, 1, `one line: ${extra.stderr}`);

    env.setConfig({ maxRecordings: N, onFailure: 'fail' });
    const refused = runcPiped(bundle(['true'], `of:${join(env.out, 'refused.json')}`));
    assert.notEqual(refused.status, 0, 'onFailure fail refuses the start');
    assert.match(refused.stderr, /recording slots are in use/);
    env.setConfig({ maxRecordings: N, onFailure: 'start' });

    assert.equal(refusalNames(env.stateDir).length, 2);
    assert.deepEqual(listRefusals(env.stateDir).map((r) => r.onFailure).sort(), ['fail', 'start']);
    assert.match(hookLog(env), /recording slots are in use/);
    const status = spawnSync(packagePath('bin', 'seccomp-tailor'), ['status', '--config', env.configPath], { encoding: 'utf8' });
    assert.equal(status.status, 0, status.stderr);
    assert.match(status.stdout, /recordings refused, every slot in use/);
    assert.match(status.stdout, new RegExp(`limit ${N} +ran unrecorded`));
    assert.match(status.stdout, new RegExp(`limit ${N} +start refused`));

    release();
    const results = await Promise.all(runs);
    closeBarrier();
    const total = Date.now() - t0;
    for (const r of results) assert.equal(r.status, 0, r.stderr);
    const profiles = new Set(Array.from({ length: N }, (_, i) => readFileSync(join(env.out, `c${i}.json`), 'utf8')));
    assert.equal(profiles.size, 1, `one profile for ${N} identical containers, got ${profiles.size} variants`);
    const names = (JSON.parse([...profiles][0]!) as { syscalls: Array<{ names: string[] }> }).syscalls.flatMap((s) => s.names);
    assert.ok(names.includes('execve') && names.includes('wait4'), `the shell's calls are recorded: ${names.join(' ')}`);
    console.log(`# ${N} containers: all started and recording after ${(started / 1000).toFixed(1)} s, all done after ${(total / 1000).toFixed(1)} s`);
  });
});
