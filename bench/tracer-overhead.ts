// npm run bench -- tracer: the recorder's cost, side by side in one run, interleaved.
//  1. Wall clock of `dd bs=1 count=N` and a getppid loop under: no program, an empty program on
//     the same attach point, the tracer with the workload untraced, the tracer with it traced,
//     and `strace -f`.
//  2. The kernel's own per-run counters (bpf_stats) for the empty program and the tracer.
//  3. Open+load+attach time (cold) and re-open of the pinned tracer + claim + tag (warm).
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { BpfObject, type BpfLink } from '../src/native/ebpf.js';
import { packagePath } from '../src/native/package-root.js';
import { spawnPaused } from '../src/record/spawn-paused.js';
import { Tracer } from '../src/record/tracer.js';
import { fmt, median, rotated } from './stats.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const DD_COUNT = Number(process.env.BENCH_DD_COUNT ?? 2_000_000);
const LOOP = Number(process.env.BENCH_LOOP ?? 2_000_000);
// strace -f is ~60x slower (minutes per run at these sizes): fewer rounds of it are enough.
const STRACE_ROUNDS = Number(process.env.BENCH_STRACE_ROUNDS ?? 2);

const workloads: Record<string, string[]> = {
  dd: ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=1', `count=${DD_COUNT}`, 'status=none'],
  getppid: ['perl', '-e', `getppid() for 1..${LOOP}`],
};
// untraced: the tracer attached, recording nothing (a pinned tracer between containers);
// busy: the tracer recording another process (a container being traced) while this one is not.
type Config = 'none' | 'empty' | 'untraced' | 'busy' | 'traced' | 'strace';
const configs: Config[] = ['none', 'empty', 'untraced', 'busy', 'traced', 'strace'];

/** A claimed slot tagging a sleeping process: some recording is going on elsewhere. */
async function otherRecording(t: Tracer): Promise<() => Promise<void>> {
  const p = spawnPaused('/bin/sleep', ['600'], 'ignore');
  const target = t.claim();
  target.addProcess(p.pid);
  p.release();
  return async () => {
    p.child.kill('SIGKILL');
    await p.exited;
    target.release();
  };
}

function attachEmpty(): { link: BpfLink; close(): void } {
  const obj = BpfObject.openFile(packagePath('build', 'bpf', 'bench_empty.bpf.o'));
  obj.load();
  const link = obj.attach('on_sys_enter_empty');
  return { link, close: () => obj.close() };
}

/** Wall time of the workload alone: from release of the paused child to its exit. */
async function timeWorkload(argv: string[], tracer?: Tracer): Promise<number> {
  const [cmd, ...args] = argv as [string, ...string[]];
  const p = spawnPaused(cmd, args, 'ignore');
  const target = tracer?.claim();
  target?.addProcess(p.pid);
  const t0 = performance.now();
  p.release();
  await p.exited;
  const ms = performance.now() - t0;
  target?.release();
  return ms;
}

async function runOnce(config: Config, argv: string[]): Promise<number> {
  switch (config) {
    case 'none': return timeWorkload(argv);
    case 'strace': return timeWorkload(['strace', '-f', '-qq', '-o', '/dev/null', ...argv]);
    case 'empty': {
      const e = attachEmpty();
      try { return await timeWorkload(argv); } finally { e.close(); }
    }
    case 'untraced':
    case 'busy':
    case 'traced': {
      const t = Tracer.load();
      const stop = config === 'busy' ? await otherRecording(t) : undefined;
      try { return await timeWorkload(argv, config === 'traced' ? t : undefined); } finally { await stop?.(); t.close(); }
    }
  }
}

