// ENOSYS for the newer members of syscall families (families-table.ts). runc answers ENOSYS only
// above the highest syscall number a profile names, and a recorded profile names recent ones (its
// runtime's own post-filter calls), so a newer variant the recording never saw gets the default
// errno (EPERM) and libc does not fall back: the updated image fails. An explicit
// SCMP_ACT_ERRNO/38 rule for that variant makes libc retry with the older call the profile allows.
// Pure and zod-free (the OCI hook builds profiles with it): existence per arch is injected.
import { FAMILIES, NEWER_MEMBERS, type SyscallFamily } from './families-table.js';

export const ENOSYS = 38;
/** EPERM: what Docker's and podman's profiles answer by default. */
const EPERM = 1;

export type FamilyMode = 'enosys' | 'allow' | 'off';
export const FAMILY_MODES: readonly FamilyMode[] = ['enosys', 'allow', 'off'];

/** Marks the rule this module writes (kept by every runtime, which ignore `comment`). */
export const FAMILY_COMMENT = 'ENOSYS: newer calls the recording never saw, so libc falls back to the older call it allows';

interface Rule {
  names: readonly string[];
  action: string;
  errnoRet?: number | null;
  args?: readonly unknown[] | null;
  includes?: unknown;
  excludes?: unknown;
  comment?: string | null;
}
export interface FamilyProfile {
  defaultAction: string;
  defaultErrnoRet?: number | null;
  architectures?: readonly string[] | null;
  syscalls?: readonly Rule[] | null;
}

export interface FamilyOptions {
  mode: FamilyMode;
  /** Under `allow`, allow clone3 too (its flags are behind a pointer seccomp cannot read). Default: ENOSYS. */
  allowClone3?: boolean;
  /** Whether `name` exists on any of the profile's arches (libseccomp's table); absent: every name does. */
  exists?: (name: string, arches: readonly string[]) => boolean;
  /** libseccomp arch names when the profile lists none. */
  nativeArch?: string;
}

export interface FamilyNote {
  syscall: string;
  family: string;
  note: string;
}

export interface FamilyResult<P> {
  profile: P;
  /** Newer members now answered with ENOSYS. */
  enosys: string[];
  /** Newer members now allowed by name (`allow`). */
  allowed: string[];
  notes: FamilyNote[];
}

const PERMITTING = new Set(['SCMP_ACT_ALLOW', 'SCMP_ACT_LOG']);
const isPlainAllow = (r: Rule): boolean =>
  r.action === 'SCMP_ACT_ALLOW' && !(r.args?.length) && r.errnoRet == null && !hasFilter(r.includes) && !hasFilter(r.excludes);
function hasFilter(f: unknown): boolean {
  if (!f || typeof f !== 'object') return false;
  return Object.values(f as Record<string, unknown>).some((v) => (Array.isArray(v) ? v.length > 0 : v !== undefined && v !== null && v !== ''));
}

/**
 * A rule answering ENOSYS for newer family members only, unconditionally: the shape this module
 * writes (and `record --clone3-enosys`). Such a rule stands for "never seen", not a deliberate block.
 */
export function isFamilyEnosysRule(r: Rule): boolean {
  return r.action === 'SCMP_ACT_ERRNO' && r.errnoRet === ENOSYS && !(r.args?.length) && !hasFilter(r.includes) && !hasFilter(r.excludes) &&
    r.names.length > 0 && r.names.every((n) => NEWER_MEMBERS.has(n));
}

/** A family ENOSYS rule this module wrote: it stands for "never seen", so a proposal may allow its names. */
export const isFamilyStandIn = (r: Rule): boolean => r.comment === FAMILY_COMMENT && isFamilyEnosysRule(r);

/** libseccomp arch names of a profile (`SCMP_ARCH_X86_64` -> `x86_64`), or the native one. */
function archesOf(p: FamilyProfile, nativeArch?: string): string[] {
  const out = (p.architectures ?? []).map((t) => t.replace(/^SCMP_ARCH_/, '').toLowerCase());
  if (out.length === 0 && nativeArch) out.push(nativeArch);
  return out;
}

export interface FamilyGap {
  family: SyscallFamily;
  /** The newer member no rule names. */
  name: string;
  /** The older members the profile allows. */
  olderAllowed: string[];
}

