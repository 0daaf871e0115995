// How often poststop asks the kernel for what a slot recorded: the bpf(2) calls of one poststop
// (strace -c), for a recorded container and for one both recorded and shadowed, with a workload
// of a few dozen syscalls. Each write poststop makes (the profile, its timeline, the history
// line, the shadow findings) is built from the slot; the count says whether the slot is read
// once or once per write. Run as root: npm run bench -- poststop-reads [N]
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeBundle } from '../src/oci/busybox-bundle.js';
import { SHADOW_ANNOTATION, TRACE_ANNOTATION } from '../src/oci/annotation.js';
import { Tracer } from '../src/record/tracer.js';
import { benchHookEnv } from './hook-env.js';
import { median } from './stats.js';

const N = Number(process.argv[2] ?? 5);
if (process.getuid?.() !== 0) {
  console.log('poststop-reads: skipped (needs root)');
  process.exit(0);
}
if (spawnSync('strace', ['-V']).status !== 0) {
  console.log('poststop-reads: skipped (needs strace)');
  process.exit(0);
}

const { work, out, pinRoot, hook } = benchHookEnv('reads');
// The hook as runc runs it, under strace for its poststop only (prestart is not what is measured).
const wrapper = join(work, 'hook-strace');
writeFileSync(wrapper, `#!/bin/sh\ncase " $* " in *" poststop "*) exec strace -f -c -e trace=bpf -o "${work}/strace.$$" "${hook.path}" "$@";; esac\nexec "${hook.path}" "$@"\n`);
chmodSync(wrapper, 0o755);
const stage = (s: string) => ({ path: wrapper, args: [...hook.args, s] });
writeFileSync(join(out, 'shadowed.json'), JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' }] }));

// A profile file of its own per run: the hook refuses to replace one another container wrote.
const variants: Record<string, (output: string) => Record<string, string>> = {
  recorded: (output) => ({ [TRACE_ANNOTATION]: `of:${output}` }),
  'recorded and shadowed': (output) => ({ [TRACE_ANNOTATION]: `of:${output}`, [SHADOW_ANNOTATION]: join(out, 'shadowed.json') }),
};
const calls: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
try {
  for (let i = 0; i < N; i++) {
    for (const [name, annotations] of Object.entries(variants)) {
      const output = join(out, `p${i}-${name.length}.json`);
      const dir = makeBundle(join(work, `b${i}-${name.length}`), {
        args: ['/bin/sh', '-c', 'ls / >/dev/null; uname -a >/dev/null; cat /proc/self/status >/dev/null'],
        annotations: annotations(output), hooks: { prestart: [stage('prestart')], poststop: [stage('poststop')] },
      });
      const r = spawnSync('runc', ['run', '--bundle', dir, `reads-${process.pid}-${i}-${name.length}`], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`runc run failed: ${r.stderr.trim()}`);
      // A poststop that failed reads less: only a run that wrote its profile and timeline counts.
      if (!existsSync(output) || !existsSync(`${output}.timeline.json`)) throw new Error(`poststop wrote no profile for ${name}: ${readFileSync(join(work, 'run', 'hook.log'), 'utf8').trim().split('\n').pop()}`);
      const files = readdirSync(work).filter((f) => f.startsWith('strace.'));
      if (files.length !== 1) throw new Error(`expected one strace summary, found ${files.length}`);
      const summary = readFileSync(join(work, files[0]!), 'utf8');
      rmSync(join(work, files[0]!));
      // strace -c's row: % time, seconds, usecs/call, calls, [errors,] syscall
      const row = summary.split('\n').find((l) => /\sbpf$/.test(l));
      calls[name]!.push(row ? Number(row.trim().split(/\s+/)[3]) : 0);
    }
  }
  for (const [name, xs] of Object.entries(calls)) console.log(`${name.padEnd(22)} poststop bpf(2) calls: median ${median(xs)} (runs: ${xs.join(', ')})`);
} finally {
  Tracer.unloadShared(pinRoot);
  rmSync(work, { recursive: true, force: true });
}
