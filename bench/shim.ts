// npm run bench -- shim: what seccomp-tailor-runc costs.
//  1. Pass-through commands (state, kill, start, delete) through the shim vs runc directly, on
//     real containers: the shim must add at most 5 ms (it starts no JavaScript runtime).
//  2. `docker run --rm IMAGE /bin/true` with a private dockerd: plain runc, through the shim
//     unrecorded (<= +10 ms), through the shim recorded; and the same recording done by podman's
//     hooks.d path. The recorded shim run's added time must be <= 1.2x podman's added time.
// Configurations are interleaved round by round (rotated order); medians; ratios from this run.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packagePath } from '../src/native/package-root.js';
import { makeBundle } from '../src/oci/busybox-bundle.js';
import { hooksDJson, nativeHookCommand } from '../src/oci/hooks-config.js';
import { ensureHookClient } from '../src/record/hook/native-entry.js';
import { benchHookEnv } from './hook-env.js';
import { fmt, median, rotated } from './stats.js';
import { haveEngines, startEngines } from '../test/helpers/engines.js';

const SHIM = packagePath('build', 'runtime-shim', 'seccomp-tailor-runc');
const ROUNDS_PASS = Number(process.env.SHIM_BENCH_ROUNDS ?? 30);
const ROUNDS_RUN = Number(process.env.SHIM_BENCH_RUN_ROUNDS ?? 10);

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

async function dockerRuns(work: string): Promise<void> {
  const env = benchHookEnv('shim');
  const client = ensureHookClient();
  // Both paths run the same hook command with a private hookd socket (no daemon there: the native
  // entry becomes the Node hook), so the comparison is of the shim, not of whose hookd answers.
  const hookd = join(env.work, 'hookd.sock');
  const eng = await startEngines('bench', {
    runtimes: {
      'st-record': { path: SHIM, runtimeArgs: ['--hook-config', env.config, '--hookd-socket', hookd, '--record-dir', env.out] },
      'st-pass': { path: SHIM, runtimeArgs: ['--hook-config', env.config, '--hookd-socket', hookd] },
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
  const configs: Record<string, () => number> = {
    'docker/runc': docker('runc'), 'docker/shim': docker('st-pass'), 'docker/shim+record': docker('st-record'),
    'podman/plain': podman(false), 'podman/hooks.d+record': podman(true),
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
  console.log(`  unrecorded through the shim: ${fmt(unrecorded)} ms added ${unrecorded <= 10 ? 'ok (<= +10 ms)' : 'OVER +10 ms'}`);
  console.log(`  recording added: shim ${fmt(shimAdded)} ms, podman hooks.d ${fmt(podmanAdded)} ms, ratio ${fmt(shimAdded / podmanAdded, 2)} ${shimAdded / podmanAdded <= 1.2 ? 'ok (<= 1.2x)' : 'OVER 1.2x'}`);
}

const work = join('/tmp', `st-bench-shim-${process.pid}`);
mkdirSync(work, { recursive: true });
try {
  passThrough(work);
  if (haveEngines) await dockerRuns(work);
  else console.log('docker part skipped: needs docker.io and containerd (scripts/bootstrap.sh --tests)');
} finally {
  rmSync(work, { recursive: true, force: true });
}
