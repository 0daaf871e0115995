// npm run bench -- shim: what seccomp-tailor-runc costs.
//  1. Pass-through commands (state, kill, start, delete) through the shim vs runc directly, on
//     real containers: the shim must add at most 5 ms (it starts no JavaScript runtime).
//  2. Recording at the runtime: `seccomp-tailor-runc --record-dir run` against runc with the same
//     hooks already in config.json (what podman's hooks.d hands runc): the shim's added time must
//     be <= 1.2x the hooks.d path's.
//  3. `docker run --rm IMAGE /bin/true` with a private dockerd: plain runc, through the shim
//     unrecorded (<= +10 ms), through the shim recorded, and podman plain and recorded by hooks.d,
//     end to end (dockerd's own run-to-run noise is tens of ms here); and the time each docker run
//     spends in its runtime (a wrapper logs every invocation), runc vs the shim: the shim's own
//     cost on that path, free of that noise.
// Configurations are interleaved round by round (rotated order); medians; ratios from this run.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packagePath } from '../src/native/package-root.js';
import { makeBundle } from '../src/oci/busybox-bundle.js';
import { hooksDJson, nativeHookCommand } from '../src/oci/hooks-config.js';
import { ensureHookClient, startedHookdPid } from '../src/record/hook/native-entry.js';
import { TRACE_ANNOTATION } from '../src/oci/annotation.js';
import { benchHookEnv } from './hook-env.js';
import { fmt, median, rotated } from './stats.js';
import { haveEngines, startEngines } from '../test/helpers/engines.js';

const SHIM = packagePath('build', 'runtime-shim', 'seccomp-tailor-runc');
const ROUNDS_PASS = Number(process.env.SHIM_BENCH_ROUNDS ?? 30);
const ROUNDS_RUN = Number(process.env.SHIM_BENCH_RUN_ROUNDS ?? 10);
const ROUNDS_REC = Number(process.env.SHIM_BENCH_REC_ROUNDS ?? 20);

if (process.getuid?.() !== 0) {
  console.log('shim bench: needs root (runc, dockerd, eBPF)');
  process.exit(0);
}

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const timed = (cmd: string, args: string[]): number => {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  const t = ms(t0);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
  return t;
};

function passThrough(work: string): void {
  const root = join(work, 'runc-root');
  const bundle = makeBundle(join(work, 'pass-bundle'), { args: ['sleep', '1000'] });
  const runtimes = { runc: 'runc', shim: SHIM } as const;
  const cmds = ['state', 'kill', 'start', 'delete'] as const;
  const t: Record<string, number[]> = {};
  for (const c of cmds) for (const r of Object.keys(runtimes)) t[`${c}/${r}`] = [];
  for (let i = 0; i < ROUNDS_PASS; i++) {
    for (const r of rotated(Object.keys(runtimes) as Array<keyof typeof runtimes>, i)) {
      const bin = runtimes[r];
      const id = `st-bench-shim-${process.pid}-${i}-${r}`;
      // Untimed set-up: a created container (init waiting on its exec fifo; no stdio held).
      const c = spawnSync('runc', ['--root', root, 'create', '--bundle', bundle, id], { stdio: 'ignore' });
      if (c.status !== 0) throw new Error(`runc create ${id} failed`);
      t[`state/${r}`]!.push(timed(bin, ['--root', root, 'state', id]));
      t[`start/${r}`]!.push(timed(bin, ['--root', root, 'start', id]));
      t[`kill/${r}`]!.push(timed(bin, ['--root', root, 'kill', id, 'KILL']));
      for (let k = 0; k < 200 && JSON.parse(spawnSync('runc', ['--root', root, 'state', id], { encoding: 'utf8' }).stdout || '{}').status !== 'stopped'; k++) spawnSync('sleep', ['0.01']);
      t[`delete/${r}`]!.push(timed(bin, ['--root', root, 'delete', id]));
    }
  }
  console.log(`pass-through commands, ${ROUNDS_PASS} rounds each, median ms (runc directly | through the shim | added):`);
  for (const c of cmds) {
    const a = median(t[`${c}/runc`]!);
    const b = median(t[`${c}/shim`]!);
    console.log(`  ${c.padEnd(7)} ${fmt(a, 2).padStart(7)} | ${fmt(b, 2).padStart(7)} | ${fmt(b - a, 2).padStart(6)} ms  ${b - a <= 5 ? 'ok (<= 5 ms)' : 'OVER 5 ms'}`);
  }
}

