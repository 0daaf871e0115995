// Turns the tracer's counts into an OCI seccomp profile: names from each arch's own table
// (a compat call is named with the i386 table, not the x86_64 one), arches listed.
import { nativeArch, syscallName } from '../native/libseccomp.js';
import { archTokenOf, type ScmpArch, type SeccompProfile } from '../profile/schema.js';
import type { ArchKind, Phase } from './tracer-layout.js';
import type { SyscallCount } from './tracer.js';

/** The libseccomp arch name of each tracer arch slot on this machine. */
export function archOfKind(kind: ArchKind, native = nativeArch()): string {
  if (kind === 'native') return native;
  if (kind === 'x32') return 'x32';
  return native === 'aarch64' ? 'arm' : 'x86';
}

export interface RecordedSyscall { arch: string; name: string; nr: number; count: number; firstNs: bigint; phase: Phase }

/** Named calls of the given phases; numbers no table knows are returned apart, never guessed. */
export function nameCounts(counts: readonly SyscallCount[], phases: readonly Phase[]): { named: RecordedSyscall[]; unknown: SyscallCount[] } {
  const native = nativeArch();
  const named: RecordedSyscall[] = [];
  const unknown: SyscallCount[] = [];
  for (const c of counts) {
    if (!phases.includes(c.phase)) continue;
    const arch = archOfKind(c.arch, native);
    const name = syscallName(arch, c.nr);
    if (name) named.push({ arch, name, nr: c.nr, count: c.count, firstNs: c.firstNs, phase: c.phase });
    else unknown.push(c);
  }
  return { named, unknown };
}

/** Allow-list of exactly these names; everything else fails with EPERM (what podman expects). */
export function profileOf(calls: ReadonlyArray<{ arch: string; name: string }>, extraNames: Iterable<string> = []): SeccompProfile {
  const native = nativeArch();
  const arches = new Set<string>([native, ...calls.map((c) => c.arch)]);
  const architectures = [...arches].map((a) => archTokenOf(a)).filter((t): t is ScmpArch => t !== undefined).sort();
  const names = [...new Set([...calls.map((c) => c.name), ...extraNames])].sort();
  return {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: 1,
    architectures,
    syscalls: [{ names, action: 'SCMP_ACT_ALLOW' }],
  } as SeccompProfile;
}
