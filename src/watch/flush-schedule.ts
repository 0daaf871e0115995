// When the engine writes its proposals and state next: a pure function, so that its bounds have a
// table test. Denials wait at most --flush-ms after the last write; a checkpoint alone (lines that
// were no SECCOMP record) can wait a second, since replaying a second of other lines after a
// crash costs nothing.

/**
 * A flush waits at least this many times as long as flushes take (smoothed): writes (fsynced
 * proposals and state) use at most about a sixth of the time whatever the disk and however many
 * proposals a flood dirties, and the interval is back at --flush-ms once writes are cheap again.
 */
export const FLUSH_DUTY_FACTOR = 5;
/** However slow the disk, the interval stays below this. */
export const MAX_FLUSH_INTERVAL_MS = 2000;
/**
 * Weight of the newest flush in the smoothed cost: one fsync that stalls (another process
 * syncing a busy disk) must not hold back the next several writes, a disk that stays slow must.
 */
export const FLUSH_COST_WEIGHT = 0.25;

/** The smoothed flush cost after a flush that took `sampleMs`. */
export function smoothFlushCost(previousMs: number, sampleMs: number): number {
  return previousMs + FLUSH_COST_WEIGHT * (sampleMs - previousMs);
}
/** A checkpoint with no denial behind it waits at least this long. */
const CHECKPOINT_ONLY_MS = 1000;

export interface FlushTiming {
  /** When the last flush started (ms, Date.now()); 0 before the first. */
  lastStart: number;
  /** How long flushes take (ms), smoothed by smoothFlushCost. */
  cost: number;
  /** --flush-ms. */
  intervalMs: number;
}

/** The time (ms) at which the next flush is due; at or before now means at once. */
export function flushDueAt(t: FlushTiming, denialsPending: boolean): number {
  const bounded = Math.max(t.intervalMs, Math.min(MAX_FLUSH_INTERVAL_MS, FLUSH_DUTY_FACTOR * t.cost));
  return t.lastStart + (denialsPending ? bounded : Math.max(CHECKPOINT_ONLY_MS, bounded));
}
