// withFamilyRules with this host's libseccomp saying which names exist on the profile's arches (a
// rule naming a syscall none of them has would not compile). Zod-free: the OCI hook calls it.
import { nativeArch, syscallNumber } from '../native/libseccomp.js';
import { withFamilyRules, type FamilyMode, type FamilyProfile, type FamilyResult } from './families.js';

export const existsOnSome = (name: string, arches: readonly string[]): boolean => arches.some((a) => syscallNumber(a, name) !== undefined);

export function withNativeFamilyRules<P extends FamilyProfile>(profile: P, mode: FamilyMode = 'enosys', allowClone3 = false): FamilyResult<P> {
  return withFamilyRules(profile, { mode, allowClone3, exists: existsOnSome, nativeArch: nativeArch() });
}
