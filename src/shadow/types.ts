// What a shadowed container did, as the tracer saw it, and what the shadowed profile would have
// denied of it. Shared by the tracer side (core: snapshots every <= 250 ms) and the evaluation side
// (evaluate.ts, spool.ts, the watcher's shadow-spool source). Plain data, no zod: the hook and
// hookd build these on their hot path.

/** One syscall (per arch) a shadowed container made, with the argument facts the tracer keeps. */
export interface ObservedCall {
  /** libseccomp arch name: x86_64, x86, x32, aarch64, arm, ... */
  arch: string;
  name: string;
  nr: number;
  firstSeenMs: number;
  lastSeenMs?: number;
  /** Calls counted by the tracer, where it keeps a count. */
  count?: number;
  /**
   * The distinct argument tuples seen (each value the raw 64-bit register), for the syscalls whose
   * danger lies in their arguments (src/record/arg-facts.ts). `overflow`: more distinct tuples were
   * seen than kept, so some values are unknown.
   */
  args?: { indexes: number[]; tuples: bigint[][]; overflow: boolean };
}

/** A call the shadowed profile would deny: by name (no rule lets the name through) or by argument. */
export interface ShadowDenial {
  arch: string;
  name: string;
  nr: number;
  /** For an argument denial: the values of the tuple the profile would deny. */
  tuple?: Array<{ index: number; value: bigint }>;
  firstSeenMs: number;
  lastSeenMs: number;
  count?: number;
  reason: 'name' | 'argument';
}

/**
 * A call whose fate the evaluator cannot decide: the profile's rule for it tests an argument the
 * tracer does not keep, or the tracer's tuple set overflowed. Reported (never silently dropped),
 * never turned into a proposal.
 */
export interface ShadowUndecided {
  arch: string;
  name: string;
  nr: number;
  why: string;
}
