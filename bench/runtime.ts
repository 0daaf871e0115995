// The shipped runtime against Node.js 20 (the machine's /usr/bin/node), same code, side by side:
//   hook latency: `runc run /bin/true` with the Node hook (prestart + poststop) run by each node,
//                 against the same run with no hook (root only);
//   events speed: `events --json` over a 200,000-line enriched audit log;
//   start-up:     `node -e 0`.
// Interleaved: every variant in turn, order rotated each round, N rounds (default 15); medians
// and the ratio shipped / Node 20 (below 1: the shipped runtime is faster).
// npm run bench -- runtime   (BENCH_ROUNDS=N)
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { makeBundle } from '../src/oci/busybox-bundle.js';
import { TRACE_ANNOTATION } from '../src/oci/annotation.js';
import { hookCommand } from '../src/oci/hooks-config.js';
import { packagePath } from '../src/native/package-root.js';
import { Tracer } from '../src/record/tracer.js';
import { benchHookEnv } from './hook-env.js';
import { fmt, median, rotated } from './stats.js';

const N = Number(process.env.BENCH_ROUNDS ?? process.argv[2] ?? 15);
const SHIPPED = process.execPath;
const NODE20 = process.env.BENCH_OTHER_NODE ?? '/usr/bin/node';
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const versionOf = (node: string) => spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();

if (!existsSync(NODE20)) {
  console.log(`runtime: skipped (${NODE20} is missing: set BENCH_OTHER_NODE to another node)`);
  process.exit(0);
}
console.log(`runtime: shipped ${versionOf(SHIPPED)} (${SHIPPED}) against ${versionOf(NODE20)} (${NODE20}), median of ${N} interleaved rounds`);

/** A 200,000-line enriched audit log from the real sample records, each SECCOMP record its own serial. */
function auditLog(): string {
  const path = '/tmp/st-bench-runtime-200k.log';
  if (existsSync(path) && existsSync(path + '.done')) return path;
  const lines = readFileSync(packagePath('samples/logs/auditd-enriched.log'), 'latin1').split('\n').filter((l) => l && l.length < 500);
  const fd = openSync(path, 'w');
  let serial = 5000;
  const chunk: string[] = [];
  for (let i = 0; i < 200_000; i++) {
    const t = lines[i % lines.length]!;
    chunk.push(t.replace(/msg=audit\((\d+)\.(\d+):\d+\)/, (_m, s: string, f: string) => `msg=audit(${s}.${f}:${++serial})`), '\n');
    if (chunk.length > 20_000) writeSync(fd, Buffer.from(chunk.splice(0).join(''), 'latin1'));
  }
  writeSync(fd, Buffer.from(chunk.join(''), 'latin1'));
  closeSync(fd);
  writeFileSync(path + '.done', '');
  return path;
}

function timed(cmd: string, args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 24 });
  const t = ms(t0);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.toString().slice(-400)}`);
  return t;
}

const results: Record<string, number[]> = {};
const add = (k: string, v: number) => (results[k] ??= []).push(v);
const ratioLine = (label: string, a: number, b: number, unit: string, digits = 0) =>
  console.log(`  ${label.padEnd(30)} shipped ${fmt(a, digits).padStart(6)} ${unit}   Node 20 ${fmt(b, digits).padStart(6)} ${unit}   shipped/Node 20 = ${fmt(a / b, 2)}`);

const log = auditLog();
const cli = packagePath('bin', 'seccomp-tailor');
const isRoot = process.getuid?.() === 0;
const env = isRoot ? benchHookEnv('runtime') : undefined;
let bundles: Record<string, string> = {};
if (env) {
  const traced = (node: string, name: string) => {
    const h = hookCommand(env.config, packagePath('bin', 'seccomp-tailor-hook'), node);
    return makeBundle(join(env.work, name), { args: ['/bin/true'], annotations: { [TRACE_ANNOTATION]: `of:${join(env.out, `${name}.json`)}` }, hooks: { prestart: [h], poststop: [h] } });
  };
  bundles = { plain: makeBundle(join(env.work, 'plain'), { args: ['/bin/true'] }), 'hook shipped': traced(SHIPPED, 'shipped'), 'hook node20': traced(NODE20, 'node20') };
}
/** prestart then poststop of the Node hook on `node`, against a sleeping process standing in for init. */
function stages(node: string, i: number): number {
  const sleeper = spawnSync('sh', ['-c', 'sleep 30 >/dev/null 2>&1 & echo $!'], { encoding: 'utf8' });
  const pid = Number(sleeper.stdout.trim());
  const id = `st-bench-rt-stage-${process.pid}-${i}`;
  const state = (status: string) => JSON.stringify({ ociVersion: '1.0.2', id, status, pid, bundle: bundles.plain, annotations: { [TRACE_ANNOTATION]: `of:${join(env!.out, 'stage.json')}` } });
  let t = 0;
  for (const s of ['prestart', 'poststop'] as const) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(node, [packagePath('bin', 'seccomp-tailor-hook'), '--config', env!.config, s], { input: state(s === 'prestart' ? 'creating' : 'stopped'), encoding: 'utf8' });
    t += ms(t0);
    if (r.status !== 0) throw new Error(`${s}: ${r.stderr}`);
    if (s === 'prestart') process.kill(pid, 'SIGKILL');
  }
  return t;
}

let n = 0;
let stageRuns = 0;
const runc = (bundle: string) => timed('runc', ['run', '--bundle', bundle, `st-bench-rt-${process.pid}-${++n}`]);

try {
  const variants: Record<string, () => number> = {
    'events shipped': () => timed(SHIPPED, [cli, 'events', '--json', log]),
    'events node20': () => timed(NODE20, [cli, 'events', '--json', log]),
    'start shipped': () => timed(SHIPPED, ['-e', '0']),
    'start node20': () => timed(NODE20, ['-e', '0']),
    ...Object.fromEntries(Object.entries(bundles).map(([k, b]) => [k, () => runc(b)])),
    ...(env ? { 'stages shipped': () => stages(SHIPPED, ++stageRuns), 'stages node20': () => stages(NODE20, ++stageRuns) } : {}),
  };
  for (const f of Object.values(variants)) f(); // warm the page cache; the first hook loads and pins the tracer
  for (let round = 0; round < N; round++) for (const k of rotated(Object.keys(variants), round)) add(k, variants[k]!());
  const med = (k: string) => median(results[k]!);
  if (env) {
    const p = med('plain');
    console.log(`  runc run /bin/true without hook: ${fmt(p)} ms`);
    ratioLine('hook latency (added, Node hook)', med('hook shipped') - p, med('hook node20') - p, 'ms');
    ratioLine('prestart + poststop alone', med('stages shipped'), med('stages node20'), 'ms');
  } else console.log('  hook latency: skipped (needs root)');
  ratioLine('events --json, 200k lines', med('events shipped'), med('events node20'), 'ms');
  ratioLine('start-up (node -e 0)', med('start shipped'), med('start node20'), 'ms', 1);
} finally {
  if (env) {
    Tracer.unloadShared(env.pinRoot);
    rmSync(env.work, { recursive: true, force: true });
  }
}
