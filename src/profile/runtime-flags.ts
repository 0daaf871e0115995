// Whether the runtime that will load a profile accepts its `"flags"`. runc added support for
// SECCOMP_FILTER_FLAG_* in 1.2 (runc 1.1.x refuses a profile that has any); crun always had it.
import { spawnSync } from 'node:child_process';

export type RuntimeName = 'crun' | 'runc';

export interface FlagSupport {
  supported: boolean;
  detail: string;
}

export function parseRuncVersion(out: string): [number, number, number] | undefined {
  const m = /runc version (\d+)\.(\d+)\.(\d+)/.exec(out);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

export function runtimeFlagSupport(runtime: RuntimeName, runcBinary = 'runc'): FlagSupport {
  if (runtime === 'crun') return { supported: true, detail: 'crun accepts seccomp flags' };
  const r = spawnSync(runcBinary, ['--version'], { encoding: 'utf8', timeout: 5000 });
  const v = r.status === 0 ? parseRuncVersion(r.stdout) : undefined;
  if (!v) return { supported: false, detail: 'could not tell the runc version; assuming one older than 1.2' };
  const ok = v[0] > 1 || (v[0] === 1 && v[1] >= 2);
  return { supported: ok, detail: `runc ${v.join('.')}${ok ? ' accepts' : ' refuses'} seccomp flags` };
}
