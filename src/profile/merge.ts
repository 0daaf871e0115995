// Union of profiles: several recordings of one workload (e.g. CI runs), optionally on top of a
// baseline. A name blocked by an unconditional rule in any input stays blocked: a recording only
// shows what ran, never that a deliberate block was wrong. Argument rules are a union too: every
// input's rules are kept (libseccomp ORs a syscall's rules, so the merged profile allows exactly
// the values any input allowed), unless a name is allowed by name alone somewhere (then its
// argument rules restrict nothing and are dropped, with a warning) or blocked. Docker-conditional
// rules (capabilities, arches) are kept as written.
import {
  canonicalJson, isArgOnlyRule, isConditionalRule, isPermitting, SCMP_ARCHES,
  type SeccompAction, type SeccompProfile, type SeccompRule, type ScmpArch,
} from './schema.js';
import { FAMILY_COMMENT, isFamilyStandIn } from './families.js';

export interface MergeInput {
  profile: SeccompProfile;
  /** Shown in provenance comments (a file name, a CI run). */
  label: string;
}

export interface MergeOptions {
  /** Group allowed names by the inputs that allow them, with `comment: "seen in: a, b"`. */
  provenance?: boolean;
}

export interface MergeResult {
  profile: SeccompProfile;
  warnings: string[];
}

/**
 * Merges `inputs` into the first one (the baseline): its top-level fields and default action win;
 * architectures and flags are the union; allowed names are the union minus every blocked name.
 */
export function mergeProfiles(inputs: readonly MergeInput[], opts: MergeOptions = {}): MergeResult {
  const [base] = inputs;
  if (!base) throw new Error('mergeProfiles needs at least one profile');
  const warnings: string[] = [];
  for (const i of inputs.slice(1)) {
    if (i.profile.defaultAction !== base.profile.defaultAction) {
      warnings.push(`${i.label}: default action ${i.profile.defaultAction} differs from ${base.label}'s ${base.profile.defaultAction}; keeping ${base.profile.defaultAction}`);
    }
  }

  const blocked = new Map<string, { action: SeccompAction; errnoRet: number | undefined; standIn?: boolean }>();
  const conditional = new Map<string, SeccompRule>();
  // name -> permitting action -> labels of inputs that allow it
  const allowed = new Map<string, Map<SeccompAction, Set<string>>>();
  for (const { profile, label } of inputs) {
    for (const r of profile.syscalls ?? []) {
      if (isConditionalRule(r)) {
        conditional.set(ruleKey(r), r);
      } else if (isPermitting(r.action)) {
        for (const n of r.names) {
          const byAction = allowed.get(n) ?? new Map<SeccompAction, Set<string>>();
          byAction.set(r.action, (byAction.get(r.action) ?? new Set()).add(label));
          allowed.set(n, byAction);
        }
      } else {
        const standIn = isFamilyStandIn(r);
        for (const n of r.names) {
          const had = blocked.get(n);
          if (!had || (had.standIn && !standIn)) blocked.set(n, { action: r.action, errnoRet: r.errnoRet ?? undefined, ...(standIn ? { standIn } : {}) });
        }
      }
    }
  }
  // A family ENOSYS rule stands for "this recording never saw it" (families.ts): another input saw it.
  for (const [n, b] of blocked) if (b.standIn && allowed.has(n)) blocked.delete(n);

  // name -> the one permitting action it gets: ALLOW when any input allows it silently, else LOG.
  const groups = new Map<string, { action: SeccompAction; comment?: string; names: string[] }>();
  for (const [name, byAction] of allowed) {
    if (blocked.has(name)) continue;
    const action: SeccompAction = byAction.has('SCMP_ACT_ALLOW') ? 'SCMP_ACT_ALLOW' : 'SCMP_ACT_LOG';
    const labels = opts.provenance ? [...new Set([...byAction.values()].flatMap((s) => [...s]))].sort() : [];
    const comment = opts.provenance ? `seen in: ${labels.join(', ')}` : undefined;
    const key = `${action}\0${comment ?? ''}`;
    const g = groups.get(key) ?? { action, ...(comment === undefined ? {} : { comment }), names: [] };
    g.names.push(name);
    groups.set(key, g);
  }
  const blockGroups = new Map<string, SeccompRule>();
  for (const [name, b] of blocked) {
    const key = `${b.action}\0${b.errnoRet ?? ''}\0${b.standIn ? 'family' : ''}`;
    const g = blockGroups.get(key) ?? { names: [], action: b.action, ...(b.errnoRet === undefined ? {} : { errnoRet: b.errnoRet }), ...(b.standIn ? { comment: FAMILY_COMMENT } : {}) };
    g.names.push(name);
    blockGroups.set(key, g);
  }

  const conditionalKept: SeccompRule[] = [];
  const widened = new Set<string>();
  for (const r of conditional.values()) {
    if (!isArgOnlyRule(r) || !isPermitting(r.action)) {
      conditionalKept.push(r);
      continue;
    }
    const names = r.names.filter((n) => {
      if (blocked.has(n)) return false;
      const byName = allowed.get(n);
      if (byName && (byName.has(r.action) || byName.has('SCMP_ACT_ALLOW'))) return widened.add(n), false;
      return true;
    });
    if (names.length) conditionalKept.push({ ...r, names });
  }
  for (const n of [...widened].sort()) {
    const from = inputs.filter((i) => (i.profile.syscalls ?? []).some((r) => !isConditionalRule(r) && isPermitting(r.action) && r.names.includes(n))).map((i) => i.label);
    warnings.push(`${n}: allowed by name in ${from.join(', ')}, so the argument rules other inputs have for it no longer restrict it (dropped)`);
  }
  const syscalls: SeccompRule[] = [
    ...[...groups.values()].map((g) => ({ names: g.names.sort(), action: g.action, ...(g.comment ? { comment: g.comment } : {}) })),
    ...[...blockGroups.values()].map((r) => ({ ...r, names: [...r.names].sort() })),
    ...conditionalKept,
  ];

  const profile: SeccompProfile = { ...base.profile, syscalls };
  const arches = unionArches(inputs.map((i) => i.profile.architectures ?? []));
  if (arches.length) profile.architectures = arches;
  const flags = [...new Set(inputs.flatMap((i) => i.profile.flags ?? []))].sort();
  if (flags.length) profile.flags = flags;
  return { profile, warnings };
}

const ruleKey = (r: SeccompRule): string => canonicalJson({ ...r, names: [...new Set(r.names)].sort() });

function unionArches(lists: ReadonlyArray<readonly ScmpArch[]>): ScmpArch[] {
  const seen = new Set(lists.flat());
  // libseccomp's own order (native first in practice) rather than input order: the result must not
  // depend on which recording came first.
  return SCMP_ARCHES.filter((a) => seen.has(a));
}

/** The allowed and blocked names of a profile, as sorted lists (for tests and `profile diff`). */
export function nameSets(p: SeccompProfile): { allowed: string[]; blocked: string[] } {
  const allowed = new Set<string>();
  const blocked = new Set<string>();
  for (const r of p.syscalls ?? []) {
    if (isConditionalRule(r)) continue;
    for (const n of r.names) (isPermitting(r.action) ? allowed : blocked).add(n);
  }
  return { allowed: [...allowed].filter((n) => !blocked.has(n)).sort(), blocked: [...blocked].sort() };
}

