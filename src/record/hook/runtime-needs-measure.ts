// `runtime-needs measure`: run busybox /bin/true many times under a filter that allows
// everything (a filter must be installed, or the tracer never sees the runtime's post-filter
// phase), with noNewPrivileges true and false, and take the union of what the runtime called
// between installing the filter and the workload's execve (execve included: it is made under
// the filter). Uses the real prestart hook, so it measures exactly what recordings will see.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeBundle } from '../../oci/busybox-bundle.js';
import { TRACE_ANNOTATION } from '../../oci/annotation.js';
import { packagePath } from '../../native/package-root.js';
import { needsRunFailed } from '../../errors.js';
import { readRunState, removeRunState } from './run-state.js';
import { runtimeVersion, type RuntimeNeedsTable } from '../runtime-needs.js';
import { Tracer } from '../tracer.js';
import { nameCounts } from '../named-calls.js';
import { PHASE } from '../tracer-layout.js';
import { nativeArch } from '../../native/libseccomp.js';

export type MeasurableRuntime = 'runc' | 'crun';

// A filter that allows everything but one call nobody makes: the runtime installs it (phase 1
// starts) and no audit records are produced.
const ALLOW_ALL_FILTER = {
  defaultAction: 'SCMP_ACT_ALLOW',
  syscalls: [{ names: ['kexec_load'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }],
};

/** crun refuses this kind of host's hybrid cgroups; a private cgroup2 mount satisfies it. */
export function crunCommand(args: string[]): { cmd: string; args: string[] } {
  return {
    cmd: 'unshare',
    args: ['-m', '--propagation', 'private', 'sh', '-c',
      'mount -t tmpfs none /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup && exec crun --cgroup-manager=disabled "$@"', 'sh', ...args],
  };
}

export function runtimeCommand(runtime: MeasurableRuntime, args: string[]): { cmd: string; args: string[] } {
  return runtime === 'crun' ? crunCommand(args) : { cmd: 'runc', args };
}

export interface MeasureOptions {
  runtime: MeasurableRuntime;
  runs: number;
  progress?: (line: string) => void;
  /**
   * Keep every CPU busy meanwhile: the Go runtime in runc init preempts with signals (tgkill,
   * rt_sigreturn) and sleeps (nanosleep, futex) mostly when threads compete for CPU, so an idle
   * machine under-measures what a busy CI node will see.
   */
  stress?: boolean;
}

export function measureRuntimeNeeds(o: MeasureOptions): RuntimeNeedsTable & { frequency: Record<string, Record<string, number>> } {
  const work = mkdtempSync(join(tmpdir(), 'st-needs-'));
  const runDir = join(work, 'run');
  const out = join(work, 'out');
  mkdirSync(out);
  const config = join(work, 'hook.json');
  writeFileSync(config, JSON.stringify({ allowedDirs: [out], defaultDir: out, runDir, stateDir: join(work, 'state'), onFailure: 'fail' }), { mode: 0o644 });
  const hook = { path: process.env.ST_HOOK_PATH ?? packagePath('bin', 'seccomp-tailor-hook'), args: ['seccomp-tailor-hook', '--config', config, 'prestart'] };
  const tracer = Tracer.shared();
  const burners = o.stress ? cpus().map(() => spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' })) : [];
  const names: Record<'true' | 'false', Set<string>> = { true: new Set(), false: new Set() };
  const frequency: Record<string, Record<string, number>> = { true: {}, false: {} };
  try {
    for (let i = 0; i < o.runs; i++) {
      // Interleaved, so a machine hiccup does not skew one variant.
      for (const nnp of [true, false]) {
        const id = `st-needs-${process.pid}-${i}-${nnp}`;
        const bundle = makeBundle(join(work, id), {
          args: ['/bin/true'], seccomp: ALLOW_ALL_FILTER, noNewPrivileges: nnp,
          annotations: { [TRACE_ANNOTATION]: `of:${join(out, 'unused.json')}` }, hooks: { prestart: [hook] },
        });
        const { cmd, args } = runtimeCommand(o.runtime, ['run', '--bundle', bundle, id]);
        const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
        const rs = readRunState(runDir, id);
        if (r.status !== 0 || !rs) {
          if (rs) tracer.target(rs.slot, rs.generation).release();
          throw needsRunFailed(o.runtime, r.status, (r.stderr || r.error?.message || '').trim());
        }
        const target = tracer.target(rs.slot, rs.generation);
        try {
          const key = String(nnp) as 'true' | 'false';
          for (const c of nameCounts(target.syscalls(), [PHASE.runtime]).named) {
            names[key].add(c.name);
            frequency[key]![c.name] = (frequency[key]![c.name] ?? 0) + 1;
          }
        } finally {
          target.release();
          removeRunState(runDir, id);
          rmSync(bundle, { recursive: true, force: true });
        }
      }
      o.progress?.(`run ${i + 1}/${o.runs}: ${names.true.size} names (noNewPrivileges) / ${names.false.size} names`);
    }
  } finally {
    for (const b of burners) b.kill('SIGKILL');
    tracer.close();
    rmSync(work, { recursive: true, force: true });
  }
  const exe = o.runtime === 'crun' ? 'crun' : 'runc';
  return {
    runtime: o.runtime, version: runtimeVersion(exe) ?? 'unknown', arch: nativeArch(), runs: o.runs, stress: o.stress === true,
    measuredAt: new Date().toISOString().slice(0, 10),
    noNewPrivileges: { true: [...names.true].sort(), false: [...names.false].sort() },
    frequency,
  };
}
