// Added latency of the OCI hook to `runc run` of busybox /bin/true (prestart + poststop, both run
// inside `runc run`): the default install (the native entry, which started hookd on first use),
// its fallback without any daemon (the native entry becomes the Node hook), the Node hook alone,
// tracer loaded (pinned) and cold (unloaded before each run); the two hook stages alone; and what
// a traced container costs while it runs (map bytes, processes).
// Interleaved: every variant in turn, N times (default 20); medians. Run as root:
// npm run bench -- hook [N]
import { spawn, spawnSync } from 'node:child_process';
import { rmSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { makeBundle, writeBundleConfig } from '../src/oci/busybox-bundle.js';
import { TRACE_ANNOTATION } from '../src/oci/annotation.js';
import { Tracer } from '../src/record/tracer.js';
import { ensureHookClient, startedHookdPid } from '../src/record/hook/native-entry.js';
import { nativeHookCommand } from '../src/oci/hooks-config.js';
import * as L from '../src/record/tracer-layout.js';
import { benchHookEnv } from './hook-env.js';

const N = Number(process.argv[2] ?? 20);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

if (process.getuid?.() !== 0) {
  console.log('hook-latency: skipped (needs root)');
  process.exit(0);
}

const { work, out, pinRoot, config, hook } = benchHookEnv('hook');
const plainDir = makeBundle(join(work, 'plain'), { args: ['/bin/true'] });
const tracedDir = makeBundle(join(work, 'traced'), {
  args: ['/bin/true'], annotations: { [TRACE_ANNOTATION]: `of:${join(out, 'true.json')}` }, hooks: { prestart: [hook], poststop: [hook] },
});
// The default install: the native entry, on its own socket here, which it starts hookd on.
const sockDir = join(work, 'hookd');
mkdirSync(sockDir, { mode: 0o700 });
const socket = join(sockDir, 'hookd.sock');
const native = nativeHookCommand(ensureHookClient(), config, socket);
const nativeDir = makeBundle(join(work, 'native'), {
  args: ['/bin/true'], annotations: { [TRACE_ANNOTATION]: `of:${join(out, 'true-native.json')}` }, hooks: { prestart: [native], poststop: [native] },
});
// Its fallback: no daemon and none may be started; the entry execs the Node hook.
const fallback = nativeHookCommand(ensureHookClient(), config, join(work, 'none', 'hookd.sock'), ['SECCOMP_TAILOR_HOOKD_AUTOSTART=0']);
const fallbackDir = makeBundle(join(work, 'fallback'), {
  args: ['/bin/true'], annotations: { [TRACE_ANNOTATION]: `of:${join(out, 'true-fallback.json')}` }, hooks: { prestart: [fallback], poststop: [fallback] },
});

/**
 * The hook's added latency while other recordings hold slots: 0, 63 and 511 other slots claimed,
 * each tagging a sleeping process (containers being recorded, as the tracer sees them), then
 * plain and traced `runc run /bin/true` interleaved.
 */
async function concurrentLatency(): Promise<void> {
  writeBundleConfig(tracedDir, { args: ['/bin/true'], annotations: { [TRACE_ANNOTATION]: `of:${join(out, 'true.json')}` }, hooks: { prestart: [hook], poststop: [hook] } });
  const sleepers = Array.from({ length: 511 }, () => spawn('/bin/sleep', ['600'], { stdio: 'ignore' }));
  const t = Tracer.shared(pinRoot);
  const held: Array<{ release(): void }> = [];
  try {
    console.log(`  added latency with other recordings going on (median of ${N}, interleaved with plain):`);
    for (const concurrent of [1, 64, 512]) {
      while (held.length < concurrent - 1) {
        const target = t.claim();
        target.addProcess(sleepers[held.length]!.pid!);
        held.push(target);
      }
      const plain: number[] = [];
      const traced: number[] = [];
      for (let i = 0; i < N; i++) {
        plain.push(runc(plainDir));
        traced.push(runc(tracedDir));
      }
      const p = median(plain);
      const w = median(traced);
      console.log(`    ${String(concurrent).padStart(3)} concurrent: plain ${p.toFixed(0)} ms, traced ${w.toFixed(0)} ms (+${(w - p).toFixed(0)} ms)`);
    }
  } finally {
    for (const h of held) h.release();
    t.close();
    for (const s of sleepers) s.kill('SIGKILL');
  }
}

let n = 0;
function runc(bundle: string): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('runc', ['run', '--bundle', bundle, `st-bench-${process.pid}-${++n}`], { encoding: 'utf8' });
  const t = ms(t0);
  if (r.status !== 0) throw new Error(`runc run failed: ${r.stderr}`);
  return t;
}

