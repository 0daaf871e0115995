// npm run bench -- runtime-tail: the runtime tail counted only for tasks the container's filter
// applies to (issue 14). Records busybox /bin/true through the hook under runc, shows which of
// the Go runtime's names (epoll_pwait, nanosleep, sched_yield, tgkill) the profile no longer
// carries, then replays it RUNS times (noNewPrivileges true and false in turn) with every CPU
// kept busy: each replay must exit 0.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { makeBundle, writeBundleConfig } from '../src/oci/busybox-bundle.js';
import { TRACE_ANNOTATION } from '../src/oci/annotation.js';
import { Tracer } from '../src/record/tracer.js';
import { benchHookEnv } from './hook-env.js';

const RUNS = Number(process.env.BENCH_REPLAYS ?? 200);
const GO_TAIL = ['epoll_pwait', 'nanosleep', 'sched_yield', 'tgkill'];

if (process.getuid?.() !== 0) {
  console.log('runtime-tail: skipped (needs root)');
  process.exit(0);
}

const { work, out, pinRoot, hook } = benchHookEnv('tail');
const profilePath = join(out, 'true.json');
const dir = makeBundle(join(work, 'b'), { args: ['/bin/true'], annotations: { [TRACE_ANNOTATION]: `of:${profilePath}` }, hooks: { prestart: [hook], poststop: [hook] } });
let n = 0;
const runc = () => spawnSync('runc', ['run', '--bundle', dir, `st-tail-${process.pid}-${++n}`], { encoding: 'utf8', timeout: 30_000 });
const burners: ReturnType<typeof spawn>[] = [];
try {
  const rec = runc();
  if (rec.status !== 0) throw new Error(`recording failed: ${rec.stderr}`);
  const profile = JSON.parse(readFileSync(profilePath, 'utf8')) as { syscalls: Array<{ names: string[] }> };
  const names = new Set(profile.syscalls.flatMap((s) => s.names));
  console.log(`runtime-tail: recorded /bin/true under runc: ${names.size} names`);
  console.log(`  Go runtime tail names in the profile: ${GO_TAIL.filter((x) => names.has(x)).join(' ') || 'none'}; absent: ${GO_TAIL.filter((x) => !names.has(x)).join(' ') || 'none'}`);
  for (let i = 0; i < cpus().length; i++) burners.push(spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' }));
  let ok = 0;
  const failures: string[] = [];
  const t0 = Date.now();
  for (let i = 0; i < RUNS; i++) {
    writeBundleConfig(dir, { args: ['/bin/true'], seccomp: profile, noNewPrivileges: i % 2 === 0 });
    const r = runc();
    if (r.status === 0) ok++;
    else if (failures.length < 5) failures.push(`run ${i}: ${r.status} ${r.stderr.trim().slice(0, 200)}`);
  }
  console.log(`  replays under CPU stress (${burners.length} busy loops, noNewPrivileges alternating): ${ok}/${RUNS} exit 0 in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  for (const f of failures) console.log(`    ${f}`);
  if (ok !== RUNS) process.exitCode = 1;
} finally {
  for (const b of burners) b.kill('SIGKILL');
  Tracer.unloadShared(pinRoot);
  rmSync(work, { recursive: true, force: true });
}