/**
 * Recording at the runtime: what the shim does (config.json read, hooks added, atomic rewrite, then
 * runc) against what podman's hooks.d gives runc (the same hooks already in config.json), both
 * recording `/bin/true` through the same hook and hookd, and plain runc; interleaved, medians.
 * Without dockerd's or podman's own run-to-run noise, so the ratio of the added times is the shim's.
 */
async function recordedRuns(work: string): Promise<void> {
  const env = benchHookEnv('shim-rec');
  const hookd = join(env.work, 'hookd.sock');
  const hook = nativeHookCommand(ensureHookClient(), env.config, hookd);
  const plain = makeBundle(join(work, 'rec-plain'), { args: ['/bin/true'] });
  const noHooks = makeBundle(join(work, 'rec-shim'), { args: ['/bin/true'] });
  let n = 0;
  const hooked = () => makeBundle(join(work, `rec-hooked-${++n}`), {
    args: ['/bin/true'], annotations: { [TRACE_ANNOTATION]: `of:${join(env.out, `hooked-${n}.json`)}` }, hooks: { prestart: [hook], poststop: [hook] },
  });
  const run = (bin: string, pre: string[], bundle: string) => {
    const id = `st-bench-rec-${process.pid}-${++n}`;
    return timed(bin, [...pre, 'run', '--bundle', bundle, id]);
  };
  const shimArgs = ['--hook-config', env.config, '--hookd-socket', hookd, '--record-dir', env.out];
  const configs: Record<string, () => number> = {
    'runc': () => run('runc', [], plain),
    'runc + hooks in config.json (hooks.d)': () => { const b = hooked(); return run('runc', [], b); },
    'shim --record-dir': () => run(SHIM, shimArgs, noHooks),
  };
  const t: Record<string, number[]> = Object.fromEntries(Object.keys(configs).map((c) => [c, []]));
  try {
    for (const c of Object.keys(configs)) configs[c]!(); // warm-up: hookd started, tracer loaded
    for (let i = 0; i < ROUNDS_REC; i++) for (const c of rotated(Object.keys(configs), i)) t[c]!.push(configs[c]!());
  } finally {
    const daemon = startedHookdPid(hookd);
    if (daemon) process.kill(daemon, 'SIGTERM');
    const { Tracer } = await import('../src/record/tracer.js');
    Tracer.unloadShared(env.pinRoot);
    rmSync(env.work, { recursive: true, force: true });
  }
  const m = Object.fromEntries(Object.entries(t).map(([c, xs]) => [c, median(xs)])) as Record<string, number>;
  console.log(`\nrecorded runc run of /bin/true, ${ROUNDS_REC} rounds interleaved, median ms:`);
  for (const [c, v] of Object.entries(m)) console.log(`  ${c.padEnd(40)} ${fmt(v).padStart(7)}`);
  const viaHooksD = m['runc + hooks in config.json (hooks.d)']! - m.runc!;
  const viaShim = m['shim --record-dir']! - m.runc!;
  console.log(`  recording added: shim ${fmt(viaShim)} ms, hooks.d ${fmt(viaHooksD)} ms, ratio ${fmt(viaShim / viaHooksD, 2)} ${viaShim / viaHooksD <= 1.2 ? 'ok (<= 1.2x)' : 'OVER 1.2x'}`);
}

