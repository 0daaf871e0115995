// What an OCI runtime itself calls after it installed the container's seccomp filter and before
// the workload's first execve returns (runc's Go runtime: futex, nanosleep, rt_sigreturn, tgkill,
// ... in some runs and not others). Measured by `seccomp-tailor runtime-needs measure`, shipped
// as product data in src/record/runtime-needs/ (read at run time from the package root), keyed by runtime, version and noNewPrivileges: a recorded
// profile carries the measured union, so replays never fail on a timer signal, and 20 recordings
// of one workload give one profile.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { packagePath } from '../native/package-root.js';
import { writeFileAtomicSync } from '../fs/atomic-write.js';
import { runtimeNeedsMismatch } from '../errors.js';

export interface RuntimeNeedsTable {
  runtime: string;
  version: string;
  /** libseccomp name of the arch the names belong to. */
  arch: string;
  runs: number;
  /** Measured with every CPU kept busy (more Go preemption signals). */
  stress?: boolean;
  measuredAt: string;
  /** Names per noNewPrivileges setting ("true" / "false"). */
  noNewPrivileges: Record<'true' | 'false', string[]>;
}

export const runtimeNeedsDir = (): string => packagePath('src', 'record', 'runtime-needs');

export function loadRuntimeNeedsTables(dir = runtimeNeedsDir()): RuntimeNeedsTable[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
  } catch {
    return [];
  }
  return names.map((n) => JSON.parse(readFileSync(join(dir, n), 'utf8')) as RuntimeNeedsTable);
}

export interface RuntimeNeeds {
  names: string[];
  /** Which table answered, e.g. "runc 1.1.5", or why none did exactly. */
  source: string;
  warning?: string;
}

/**
 * The names to add for `runtime`: both noNewPrivileges variants (the profile may be replayed
 * with either; podman defaults to false, a runc config to true), from the table of this version,
 * else of the nearest version of the same runtime, else of every runtime known, with a warning.
 */
export function runtimeNeedsFor(runtime: string, version: string | undefined, arch: string, tables = loadRuntimeNeedsTables()): RuntimeNeeds {
  const sameArch = tables.filter((t) => t.arch === arch);
  const union = (ts: RuntimeNeedsTable[]) => [...new Set(ts.flatMap((t) => [...t.noNewPrivileges.true, ...t.noNewPrivileges.false]))].sort();
  const exact = sameArch.filter((t) => t.runtime === runtime && t.version === version);
  if (exact.length) return { names: union(exact), source: `${runtime} ${version}` };
  const sameRuntime = sameArch.filter((t) => t.runtime === runtime);
  if (sameRuntime.length) {
    const t = sameRuntime[sameRuntime.length - 1]!;
    return {
      names: union([t]), source: `${runtime} ${t.version}`,
      warning: `no runtime-needs table for ${runtime} ${version ?? '(unknown version)'} on ${arch}; used ${runtime} ${t.version}'s: run \`seccomp-tailor runtime-needs measure --runtime ${runtime}\` and ship the result`,
    };
  }
  return {
    names: union(sameArch), source: `every runtime known (${sameArch.map((t) => `${t.runtime} ${t.version}`).join(', ') || 'none'})`,
    warning: `no runtime-needs table for runtime "${runtime}" on ${arch}; added the union of all known runtimes' needs`,
  };
}

/**
 * The runtime's version, remembered per executable (path, size, mtime) in `cacheDir`: asking a
 * Go binary costs ~10 ms, paid inside every `runc run` otherwise.
 */
export function cachedRuntimeVersion(exe: string, cacheDir: string): string | undefined {
  let st;
  try {
    st = statSync(exe);
  } catch {
    return undefined;
  }
  const key = `${exe}\0${st.size}\0${st.mtimeMs}`;
  const file = join(cacheDir, 'runtime-versions.json');
  let cache: Record<string, string> = {};
  try {
    cache = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch {
    cache = {};
  }
  if (typeof cache[key] === 'string') return cache[key];
  const v = runtimeVersion(exe);
  if (v) {
    try {
      // A cache: a lost write only costs the spawn next time.
      writeFileAtomicSync(file, JSON.stringify({ ...cache, [key]: v }), { mode: 0o600, durability: 'atomic' });
    } catch {
      // a read-only run dir only costs the spawn next time
    }
  }
  return v;
}

type Frequencies = Record<string, Record<string, number>>;

/**
 * Two measurements of the same runtime, version and arch as one: names united, runs and
 * per-name counts summed (a rarely seen call stays in the table once it was seen at all).
 */
export function accumulateNeeds<T extends RuntimeNeedsTable & { frequency?: Frequencies }>(a: T, b: T): T {
  if (a.runtime !== b.runtime || a.version !== b.version || a.arch !== b.arch)
    throw runtimeNeedsMismatch(`${a.runtime} ${a.version} ${a.arch}`, `${b.runtime} ${b.version} ${b.arch}`);
  const names = (k: 'true' | 'false') => [...new Set([...a.noNewPrivileges[k], ...b.noNewPrivileges[k]])].sort();
  const frequency: Frequencies = {};
  for (const k of ['true', 'false']) {
    const f: Record<string, number> = {};
    for (const src of [a.frequency?.[k], b.frequency?.[k]]) for (const [n, c] of Object.entries(src ?? {})) f[n] = (f[n] ?? 0) + c;
    frequency[k] = Object.fromEntries(Object.entries(f).sort(([x], [y]) => (x < y ? -1 : 1)));
  }
  return { ...b, runs: a.runs + b.runs, stress: a.stress === true || b.stress === true, noNewPrivileges: { true: names('true'), false: names('false') }, frequency };
}

/** "runc version 1.1.5+ds1" -> "1.1.5"; "crun version 1.8.1" -> "1.8.1". */
export function runtimeVersion(exe: string): string | undefined {
  const r = spawnSync(exe, ['--version'], { encoding: 'utf8', timeout: 2000 });
  const m = /version\s+v?(\d+\.\d+(?:\.\d+)?)/.exec(r.stdout ?? '');
  return m?.[1];
}