/**
 * Newer family members no rule names while an older member is allowed (by name or with arguments),
 * that exist on one of the profile's arches. `extra` counts as allowed too (names a patch adds).
 */
export function familyGaps(p: FamilyProfile, opts: Pick<FamilyOptions, 'exists' | 'nativeArch'> = {}, extra: Iterable<string> = []): FamilyGap[] {
  const rules = p.syscalls ?? [];
  const permitted = new Set<string>(extra);
  const named = new Set<string>(extra);
  for (const r of rules) for (const n of r.names) {
    named.add(n);
    if (PERMITTING.has(r.action)) permitted.add(n);
  }
  const arches = archesOf(p, opts.nativeArch);
  const out: FamilyGap[] = [];
  for (const family of FAMILIES) {
    family.members.forEach((member, i) => {
      if (i === 0 || named.has(member.name)) return;
      const olderAllowed = family.members.slice(0, i).map((x) => x.name).filter((n) => permitted.has(n));
      if (!olderAllowed.length) return;
      if (member.only && arches.length && !arches.some((a) => member.only!.includes(a))) return;
      if (opts.exists && !opts.exists(member.name, arches)) return;
      if (out.some((g) => g.name === member.name)) return;
      out.push({ family, name: member.name, olderAllowed });
    });
  }
  return out;
}

/**
 * The profile with family rules: under `enosys` one SCMP_ACT_ERRNO/38 rule for every newer member
 * no rule names whose older member is allowed; under `allow` those members are allowed by name
 * (clone3 stays ENOSYS unless `allowClone3`); `off` adds nothing. A denying default gets an
 * explicit `defaultErrnoRet` (EPERM when it had none). A profile whose default permits is returned
 * as it is. Idempotent: a member some rule already names is left to that rule.
 */
export function withFamilyRules<P extends FamilyProfile>(profile: P, opts: FamilyOptions): FamilyResult<P> {
  const result: FamilyResult<P> = { profile, enosys: [], allowed: [], notes: [] };
  if (PERMITTING.has(profile.defaultAction)) return result;
  const out = { ...profile } as P & { defaultErrnoRet?: number | null; syscalls?: Rule[] | null };
  if (out.defaultAction === 'SCMP_ACT_ERRNO' && out.defaultErrnoRet == null) out.defaultErrnoRet = EPERM;
  result.profile = out;
  if (opts.mode === 'off') return result;
  for (const gap of familyGaps(profile, opts)) {
    const older = gap.olderAllowed.join(', ');
    if (opts.mode === 'allow' && (gap.name !== 'clone3' || opts.allowClone3)) {
      result.allowed.push(gap.name);
      result.notes.push({
        syscall: gap.name, family: gap.family.id,
        note: `allowed by name although never seen (--families allow), because ${older} is` +
          (gap.name === 'clone3' ? ': its flags are behind a pointer seccomp cannot read, so it can create namespaces whatever the clone rule says' : ''),
      });
    } else {
      result.enosys.push(gap.name);
      result.notes.push({ syscall: gap.name, family: gap.family.id, note: `fails with ENOSYS (never seen; ${older} allowed): ${gap.family.fallback}` });
    }
  }
  const rules = [...(out.syscalls ?? [])];
  if (result.allowed.length) {
    const at = rules.findIndex(isPlainAllow);
    if (at >= 0) rules[at] = { ...rules[at]!, names: [...rules[at]!.names, ...result.allowed] };
    else rules.push({ names: [...result.allowed], action: 'SCMP_ACT_ALLOW' });
  }
  if (result.enosys.length) rules.push({ names: [...result.enosys].sort(), action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS, comment: FAMILY_COMMENT });
  if (result.allowed.length || result.enosys.length) out.syscalls = rules;
  result.enosys.sort();
  result.allowed.sort();
  return result;
}

/** Risk note for a name `--families allow` added (shown by record and enforce). */
export const familyAllowWarning = (r: FamilyResult<unknown>): string | undefined =>
  r.allowed.length ? `--families allow: ${r.allowed.join(', ')} allowed by name although the recording never saw them (wider than the recording; the default, enosys, makes libc fall back instead)` : undefined;
