// Mirrors bpf/tracer.h byte for byte. If you change one, change the other; the tracer test
// checks these numbers against the loaded object's map definitions.
export const MAX_TARGETS = 1024;
export const NR_SLOTS = 1024;
export const ARCHES = 3;
export const PHASES = 3;
export const SEEN_WORDS = (PHASES * ARCHES * NR_SLOTS) / 64;
export const FIRST_SEEN_ENTRIES = 1 << 17;

/** Index 0..2 of the `arch` dimension. */
export const ARCH_KINDS = ['native', 'compat', 'x32'] as const;
export type ArchKind = (typeof ARCH_KINDS)[number];

/** 0: runtime set-up, 1: after the filter install until exec, 2: after the first execve. */
export type Phase = 0 | 1 | 2;
export const PHASE = { setup: 0, runtime: 1, workload: 2 } as const satisfies Record<string, Phase>;

/** struct target_state's two u32 fields, as byte offsets (they share word 0). */
export const TargetStateOffset = { generation: 0, phase: 4 } as const;
/** struct target_state, as u64 word offsets (generation and phase share word 0). */
export const TARGET_STATE_BYTES = 128 + SEEN_WORDS * 8;
export const TARGET_STATE_WORDS = TARGET_STATE_BYTES / 8;
export const TargetWord = {
  generationAndPhase: 0, initialTasks: 1, forks: 2, exits: 3, execs: 4,
  lastNewNs: 5, filterNs: 6, execNs: 7, dropped: 8, calls: 9, firstLost: 10, argsLost: 11,
  unfilteredTail: 12, argSets: 13, argSetCount: 14, seen: 16,
} as const;

/** Bit of (phase, arch, nr) in target_state.seen, and back. */
export const seenBit = (phase: number, arch: number, nr: number): number => (phase * ARCHES + arch) * NR_SLOTS + nr;
export function seenOfBit(bit: number): { phase: number; arch: number; nr: number } {
  const nr = bit % NR_SLOTS;
  const pa = (bit - nr) / NR_SLOTS;
  return { phase: Math.floor(pa / ARCHES), arch: pa % ARCHES, nr };
}

/** One (phase, arch, nr) a target called; firstNs is 0 for phase 0 (set-up), which keeps none. */
export interface SyscallCount { phase: Phase; arch: ArchKind; nr: number; firstNs: bigint }

/** The libseccomp arch name of each tracer arch slot, on a host whose native arch is `native`. */
export function archOfKind(kind: ArchKind, native: string): string {
  if (kind === 'native') return native;
  if (kind === 'x32') return 'x32';
  return native === 'aarch64' ? 'arm' : 'x86';
}

/** struct tracer_control: u64 claims, then one byte per slot. */
export const CONTROL_ACTIVE_OFFSET = 8;

/** struct first_seen_key { u32 target; u16 nr; u8 phase; u8 arch } */
export function firstSeenKey(slot: number, phase: number, arch: number, nr: number): Buffer {
  const k = Buffer.alloc(8);
  k.writeUInt32LE(slot, 0);
  k.writeUInt16LE(nr, 4);
  k.writeUInt8(phase, 6);
  k.writeUInt8(arch, 7);
  return k;
}

/** TRACER_ARG_* kinds, 1-based, in the order of ArgSyscall's members. */
export const ARG_KINDS = ['clone', 'unshare', 'setns', 'personality', 'socket', 'socketpair', 'prctl', 'ioctl'] as const;
/** Argument positions each kind keeps (setns' nstype and ioctl's request are the second). */
export const ARG_INDEXES: Record<(typeof ARG_KINDS)[number], number[]> = {
  clone: [0], unshare: [0], setns: [1], personality: [0], socket: [0, 2], socketpair: [0], prctl: [0], ioctl: [1],
};
/** TRACER_ARG_SETS_PER_TARGET: argument sets one recording may hold, its share of the shared map. */
export const ARG_SETS = MAX_TARGETS * 16;
export const ARG_SETS_PER_TARGET = ARG_SETS / MAX_TARGETS;
/** Distinct tuples a set keeps before it overflows. */
export const argCapacity = (kind: (typeof ARG_KINDS)[number]): number => (kind === 'ioctl' ? 32 : 8);
export const ARG_WORDS = 32;
/** struct arg_set: u32 reserved, u32 overflow, u64 committed, u64 words[32], as byte offsets. */
export const ArgSetOffset = { reserved: 0, overflow: 4, committed: 8, words: 16 } as const;
export const ARG_SET_BYTES = ArgSetOffset.words + ARG_WORDS * 8;
/** Bit of target_state.arg_sets for a set (phase 1 or 2), and back: (phase - 1) * 24 + arch * 8 + kind - 1. */
export const argSetBit = (phase: number, arch: number, kind: number): number => (phase - 1) * ARCHES * ARG_KINDS.length + arch * ARG_KINDS.length + kind - 1;
export function argSetOfBit(bit: number): { phase: number; arch: number; kind: number } {
  const perPhase = ARCHES * ARG_KINDS.length;
  return { phase: 1 + Math.floor(bit / perPhase), arch: Math.floor((bit % perPhase) / ARG_KINDS.length), kind: (bit % ARG_KINDS.length) + 1 };
}
/** The sets whose bits are set in a target_state.arg_sets word. */
export function argSetsOf(present: bigint): Array<{ phase: number; arch: number; kind: number }> {
  const out: Array<{ phase: number; arch: number; kind: number }> = [];
  for (let bit = 0; present >> BigInt(bit); bit++) if ((present >> BigInt(bit)) & 1n) out.push(argSetOfBit(bit));
  return out;
}
/** The argument-fact syscalls, by their TRACER_ARG_* kind. */
export type ArgSyscall = (typeof ARG_KINDS)[number];

/** struct arg_set_key { u32 target; u8 phase; u8 arch; u8 kind; u8 pad } */
export function argSetKey(slot: number, phase: number, arch: number, kind: number): Buffer {
  const k = Buffer.alloc(8);
  k.writeUInt32LE(slot, 0);
  k.writeUInt8(phase, 4);
  k.writeUInt8(arch, 5);
  k.writeUInt8(kind, 6);
  return k;
}

/** struct task_tag */
export const TASK_TAG_BYTES = 8;

/** target_owners value: u64[4] = pid, start time (clock ticks since boot), claimed at (ms), generation. */
export const OWNER_BYTES = 32;
/** Who claimed a slot (user space writes and reads it; the program only holds the map). */
export interface SlotOwner { pid: number; startTime: number; claimedAtMs: number; generation: number }
export function encodeOwner(o: SlotOwner): Buffer {
  const b = Buffer.alloc(OWNER_BYTES);
  [o.pid, o.startTime, o.claimedAtMs, o.generation].forEach((v, i) => b.writeBigUInt64LE(BigInt(v), i * 8));
  return b;
}
export function decodeOwner(v: Buffer): SlotOwner {
  const w = (i: number) => Number(v.readBigUInt64LE(i * 8));
  return { pid: w(0), startTime: w(1), claimedAtMs: w(2), generation: w(3) };
}
