// When each syscall of a recording was first seen, as the report's timeline format
// (report/timeline.ts validates it when reading). Written by the hook's poststop, so no zod here.

export type FirstSeen = { name: string; arch: string; firstSeen: string };

/** One reading of the wall clock and of CLOCK_MONOTONIC, taken together. */
export interface ClockPair { wallMs: number; monoNs: bigint }
export const clockNow = (): ClockPair => ({ wallMs: Date.now(), monoNs: process.hrtime.bigint() });

/** A CLOCK_MONOTONIC time (bpf_ktime_get_ns, process.hrtime.bigint) as wall-clock ms, through `clock`. */
export const monotonicToWallMs = (ns: bigint, clock: ClockPair = clockNow()): number => clock.wallMs - Number(clock.monoNs - ns) / 1e6;

/**
 * A timeline from the tracer's counts. Their `firstNs` is bpf_ktime_get_ns(), CLOCK_MONOTONIC, the
 * clock of process.hrtime.bigint(); `clock` pairs one reading of each so the times become wall-clock.
 */
export function timelineFromCalls(
  calls: ReadonlyArray<{ name: string; arch: string; firstNs: bigint }>,
  clock: ClockPair = clockNow(),
): FirstSeen[] {
  return calls
    .filter((c) => c.firstNs > 0n)
    .map((c) => ({ name: c.name, arch: c.arch, firstSeen: new Date(monotonicToWallMs(c.firstNs, clock)).toISOString() }))
    .sort((a, b) => a.firstSeen.localeCompare(b.firstSeen));
}
