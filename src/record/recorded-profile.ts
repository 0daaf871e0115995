// Named calls (named-calls.ts) as an OCI seccomp profile, arches listed.
import { nativeArch } from '../native/libseccomp.js';
import { archTokenOf, type ScmpArch, type SeccompProfile } from '../profile/schema.js';

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
