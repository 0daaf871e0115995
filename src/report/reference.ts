// What every report is measured against, whatever its profile comes from: the syscall catalog of
// the machine's libseccomp and the reference profile (podman's default, or --default-profile).
import { nativeLibseccomp } from '../profile/libseccomp-view.js';
import type { SyscallCatalog } from '../profile/syscall-set.js';
import type { SeccompProfile } from '../profile/schema.js';
import { loadDefaultProfile, PODMAN_DEFAULT_PROFILE } from '../profile/stats.js';

export interface ReportReference {
  catalog: SyscallCatalog;
  nativeArch: string;
  defaultProfile?: SeccompProfile;
  defaultSource?: string;
}

/** `defaultProfile`: the reference profile's path (default: podman's); absent when it cannot be read. */
export async function reportReference(defaultProfile?: string): Promise<ReportReference> {
  const defaultSource = defaultProfile ?? PODMAN_DEFAULT_PROFILE;
  const reference = await loadDefaultProfile(defaultSource);
  const catalog = await nativeLibseccomp();
  return { catalog, nativeArch: catalog.nativeArch(), ...(reference ? { defaultProfile: reference, defaultSource } : {}) };
}
