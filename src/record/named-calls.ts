// The tracer's counts named per arch: a compat call is named with the i386 table, not the
// x86_64 one. Kept free of the schema module (zod) because the hook's poststop uses it.
import { nativeArch, syscallName } from '../native/libseccomp.js';
import { archOfKind as archOfKindOn, type ArchKind, type Phase, type SyscallCount } from './tracer-layout.js';

/** The libseccomp arch name of each tracer arch slot on this machine. */
export const archOfKind = (kind: ArchKind, native = nativeArch()): string => archOfKindOn(kind, native);

export interface RecordedSyscall { arch: string; name: string; nr: number; firstNs: bigint; phase: Phase }

/** Named calls of the given phases; numbers no table knows are returned apart, never guessed. */
export function nameCounts(counts: readonly SyscallCount[], phases: readonly Phase[]): { named: RecordedSyscall[]; unknown: SyscallCount[] } {
  const native = nativeArch();
  const named: RecordedSyscall[] = [];
  const unknown: SyscallCount[] = [];
  for (const c of counts) {
    if (!phases.includes(c.phase)) continue;
    const arch = archOfKind(c.arch, native);
    const name = syscallName(arch, c.nr);
    if (name) named.push({ arch, name, nr: c.nr, firstNs: c.firstNs, phase: c.phase });
    else unknown.push(c);
  }
  return { named, unknown };
}