try {
  Tracer.unloadShared(pinRoot);
  runc(plainDir);
  runc(tracedDir); // load + pin once, warm the page cache
  runc(nativeDir); // the first hook starts hookd
  runc(fallbackDir);
  const daemon = startedHookdPid(socket);
  if (!daemon) throw new Error(`the native entry started no hookd on ${socket}`);
  const plain: number[] = [];
  const warm: number[] = [];
  const cold: number[] = [];
  const hookd: number[] = [];
  const noDaemon: number[] = [];
  for (let i = 0; i < N; i++) {
    plain.push(runc(plainDir));
    hookd.push(runc(nativeDir));
    noDaemon.push(runc(fallbackDir));
    warm.push(runc(tracedDir));
    Tracer.unloadShared(pinRoot);
    cold.push(runc(tracedDir));
  }
  const p = median(plain);
  const line = (label: string, xs: number[], note: string) => {
    const m = median(xs);
    console.log(`  ${label.padEnd(34)} ${m.toFixed(0).padStart(6)} ms  (+${(m - p).toFixed(0)} ms, ${(m / p).toFixed(2)}x)  ${note}`);
  };
  console.log(`hook-latency: runc run /bin/true, median of ${N} interleaved runs (tracer pinned unless cold)`);
  console.log(`  ${'plain'.padEnd(34)} ${p.toFixed(0).padStart(6)} ms`);
  line('default: native entry + hookd', hookd, 'hookd started by the first hook; goal +15 ms');
  line('fallback: native entry, no daemon', noDaemon, 'becomes the Node hook; goal +120 ms');
  line('Node hook (--no-native)', warm, '');
  line('Node hook, tracer cold', cold, 'loads and pins the tracer');

  // The two stages alone, against a paused process standing in for the container's init.
  const stage: Record<'prestart' | 'poststop', number[]> = { prestart: [], poststop: [] };
  for (let i = 0; i < N; i++) {
    const sleeper = spawnSync('sh', ['-c', 'sleep 30 >/dev/null 2>&1 & echo $!'], { encoding: 'utf8' });
    const pid = Number(sleeper.stdout.trim());
    const id = `st-bench-stage-${process.pid}-${i}`;
    const state = (status: string) => JSON.stringify({ ociVersion: '1.0.2', id, status, pid, bundle: tracedDir, annotations: { [TRACE_ANNOTATION]: `of:${join(out, 'stage.json')}` } });
    for (const s of ['prestart', 'poststop'] as const) {
      const t0 = process.hrtime.bigint();
      const r = spawnSync(hook.path, [...hook.args.slice(1), s], { input: state(s === 'prestart' ? 'creating' : 'stopped'), encoding: 'utf8' });
      stage[s].push(ms(t0));
      if (r.status !== 0) throw new Error(`${s}: ${r.stderr}`);
      if (s === 'prestart') process.kill(pid, 'SIGKILL');
    }
  }
  const node = [] as number[];
  for (let i = 0; i < N; i++) {
    const t0 = process.hrtime.bigint();
    spawnSync(process.execPath, ['-e', 'require("fs").writeFileSync("/dev/null", require("fs").readFileSync(0))'], { input: '{}' });
    node.push(ms(t0));
  }
  console.log(`  prestart alone   ${median(stage.prestart).toFixed(0).padStart(6)} ms   poststop alone ${median(stage.poststop).toFixed(0)} ms   (node reading stdin, writing a file: ${median(node).toFixed(0)} ms)`);

  // Held per traced container: its slot of the preallocated maps; no process.
  const perSlot = L.TARGET_STATE_BYTES + L.OWNER_BYTES;
  writeBundleConfig(tracedDir, { args: ['sleep', '1'], annotations: { [TRACE_ANNOTATION]: `of:${join(out, 'sleep.json')}` }, hooks: { prestart: [hook], poststop: [hook] } });
  const child = spawnSync('sh', ['-c', `runc run --bundle ${tracedDir} st-bench-mem-${process.pid} & sleep 0.6; ps -eo args | grep "[s]eccomp-tailor-hook" | grep -vc seccomp-tailor-hookd; wait`], { encoding: 'utf8' });
  const resident = Number(child.stdout.trim().split('\n')[0]);
  let mapBytes = 0;
  try {
    const dir = readdirSync(pinRoot).map((d) => join(pinRoot, d)).find((d) => !/^(tmp|gone)-/.test(basename(d)))!;
    for (const m of readdirSync(dir).filter((n) => !n.startsWith('link_'))) {
      const info = spawnSync('bpftool', ['-j', 'map', 'show', 'pinned', join(dir, m)], { encoding: 'utf8' });
      mapBytes += (JSON.parse(info.stdout) as { bytes_memlock?: number }).bytes_memlock ?? 0;
    }
  } catch {
    mapBytes = NaN;
  }
  console.log(`  per traced container: ${(perSlot / 1024).toFixed(2)} KiB of preallocated slot (plus hash entries for what it calls: \`npm run bench -- tracer\`), ${resident} resident processes while it runs`);
  console.log(`  the shared tracer's maps (all ${L.MAX_TARGETS} slots, loaded once): ${(mapBytes / 1048576).toFixed(1)} MiB`);
  await concurrentLatency();
  const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${daemon}/status`, 'utf8'))?.[1];
  console.log(`  hookd (one per machine, not per container; exits after 10 idle minutes): ${(Number(rss) / 1024).toFixed(0)} MiB resident`);
} finally {
  const daemon = startedHookdPid(socket);
  if (daemon) process.kill(daemon, 'SIGTERM');
  Tracer.unloadShared(pinRoot);
  rmSync(work, { recursive: true, force: true });
}
