// The argument facts the tracer records for the few syscalls whose danger lies in their
// arguments (issue 13). The profile builder turns them into OCI `args` rules; an overflowed set
// means "name only", never a rule built from a partial set of values.
import type { ArchKind, ArgSyscall, Phase } from './tracer-layout.js';

export type { ArgSyscall } from './tracer-layout.js';
export interface ArgFact {
  phase: Phase; arch: ArchKind; syscall: ArgSyscall; nr: number;
  /** argument indexes of each tuple, e.g. [0] for clone flags, [0, 2] for socket (domain, protocol) */
  argIndexes: number[];
  /** distinct tuples seen, each value as the raw 64-bit register (bigint), same order as argIndexes */
  values: bigint[][];
  /** the set filled up: more distinct values were seen than kept; use the name alone */
  overflow: boolean;
  /** (with overflow) the syscall was seen where the kernel had no room for its set at all */
  lost?: boolean;
}

import { nativeArch, syscallNumber } from '../native/libseccomp.js';
import { ARCHES, ARCH_KINDS, ARG_INDEXES, ARG_KINDS, ARG_WORDS, ArgSetOffset, NR_SLOTS, archOfKind, argCapacity } from './tracer-layout.js';

/**
 * The program's `cfg_arg_kind[arch][nr]`: which listed syscall each number is, per arch, from
 * libseccomp's tables (x32's numbers carry the 0x40000000 bit there; the program strips it).
 */
export function argKindTable(native = nativeArch()): Buffer {
  const table = Buffer.alloc(ARCHES * NR_SLOTS);
  ARCH_KINDS.forEach((kind, a) => {
    const arch = archOfKind(kind, native);
    ARG_KINDS.forEach((name, i) => {
      let nr: number | undefined;
      try {
        nr = syscallNumber(arch, name);
      } catch {
        nr = undefined; // an arch this libseccomp does not know
      }
      if (nr === undefined) return;
      nr &= ~0x40000000;
      if (nr >= 0 && nr < NR_SLOTS) table[a * NR_SLOTS + nr] = i + 1;
    });
  });
  return table;
}

/** One struct arg_set value as a fact: committed tuples, de-duplicated, in first-seen order. */
export function decodeArgSet(value: Buffer, phase: Phase, arch: ArchKind, kindIndex: number, nr: number): ArgFact {
  const syscall = ARG_KINDS[kindIndex - 1]!;
  const argIndexes = ARG_INDEXES[syscall];
  const width = argIndexes.length;
  const cap = argCapacity(syscall);
  const committed = value.readBigUInt64LE(ArgSetOffset.committed);
  const seen = new Set<string>();
  const values: bigint[][] = [];
  for (let i = 0; i < cap && (i + 1) * width <= ARG_WORDS; i++) {
    if (!(committed & (1n << BigInt(i)))) continue;
    const tuple = Array.from({ length: width }, (_, j) => value.readBigUInt64LE(ArgSetOffset.words + (i * width + j) * 8));
    const key = tuple.join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    values.push(tuple);
  }
  // Reserved but never committed (a program was preempted mid-append, or the set filled):
  // values may be missing, so the set cannot back a rule.
  const reserved = value.readUInt32LE(ArgSetOffset.reserved);
  const overflow = value.readUInt32LE(ArgSetOffset.overflow) !== 0 || reserved > cap || Math.min(reserved, cap) > countBits(committed);
  return { phase, arch, syscall, nr, argIndexes: [...argIndexes], values, overflow };
}

function countBits(n: bigint): number {
  let c = 0;
  for (; n; n >>= 1n) c += Number(n & 1n);
  return c;
}
