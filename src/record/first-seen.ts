// When each syscall of a recording was first seen, as the report's timeline format
// (report/timeline.ts validates it when reading). Written by the hook's poststop, so no zod here.

export type FirstSeen = { name: string; arch: string; firstSeen: string };

/**
 * A timeline from the tracer's counts. Their `firstNs` is bpf_ktime_get_ns(), CLOCK_MONOTONIC, the
 * clock of process.hrtime.bigint(); `clock` pairs one reading of each so the times become wall-clock.
 */
export function timelineFromCalls(
  calls: ReadonlyArray<{ name: string; arch: string; firstNs: bigint }>,
  clock: { wallMs: number; monoNs: bigint } = { wallMs: Date.now(), monoNs: process.hrtime.bigint() },
): FirstSeen[] {
  return calls
    .filter((c) => c.firstNs > 0n)
    .map((c) => ({ name: c.name, arch: c.arch, firstSeen: new Date(clock.wallMs - Number(clock.monoNs - c.firstNs) / 1e6).toISOString() }))
    .sort((a, b) => a.firstSeen.localeCompare(b.firstSeen));
}
