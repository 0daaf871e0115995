// The argument facts the tracer records for the few syscalls whose danger lies in their
// arguments (issue 13). The profile builder turns them into OCI `args` rules; an overflowed set
// means "name only", never a rule built from a partial set of values.
import type { ArchKind, Phase } from './tracer-layout.js';

/** Which syscall's arguments a fact is about, and which argument positions it holds. */
export type ArgSyscall = 'clone' | 'unshare' | 'setns' | 'personality' | 'socket' | 'socketpair' | 'prctl' | 'ioctl';
export interface ArgFact {
  phase: Phase; arch: ArchKind; syscall: ArgSyscall; nr: number;
  /** argument indexes of each tuple, e.g. [0] for clone flags, [0, 2] for socket (domain, protocol) */
  argIndexes: number[];
  /** distinct tuples seen, each value as the raw 64-bit register (bigint), same order as argIndexes */
  values: bigint[][];
  /** the set filled up: more distinct values were seen than kept; use the name alone */
  overflow: boolean;
}
