// The libseccomp questions the profile toolbox asks, as one injectable object: the native addon in
// the CLI, fixed tables in unit tests (so they run without the build).
import type { CompileResult, ProfileLike } from '../native/libseccomp.js';
import type { SeccompProfile } from './schema.js';
import { profileArches, type SyscallCatalog } from './syscall-set.js';

export interface Libseccomp extends SyscallCatalog {
  nativeArch(): string;
  /** Every arch libseccomp knows, by libseccomp name. */
  allArches(): string[];
  compile(p: ProfileLike): CompileResult;
}

/** The addon-backed view; loads the addon on first use. */
export async function nativeLibseccomp(): Promise<Libseccomp> {
  const m = await import('../native/libseccomp.js');
  const names = new Map<string, string[]>();
  return {
    nativeArch: () => m.nativeArch(),
    allArches: () => m.architectures().map((a) => a.name),
    names: (arch) => {
      let n = names.get(arch);
      if (!n) names.set(arch, (n = m.syscallTable(arch).map((e) => e.name)));
      return n;
    },
    compile: (p) => m.compileProfile(p),
  };
}

/**
 * A schema-valid profile in the shape the compiler takes (JSON nulls mean "absent"). A Docker-style
 * profile (archMap) is compiled as the runtime would on this host: the native entry's arches, and
 * names none of them has skipped, as runc and Docker skip them.
 */
export function toProfileLike(p: SeccompProfile, lib?: Pick<Libseccomp, 'nativeArch' | 'names'>): ProfileLike {
  let architectures = p.architectures == null ? undefined : [...p.architectures] as string[];
  let keep = (_n: string): boolean => true;
  if (lib && p.archMap?.length) {
    const arches = profileArches(p, lib.nativeArch());
    architectures = [...new Set([...(architectures ?? []), ...arches.map((a) => `SCMP_ARCH_${a.toUpperCase()}`)])];
    const known = new Set(arches.flatMap((a) => lib.names(a)));
    keep = (n) => known.has(n);
  }
  return {
    defaultAction: p.defaultAction,
    ...(p.defaultErrnoRet == null ? {} : { defaultErrnoRet: p.defaultErrnoRet }),
    ...(architectures === undefined ? {} : { architectures }),
    syscalls: (p.syscalls ?? []).map((r) => ({
      names: r.names.filter(keep),
      action: r.action,
      ...(r.errnoRet == null ? {} : { errnoRet: r.errnoRet }),
      ...(r.args == null ? {} : { args: r.args.map((a) => ({ index: a.index, value: a.value, op: a.op, ...(a.valueTwo == null ? {} : { valueTwo: a.valueTwo }) })) }),
    })).filter((r) => r.names.length > 0),
  };
}
