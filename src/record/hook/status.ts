// `status`: the containers being traced right now, from the run-state files and the live tracer
// maps (no daemon to ask). A profile that has not grown for a long time is ready to enforce.
import type { HookConfig } from './config.js';
import { PHASE } from '../tracer-layout.js';
import type { RunState } from './run-state.js';
import { Recording, TracerPool } from './recording.js';
import { monotonicToWallMs } from '../first-seen.js';

export interface TracedContainer {
  id: string;
  /** The profile being recorded; absent when the container is only shadowed. */
  output?: string;
  /** The profile the container shadows (io.seccomp-tailor.shadow). */
  shadow?: string;
  runtime: string;
  startedAt: string;
  /** Distinct (arch, syscall) pairs the workload made so far. */
  workloadSyscalls: number;
  liveTasks: number;
  execs: number;
  /** Wall time a (phase, arch, nr) was first seen last; undefined if none yet. */
  lastNewAt?: string;
  /** The slot is gone (tracer unloaded or reclaimed): the recording is lost. */
  lost?: boolean;
  /** The init is gone but poststop never ran: `flush` finishes it. */
  orphaned?: boolean;
}

/** CLOCK_MONOTONIC ns (bpf_ktime_get_ns) to a wall-clock Date. */
export const monotonicToDate = (ns: bigint): Date => new Date(monotonicToWallMs(ns));

export function tracedContainers(cfg: HookConfig): TracedContainer[] {
  const pool = new TracerPool();
  try {
    return Recording.states(cfg.runDir).map((rs) => describe(rs, cfg.runDir, pool));
  } finally {
    pool.close();
  }
}

function describe(rs: RunState, runDir: string, pool: TracerPool): TracedContainer {
  const base = { id: rs.id, ...(rs.output ? { output: rs.output.path } : {}), ...(rs.shadow ? { shadow: rs.shadow.profile.path } : {}), runtime: rs.engine ? `${rs.engine}/${rs.runtime.name}` : rs.runtime.name, startedAt: rs.startedAt };
  let r: Recording;
  try {
    r = Recording.open(rs, runDir, pool);
  } catch {
    return { ...base, workloadSyscalls: 0, liveTasks: 0, execs: 0, lost: true };
  }
  const st = r.target.state();
  const orphaned = r.gone();
  const workloadSyscalls = r.target.seenCount(PHASE.workload);
  return {
    ...base, workloadSyscalls, liveTasks: st.liveTasks, execs: st.execs, ...(orphaned ? { orphaned } : {}),
    ...(st.lastNewNs > 0n ? { lastNewAt: monotonicToDate(st.lastNewNs).toISOString() } : {}),
  };
}
