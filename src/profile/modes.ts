// Complain and enforce variants of a profile. The kernel writes an audit record for a seccomp
// decision only for LOG and KILL actions, or for ERRNO/TRAP when the filter was loaded with
// SECCOMP_FILTER_FLAG_LOG (seccomp(2), "SECCOMP_FILTER_FLAG_LOG"); without one the watcher sees nothing.
import type { SeccompProfile } from './schema.js';

export interface ModeResult {
  profile: SeccompProfile;
  warnings: string[];
}

/** Allow everything, but log what the allow-list does not name: the recording's missing syscalls. */
export function complainProfile(p: SeccompProfile): ModeResult {
  const { defaultErrnoRet: _drop, ...rest } = p;
  return { profile: { ...rest, defaultAction: 'SCMP_ACT_LOG' }, warnings: [] };
}

export type EnforceMode = 'errno' | 'kill';

export interface EnforceOptions {
  mode: EnforceMode;
  /**
   * Whether the runtime accepts `"flags"`. runc before 1.2 refuses any profile that has them
   * (runc 1.1.5 here does), crun and runc >= 1.2 accept SECCOMP_FILTER_FLAG_LOG.
   */
  runtimeSupportsFlags: boolean;
  /** errno for denied calls when the profile has none; EPERM, as Docker and podman use. */
  errno?: number;
}

export function enforceProfile(p: SeccompProfile, opts: EnforceOptions): ModeResult {
  const warnings: string[] = [];
  const { defaultErrnoRet, flags, ...rest } = p;
  const otherFlags = (flags ?? []).filter((f) => f !== 'SECCOMP_FILTER_FLAG_LOG');
  if (opts.mode === 'kill') {
    // KILL_PROCESS is always logged; no flag needed, and none is added.
    const out: SeccompProfile = { ...rest, defaultAction: 'SCMP_ACT_KILL_PROCESS' };
    if (flags?.length) {
      if (opts.runtimeSupportsFlags) out.flags = flags;
      else dropFlags(flags, warnings);
    }
    return { profile: out, warnings };
  }
  const out: SeccompProfile = { ...rest, defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: defaultErrnoRet ?? opts.errno ?? 1 };
  if (opts.runtimeSupportsFlags) {
    out.flags = [...otherFlags, 'SECCOMP_FILTER_FLAG_LOG'];
  } else {
    warnings.push('the runtime does not accept seccomp "flags" (runc before 1.2): denials of this profile will NOT be logged, so the watcher cannot propose fixes; use crun, runc >= 1.2, or --mode kill');
    if (otherFlags.length) dropFlags(otherFlags, warnings);
  }
  return { profile: out, warnings };
}

function dropFlags(flags: readonly string[], warnings: string[]): void {
  warnings.push(`dropped flags ${flags.join(', ')}: the runtime refuses profiles with "flags"`);
}
