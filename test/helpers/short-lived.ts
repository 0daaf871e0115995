// Shared by the short-lived-container e2e tests (issue 23): each container runs shell builtins only
// (no fork), so every denial comes from its one process; the kernel's count per container is taken
// from audit.log by that process's pid (when known) and the run's time window.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { syscallTable } from '../../src/native/libseccomp.js';
import { proposals, profileDenying, type ProposalLike } from './watch-e2e.js';

export const DENIED = ['times', 'chdir'];
const NUMBERS = new Set(syscallTable('x86_64').filter((s) => DENIED.includes(s.name)).map((s) => s.nr));

export interface Ran {
  id: string;
  /** The profile file named for it (undefined: the engine embeds the profile and forgets the file). */
  profile?: string;
  /** The container's one process on the host, when the engine says it. */
  pid?: number;
  /** Wall-clock seconds around the run. */
  from: number;
  to: number;
}

/** A different number of denials per container: a swap between two containers changes both counts. */
export const script = (i: number) => `${'times >/dev/null; '.repeat(1 + (i % 4))}${'cd /; '.repeat(1 + (i % 3))}true`;

/**
 * The complain profile of container `i`: denies DENIED and makes `acct` fail with errno `100 + i`, so
 * that profiles embedded in the bundle (Docker forgets the file) differ, one proposal each.
 */
export function profileFor(i: number): Record<string, any> {
  const p = profileDenying([...DENIED, 'acct'], 'SCMP_ACT_LOG') as Record<string, any>;
  p.syscalls.push({ names: ['acct'], action: 'SCMP_ACT_ERRNO', errnoRet: 100 + i });
  return p;
}

/**
 * Audit stamps come from the coarse realtime clock (the last tick): up to a jiffy (10 ms at HZ=100)
 * behind the moment they name, never ahead, and truncated to the millisecond.
 */
const STAMP_LAG_S = 0.011;

/** The kernel's records of one run: its pid (if known), its time window, the denied numbers. */
export function kernelCount(r: Ran, lines: string[]): number {
  return lines.filter((l) => {
    const stamp = Number(/audit\((\d+\.\d+):/.exec(l)?.[1]);
    return (r.pid === undefined || l.includes(` pid=${r.pid} `)) && stamp >= r.from - STAMP_LAG_S && stamp <= r.to + 0.001 && NUMBERS.has(Number(/ syscall=(\d+) /.exec(l)?.[1]));
  }).length;
}

export function unattributed(stateDir: string): number {
  try {
    return (JSON.parse(readFileSync(join(stateDir, 'watch', 'state.json'), 'utf8')) as { unattributed?: { count: number } }).unattributed?.count ?? 0;
  } catch {
    return 0;
  }
}

export interface Verdict { wrong: string[]; missing: Ran[]; expectedMissing: number }

/** Per run: the proposal for its profile file (or its embedded profile) names it alone, with the kernel's count. */
export function check(stateDir: string, runs: Ran[], lines: string[]): Verdict {
  const all = proposals(stateDir);
  const wrong: string[] = [];
  const missing: Ran[] = [];
  let expectedMissing = 0;
  for (const r of runs) {
    const want = kernelCount(r, lines);
    const p: ProposalLike | undefined = r.profile ? all.find((x) => x.profile.path === r.profile) : all.find((x) => x.containers.some((c) => c.id === r.id));
    if (!p) {
      missing.push(r);
      expectedMissing += want;
      continue;
    }
    const names = p.containers.map((c) => c.id);
    const got = p.containers.find((c) => c.id === r.id)?.count ?? 0;
    if (names.length !== 1 || names[0] !== r.id || p.otherContainers.containers !== 0 || got !== want) wrong.push(`${r.id}: containers ${JSON.stringify(names)} count ${got}, kernel ${want}`);
  }
  return { wrong, missing, expectedMissing };
}