async function wallClock(): Promise<void> {
  console.log(`\n## Wall clock, median of ${ROUNDS} interleaved rounds (ms)`);
  for (const [name, argv] of Object.entries(workloads)) {
    const times: Record<Config, number[]> = { none: [], empty: [], untraced: [], busy: [], traced: [], strace: [] };
    for (let r = 0; r < ROUNDS; r++) {
      for (const c of rotated(configs, r)) {
        if (c === 'strace' && r >= STRACE_ROUNDS) continue;
        times[c].push(await runOnce(c, argv));
      }
    }
    const m = Object.fromEntries(configs.map((c) => [c, median(times[c])])) as Record<Config, number>;
    const floor = m.empty - m.none;
    console.log(`\n${name}: ${argv.join(' ')}`);
    for (const c of configs) console.log(`  ${c.padEnd(9)} ${fmt(m[c]).padStart(9)} ms   x${fmt(m[c] / m.none, 3)} of none`);
    for (const c of ['untraced', 'busy', 'traced'] as const) {
      const extra = m[c] - m.empty;
      console.log(`  ${c}: extra over empty ${fmt(extra)} ms = ${fmt((100 * extra) / floor)}% of the empty program's own cost (${fmt(floor)} ms; goal <= 20%)`);
    }
    console.log(`  strace -f / traced: x${fmt(m.strace / m.traced)}`);
  }
}

async function kernelCounters(): Promise<void> {
  execFileSync('sysctl', ['-q', 'kernel.bpf_stats_enabled=1']);
  try {
    const argv = workloads.getppid!;
    const perRun = (before: { runTimeNs: bigint; runCount: bigint }, after: { runTimeNs: bigint; runCount: bigint }) =>
      Number(after.runTimeNs - before.runTimeNs) / Number(after.runCount - before.runCount);
    const res: Record<string, number[]> = { empty: [], untraced: [], busy: [], traced: [] };
    for (let r = 0; r < ROUNDS; r++) {
      const e = attachEmpty();
      const b0 = e.link.programInfo();
      await timeWorkload(argv);
      res.empty!.push(perRun(b0, e.link.programInfo()));
      e.close();
      for (const mode of ['untraced', 'busy', 'traced'] as const) {
        const t = Tracer.load();
        const stop = mode === 'busy' ? await otherRecording(t) : undefined;
        const info = () => t.programInfo().find((p) => p.program === 'on_sys_enter')!;
        const a = info();
        await timeWorkload(argv, mode === 'traced' ? t : undefined);
        res[mode]!.push(perRun(a, info()));
        await stop?.();
        t.close();
      }
    }
    const m = Object.fromEntries(Object.entries(res).map(([k, v]) => [k, median(v)])) as Record<string, number>;
    console.log(`\n## Kernel counters (bpf_stats), sys_enter program, ns per run, median of ${ROUNDS}`);
    console.log(`  empty program       ${fmt(m.empty!)} ns (includes the counters' own clock reads)`);
    console.log(`  tracer, idle        ${fmt(m.untraced!)} ns   (+${fmt(m.untraced! - m.empty!)} ns over empty; nothing being recorded)`);
    console.log(`  tracer, untraced    ${fmt(m.busy!)} ns   (+${fmt(m.busy! - m.empty!)} ns over empty; another process being recorded)`);
    console.log(`  tracer, traced      ${fmt(m.traced!)} ns   (+${fmt(m.traced! - m.empty!)} ns over empty)`);
  } finally {
    execFileSync('sysctl', ['-q', 'kernel.bpf_stats_enabled=0']);
  }
}

async function loadTimes(): Promise<void> {
  const cold: number[] = [];
  const warm: number[] = [];
  const pinRoot = '/sys/fs/bpf/seccomp-tailor-bench';
  for (let r = 0; r < Math.max(ROUNDS, 10); r++) {
    let t0 = performance.now();
    const t = Tracer.load();
    cold.push(performance.now() - t0);
    t.close();
    Tracer.shared(pinRoot).close();
    const p = spawnPaused('/bin/true', [], 'ignore');
    t0 = performance.now();
    const s = Tracer.shared(pinRoot);
    const target = s.claim();
    target.addProcess(p.pid);
    warm.push(performance.now() - t0);
    p.release();
    await p.exited;
    target.release();
    s.close();
    rmSync(pinRoot, { recursive: true, force: true });
  }
  console.log('\n## Tracer start-up (ms, median)');
  console.log(`  cold: open + load + attach           ${fmt(median(cold))} ms (goal <= 60)`);
  console.log(`  warm: open pinned + claim + tag pid  ${fmt(median(warm))} ms (goal <= 5)`);
  console.log('  (bcc-based hook: ~1000 ms and 140 MB per container start, compiling C each time)');
}

console.log(`# tracer overhead  (kernel ${execFileSync('uname', ['-r']).toString().trim()}, ${new Date().toISOString()})`);
await loadTimes();
await kernelCounters();
await wallClock();
