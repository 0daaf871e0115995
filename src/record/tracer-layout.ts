// Mirrors bpf/tracer.h byte for byte. If you change one, change the other; the tracer test
// checks these numbers against the loaded object's map definitions.
export const MAX_TARGETS = 64;
export const NR_SLOTS = 1024;
export const ARCHES = 3;
export const PHASES = 3;
export const SLOTS_PER_TARGET = PHASES * ARCHES * NR_SLOTS;

/** Index 0..2 of the `arch` dimension. */
export const ARCH_KINDS = ['native', 'compat', 'x32'] as const;
export type ArchKind = (typeof ARCH_KINDS)[number];

/** 0: runtime set-up, 1: after the filter install until exec, 2: after the first execve. */
export type Phase = 0 | 1 | 2;
export const PHASE = { setup: 0, runtime: 1, workload: 2 } as const satisfies Record<string, Phase>;

/** struct syscall_count: two u64 (count, first_ns). */
export const COUNT_WORDS = 2;

/** struct target_state, as u64 word offsets (generation and phase share word 0). */
export const TARGET_STATE_BYTES = 128;
export const TargetWord = {
  generationAndPhase: 0, initialTasks: 1, forks: 2, exits: 3, execs: 4,
  lastNewNs: 5, filterNs: 6, execNs: 7, dropped: 8,
} as const;

/** struct task_tag */
export const TASK_TAG_BYTES = 8;

/** target_owners value: u64[4] = pid, start time (clock ticks since boot), claimed at (ms), generation. */
export const OWNER_BYTES = 32;

export function countIndex(slot: number, phase: number, arch: number, nr: number): number {
  return ((slot * PHASES + phase) * ARCHES + arch) * NR_SLOTS + nr;
}
