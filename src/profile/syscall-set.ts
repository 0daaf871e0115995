// What a profile lets through, by syscall name and by arch. Names in a profile are not per arch: the
// runtime resolves each name for every arch of the filter and skips a name an arch lacks, so the
// per-arch view needs the arch's syscall table (injected, so this file stays pure).
import { isFamilyStandIn } from './families.js';
import { archNameOf, isConditionalRule, isPermitting, type SeccompAction, type SeccompProfile, type ScmpArch } from './schema.js';

/** Which names exist on which arch: the libseccomp tables in production, a fixed table in tests. */
export interface SyscallCatalog {
  names(arch: string): readonly string[];
}

export type Verdict =
  /** A rule permits it with no condition. */
  | { kind: 'allowed'; rule: number; action: SeccompAction }
  /** A rule names it with a non-permitting action: a deliberate block, never proposed for allowing. */
  | { kind: 'blocked-by-rule'; rule: number; action: SeccompAction }
  /** Permitted only for some arguments, capabilities or arches: allowing it outright would widen a deliberate limit. */
  | { kind: 'conditional'; rule: number; action: SeccompAction }
  /** No rule names it: the default action decides. */
  | { kind: 'default'; action: SeccompAction };

const isConditional = isConditionalRule;

/**
 * How the profile treats `syscall`. An unconditional block wins over everything (a profile naming a
 * syscall both ways is reported by validate; here the safe reading is the one that never widens),
 * then an unconditional allow, then a conditional rule, then the default action.
 */
export function verdictFor(profile: SeccompProfile, syscall: string): Verdict {
  let allowed: Verdict | undefined;
  let conditional: Verdict | undefined;
  const rules = profile.syscalls ?? [];
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i]!;
    // The family ENOSYS rule stands for "never seen" (families.ts): the default decides, as without it.
    if (!r.names.includes(syscall) || isFamilyStandIn(r)) continue;
    if (isConditional(r)) conditional ??= { kind: 'conditional', rule: i, action: r.action };
    else if (!isPermitting(r.action)) return { kind: 'blocked-by-rule', rule: i, action: r.action };
    else allowed ??= { kind: 'allowed', rule: i, action: r.action };
  }
  return allowed ?? conditional ?? { kind: 'default', action: profile.defaultAction };
}

/**
 * The libseccomp arch names the filter covers. Docker's `archMap` lists, per native arch, the arches
 * to add; OCI `architectures` lists them flat. With neither, the runtime uses only the native arch.
 */
export function profileArches(profile: SeccompProfile, nativeArch: string): string[] {
  const out = new Set<string>();
  for (const t of profile.architectures ?? []) out.add(archNameOf(t));
  for (const e of profile.archMap ?? []) {
    if (archNameOf(e.architecture) !== nativeArch) continue;
    out.add(archNameOf(e.architecture));
    for (const s of e.subArchitectures ?? []) out.add(archNameOf(s as ScmpArch));
  }
  if (out.size === 0) out.add(nativeArch);
  return [...out].sort();
}

/** Names any permitting rule mentions (conditional ones included: the upper bound of what can run). */
export function permittedNames(profile: SeccompProfile): Set<string> {
  const out = new Set<string>();
  for (const r of profile.syscalls ?? []) if (isPermitting(r.action)) for (const n of r.names) out.add(n);
  return out;
}

/** Names blocked by an unconditional non-permitting rule, with the first such rule. */
export function blockedNames(profile: SeccompProfile): Map<string, { rule: number; action: SeccompAction }> {
  const out = new Map<string, { rule: number; action: SeccompAction }>();
  (profile.syscalls ?? []).forEach((r, i) => {
    if (isPermitting(r.action) || isConditional(r)) return;
    for (const n of r.names) if (!out.has(n)) out.set(n, { rule: i, action: r.action });
  });
  return out;
}

/**
 * Per arch, the names that can run. Under a permitting default that is the arch's whole table minus
 * the blocked names; otherwise the permitted names that exist on that arch.
 */
export function allowedByArch(profile: SeccompProfile, arches: readonly string[], catalog: SyscallCatalog): Map<string, Set<string>> {
  const permitted = permittedNames(profile);
  const blocked = blockedNames(profile);
  const out = new Map<string, Set<string>>();
  for (const arch of arches) {
    const table = catalog.names(arch);
    const names = isPermitting(profile.defaultAction)
      ? table.filter((n) => !blocked.has(n))
      : table.filter((n) => permitted.has(n) && !blocked.has(n));
    out.set(arch, new Set(names));
  }
  return out;
}