async function dockerRuns(work: string): Promise<void> {
  const env = benchHookEnv('shim');
  const client = ensureHookClient();
  // Both paths run the same hook command with a private hookd socket (no daemon there: the native
  // entry becomes the Node hook), so the comparison is of the shim, not of whose hookd answers.
  const hookd = join(env.work, 'hookd.sock');
  // The same two runtimes behind a wrapper that logs how long each invocation took: the time a
  // docker run spends in its runtime, which is what the shim changes, without dockerd's noise.
  const timingLog = join(work, 'runtime-ns.log');
  const timingWrapper = (name: string, argv: string[]) => {
    const path = join(work, `timed-${name}`);
    writeFileSync(path, `#!/bin/sh\ns=$(date +%s%N)\n${argv.map((a) => `'${a}'`).join(' ')} "$@"\nrc=$?\necho $(( $(date +%s%N) - s )) >> '${timingLog}'\nexit $rc\n`);
    chmodSync(path, 0o755);
    return path;
  };
  const eng = await startEngines('bench', {
    runtimes: {
      'st-record': { path: SHIM, runtimeArgs: ['--hook-config', env.config, '--hookd-socket', hookd, '--record-dir', env.out] },
      'st-pass': { path: SHIM, runtimeArgs: ['--hook-config', env.config, '--hookd-socket', hookd] },
      'st-timed-runc': { path: timingWrapper('runc', ['runc']) },
      'st-timed-shim': { path: timingWrapper('shim', [SHIM, '--hook-config', env.config, '--hookd-socket', hookd]) },
    },
  });
  const hooksDir = join(work, 'hooks.d');
  mkdirSync(hooksDir);
  // The same native hook entry the shim puts into config.json.
  writeFileSync(join(hooksDir, 'seccomp-tailor.json'), JSON.stringify(hooksDJson(nativeHookCommand(client, env.config, hookd))));
  chmodSync(join(hooksDir, 'seccomp-tailor.json'), 0o644);
  const image = `localhost/st-bench-shim-${process.pid}:latest`;
  const tar = join(work, 'busybox.tar');
  spawnSync('tar', ['-C', eng.rootfs, '-cf', tar, '.']);
  if (spawnSync('podman', ['import', tar, image], { stdio: 'ignore' }).status !== 0) throw new Error('podman import failed');
  const docker = (runtime: string) => () => {
    const t0 = process.hrtime.bigint();
    const r = eng.docker(['run', '--rm', '--network', 'none', '--runtime', runtime, '--security-opt', 'seccomp=unconfined', eng.image, '/bin/true']);
    if (r.status !== 0) throw new Error(`docker run (${runtime}): ${r.stderr}`);
    return ms(t0);
  };
  let k = 0;
  const podman = (record: boolean) => () => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync('podman', ['--runtime', 'runc', '--cgroup-manager', 'cgroupfs', '--hooks-dir', hooksDir, 'run', '--rm', '--network', 'none',
      '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024', '--security-opt', 'seccomp=unconfined',
      ...(record ? ['--annotation', `io.containers.trace-syscall=of:${join(env.out, `podman-${++k}.json`)}`] : []), image, '/bin/true'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`podman run: ${r.stderr}`);
    return ms(t0);
  };
  /** A run through a timed runtime: the sum of its runtime invocations (ms), and their count. */
  const inRuntime: Record<string, number[]> = { runc: [], shim: [] };
  const invocations: number[] = [];
  const runtimeTime = (key: string, run: () => number) => () => {
    rmSync(timingLog, { force: true });
    const t = run();
    const ns = readFileSync(timingLog, 'utf8').split('\n').filter(Boolean).map(Number);
    inRuntime[key]!.push(ns.reduce((a, b) => a + b, 0) / 1e6);
    if (key === 'runc') invocations.push(ns.length);
    return t;
  };
  const dockerTimed = (which: 'runc' | 'shim') => runtimeTime(which, docker(`st-timed-${which}`));
  const configs: Record<string, () => number> = {
    'docker/runc': docker('runc'), 'docker/shim': docker('st-pass'), 'docker/shim+record': docker('st-record'),
    'podman/plain': podman(false), 'podman/hooks.d+record': podman(true),
    'docker/timed runc': dockerTimed('runc'), 'docker/timed shim': dockerTimed('shim'),
  };
  const t: Record<string, number[]> = Object.fromEntries(Object.keys(configs).map((c) => [c, []]));
  // Interrupted (Ctrl-C, a timeout): still stop the private daemons and remove the image.
  let stopping: Promise<void> | undefined;
  const cleanup = () => (stopping ??= (async () => {
    spawnSync('podman', ['rmi', '-f', image], { stdio: 'ignore' });
    await eng.stop();
    const { Tracer } = await import('../src/record/tracer.js');
    Tracer.unloadShared(env.pinRoot);
    rmSync(env.work, { recursive: true, force: true });
  })());
  const onSignal = () => { void cleanup().finally(() => process.exit(130)); };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    for (const c of Object.keys(configs)) configs[c]!(); // warm-up: image layers, tracer loaded and pinned
    for (let i = 0; i < ROUNDS_RUN; i++) {
      for (const c of rotated(Object.keys(configs), i)) {
        t[c]!.push(configs[c]!());
        await new Promise(setImmediate); // lets a SIGTERM handler run between runs
      }
      process.stderr.write(`round ${i + 1}/${ROUNDS_RUN}: ${Object.entries(t).map(([c, xs]) => `${c} ${fmt(xs.at(-1)!)}`).join(', ')}\n`);
    }
  } finally {
    // The bench's own pinned tracer (its pin root is private) is taken off every syscall too.
    await cleanup();
  }
  const m = Object.fromEntries(Object.entries(t).map(([c, xs]) => [c, median(xs)])) as Record<string, number>;
  console.log(`\ncontainer runs of /bin/true, ${ROUNDS_RUN} rounds interleaved, median ms:`);
  for (const [c, v] of Object.entries(m)) console.log(`  ${c.padEnd(22)} ${fmt(v).padStart(7)}`);
  const unrecorded = m['docker/shim']! - m['docker/runc']!;
  const shimAdded = m['docker/shim+record']! - m['docker/runc']!;
  const podmanAdded = m['podman/hooks.d+record']! - m['podman/plain']!;
  console.log(`  unrecorded through the shim: ${fmt(unrecorded)} ms added ${unrecorded <= 10 ? 'ok (<= +10 ms)' : 'OVER +10 ms'} (end to end, within dockerd's own noise)`);
  const rr = median(inRuntime.runc!);
  const rs = median(inRuntime.shim!);
  console.log(`  time a docker run spends in its runtime (${median(invocations)} invocations: create, start, state, delete...), median: runc ${fmt(rr)} ms, shim ${fmt(rs)} ms: the shim adds ${fmt(rs - rr)} ms ${rs - rr <= 10 ? 'ok (<= +10 ms)' : 'OVER +10 ms'}`);
  console.log(`  recording added end to end: shim ${fmt(shimAdded)} ms, podman hooks.d ${fmt(podmanAdded)} ms, ratio ${fmt(shimAdded / podmanAdded, 2)} ${shimAdded / podmanAdded <= 1.2 ? 'ok (<= 1.2x)' : 'OVER 1.2x'} (within dockerd's noise)`);
}

const work = join('/tmp', `st-bench-shim-${process.pid}`);
mkdirSync(work, { recursive: true });
try {
  passThrough(work);
  await recordedRuns(work);
  if (haveEngines) await dockerRuns(work);
  else console.log('docker part skipped: needs docker.io and containerd (scripts/bootstrap.sh --tests)');
} finally {
  rmSync(work, { recursive: true, force: true });
}
