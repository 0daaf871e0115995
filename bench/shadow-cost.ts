// npm run bench -- shadow-cost: what shadow mode costs against recording (issue 20), side by side.
//  1. In the kernel, per syscall: `dd bs=1` in a runc container recorded, shadowed, and both, with
//     the tracer's programs' own counters (kernel.bpf_stats_enabled: run_time_ns / run_cnt),
//     interleaved. Shadowing tags the container's tasks exactly as recording does, so the two
//     should agree within noise: this measures that they do.
//  2. In user space: one pass of the live follower `watch` runs every 250 ms (read each shadowed
//     slot, evaluate it, append what is new), for 1, 64 and 256 shadowed containers (real slots,
//     each tagging a sleeping process that made its start-up calls).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeBundle } from '../src/oci/busybox-bundle.js';
import { SHADOW_ANNOTATION, TRACE_ANNOTATION } from '../src/oci/annotation.js';
import { objectVersion, Tracer } from '../src/record/tracer.js';
import { spawnPaused } from '../src/record/spawn-paused.js';
import { writeRunState, removeRunState } from '../src/record/hook/run-state.js';
import { ShadowFollower } from '../src/record/hook/shadow-follower.js';
import { forgetSpoolState } from '../src/shadow/spool.js';
import { fmt, median, rotated } from './stats.js';
import { benchHookEnv } from './hook-env.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const COUNT = Number(process.env.BENCH_DD_COUNT ?? 1_000_000);
const FOLLOWED = (process.env.BENCH_SHADOWED ?? '1,64,256').split(',').map(Number);
if (process.getuid?.() !== 0) {
  console.log('shadow-cost: skipped (needs root)');
  process.exit(0);
}

const { work, out, pinRoot, hook } = benchHookEnv('shadow');
const runDir = join(work, 'run');
const stateDir = join(work, 'state');
const profile = join(out, 'shadowed.json');
writeFileSync(profile, JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['execve', 'exit_group'], action: 'SCMP_ACT_ALLOW' }] }));
chmodSync(profile, 0o644);

type Mode = 'recorded' | 'shadowed' | 'both';
const modes: Mode[] = ['recorded', 'shadowed', 'both'];
const dd = ['/bin/dd', 'if=/dev/zero', 'of=/dev/null', 'bs=1', `count=${COUNT}`];
const bundles = new Map<Mode, string>();
for (const m of modes) {
  const dir = join(work, m);
  const annotations: Record<string, string> = {};
  if (m !== 'shadowed') annotations[TRACE_ANNOTATION] = `of:${join(out, `${m}.json`)}`;
  if (m !== 'recorded') annotations[SHADOW_ANNOTATION] = profile;
  makeBundle(dir, { args: dd, annotations, hooks: { prestart: [hook], poststop: [hook] } });
  bundles.set(m, dir);
}

const statsPath = '/proc/sys/kernel/bpf_stats_enabled';
const statsBefore = readFileSync(statsPath, 'utf8').trim();
writeFileSync(statsPath, '1');

const LINKS = ['link_on_sys_enter', 'link_on_fork', 'link_on_exec', 'link_on_exit'];
const bpftool = (args: string[]): Record<string, unknown> => JSON.parse(execFileSync('bpftool', [...args, '-j'], { encoding: 'utf8' })) as Record<string, unknown>;

/** The pinned tracer's programs' counters (bpftool: the hook's links are pinned, not ours), summed. */
function counters(): { ns: number; runs: number } {
  let ns = 0;
  let runs = 0;
  for (const l of LINKS) {
    const link = bpftool(['link', 'show', 'pinned', join(pinRoot, objectVersion(), l)]);
    const prog = bpftool(['prog', 'show', 'id', String(link.prog_id)]);
    ns += Number(prog.run_time_ns ?? 0);
    runs += Number(prog.run_cnt ?? 0);
  }
  return { ns, runs };
}

let n = 0;
function runc(bundle: string): void {
  const r = spawnSync('runc', ['run', '--bundle', bundle, `st-bench-shadow-${process.pid}-${++n}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`runc run failed: ${r.stderr}`);
}

async function followerPass(k: number): Promise<number> {
  const t = Tracer.shared(pinRoot);
  const procs: Array<{ kill(): Promise<void> }> = [];
  try {
    for (let i = 0; i < k; i++) {
      const p = spawnPaused('/bin/sleep', ['600'], 'ignore');
      const target = t.claim();
      target.addProcess(p.pid);
      p.release();
      const id = `bench-shadow-${i}`;
      writeRunState(runDir, {
        version: 1, id, slot: target.slot, generation: target.generation, pinRoot, shadow: { profile: { path: profile, dir: out, name: 'shadowed.json' } },
        runtime: { name: 'runc' }, initPid: p.pid, initStartTime: 0, bundle: work, noNewPrivileges: false, startedAt: new Date().toISOString(), stateDir,
      });
      procs.push({ kill: async () => { p.child.kill('SIGKILL'); await p.exited; target.release(); removeRunState(runDir, id); } });
    }
    await new Promise((r) => setTimeout(r, 200)); // every sleep has exec'd and made its start-up calls
    const f = new ShadowFollower({ runDir });
    f.pass(); // the first pass reads each profile and writes the findings once
    const times: number[] = [];
    for (let r = 0; r < 20; r++) {
      const t0 = performance.now();
      f.pass();
      times.push(performance.now() - t0);
    }
    f.stop();
    return median(times);
  } finally {
    for (const p of procs) await p.kill();
    t.close();
    forgetSpoolState();
  }
}

try {
  runc(bundles.get('recorded')!); // load and pin the tracer once
  const perRun = new Map<Mode, number[]>(modes.map((m) => [m, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const m of rotated(modes, r)) {
      const a = counters();
      runc(bundles.get(m)!);
      const b = counters();
      perRun.get(m)!.push((b.ns - a.ns) / (b.runs - a.runs));
    }
  }
  console.log(`shadow-cost: tracer program time per run (ns, kernel bpf_stats), dd bs=1 count=${COUNT} in runc, ${ROUNDS} rounds interleaved`);
  const rec = median(perRun.get('recorded')!);
  for (const m of modes) {
    const v = median(perRun.get(m)!);
    console.log(`  ${m.padEnd(9)} ${fmt(v).padStart(8)} ns/run   ${(v / rec).toFixed(2)}x recorded`);
  }
  console.log('shadow-cost: one pass of the live follower (user space; watch runs it every 250 ms), median of 20');
  for (const k of FOLLOWED) {
    const ms = await followerPass(k);
    console.log(`  ${String(k).padStart(3)} shadowed containers: ${ms.toFixed(2)} ms a pass, ${((ms / k) * 1000).toFixed(0)} us a container, ${((ms / 250) * 100).toFixed(1)}% of one core at 4 passes/s`);
  }
} finally {
  writeFileSync(statsPath, statsBefore);
  Tracer.unloadShared(pinRoot);
  rmSync(work, { recursive: true, force: true });
}
