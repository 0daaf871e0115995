// What changes between two profiles, in the terms an operator reviews: which names moved to or from
// each action, what each arch can now run, which argument-filtered rules came or went.
import { canonicalJson, isArgOnlyRule, isConditionalRule, isPermitting, type SeccompProfile, type SeccompRule } from './schema.js';
import { describeArgRules } from './engine-defaults.js';

/** How a name may run: by name alone, only with argument rules, or not through any rule. */
export type Allowance = 'name' | 'arguments' | 'none';

export interface ArgRuleChange {
  from: Allowance;
  to: Allowance;
  /** The argument rules (in words) that came and went. */
  added: string[];
  removed: string[];
}
import { allowedByArch, profileArches, type SyscallCatalog } from './syscall-set.js';

export interface AddedRemoved {
  added: string[];
  removed: string[];
}

export interface ProfileDiff {
  defaultAction?: { from: string; to: string };
  defaultErrnoRet?: { from: number | null; to: number | null };
  architectures: AddedRemoved;
  flags: AddedRemoved;
  /** Per action: names that now have / no longer have an unconditional rule with that action. */
  actions: Record<string, AddedRemoved>;
  /** Per libseccomp arch: names that can / can no longer run (only with a syscall catalog). */
  allowedByArch?: Record<string, AddedRemoved>;
  /** Conditional rules (args, includes/excludes), compared whole. */
  conditionalRules: { added: SeccompRule[]; removed: SeccompRule[] };
  /** Per name with argument rules on either side: how it may run, and its rules that changed. */
  argRules: Record<string, ArgRuleChange>;
}

export const hasChanges = (d: ProfileDiff): boolean =>
  d.defaultAction !== undefined || d.defaultErrnoRet !== undefined ||
  [d.architectures, d.flags, ...Object.values(d.actions), ...Object.values(d.allowedByArch ?? {})].some((x) => x.added.length + x.removed.length > 0) ||
  d.conditionalRules.added.length + d.conditionalRules.removed.length > 0 || Object.keys(d.argRules).length > 0;

function allowance(p: SeccompProfile, name: string): Allowance {
  const rules = (p.syscalls ?? []).filter((r) => r.names.includes(name) && isPermitting(r.action));
  if (rules.some((r) => !isConditionalRule(r))) return 'name';
  return rules.some(isArgOnlyRule) ? 'arguments' : 'none';
}

function argRuleChanges(a: SeccompProfile, b: SeccompProfile): Record<string, ArgRuleChange> {
  const names = new Set([a, b].flatMap((p) => (p.syscalls ?? []).filter(isArgOnlyRule).flatMap((r) => r.names)));
  const out: Record<string, ArgRuleChange> = {};
  for (const n of [...names].sort()) {
    const from = allowance(a, n);
    const to = allowance(b, n);
    const x = setDiff(describeArgRules(a, n), describeArgRules(b, n));
    if (from !== to || x.added.length || x.removed.length) out[n] = { from, to, ...x };
  }
  return out;
}

function setDiff(a: Iterable<string>, b: Iterable<string>): AddedRemoved {
  const sa = new Set(a);
  const sb = new Set(b);
  return { added: [...sb].filter((x) => !sa.has(x)).sort(), removed: [...sa].filter((x) => !sb.has(x)).sort() };
}

/** name -> the action of the first unconditional rule naming it. */
function actionOf(p: SeccompProfile): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of p.syscalls ?? []) if (!isConditionalRule(r)) for (const n of r.names) if (!out.has(n)) out.set(n, r.action);
  return out;
}

export function diffProfiles(a: SeccompProfile, b: SeccompProfile, ctx?: { catalog: SyscallCatalog; nativeArch: string }): ProfileDiff {
  const d: ProfileDiff = {
    architectures: setDiff(a.architectures ?? [], b.architectures ?? []),
    flags: setDiff(a.flags ?? [], b.flags ?? []),
    actions: {},
    conditionalRules: { added: [], removed: [] },
    argRules: argRuleChanges(a, b),
  };
  if (a.defaultAction !== b.defaultAction) d.defaultAction = { from: a.defaultAction, to: b.defaultAction };
  if ((a.defaultErrnoRet ?? null) !== (b.defaultErrnoRet ?? null)) d.defaultErrnoRet = { from: a.defaultErrnoRet ?? null, to: b.defaultErrnoRet ?? null };

  const aa = actionOf(a);
  const ba = actionOf(b);
  const entry = (action: string): AddedRemoved => (d.actions[action] ??= { added: [], removed: [] });
  for (const name of new Set([...aa.keys(), ...ba.keys()])) {
    const from = aa.get(name);
    const to = ba.get(name);
    if (from === to) continue;
    if (from) entry(from).removed.push(name);
    if (to) entry(to).added.push(name);
  }
  for (const x of Object.values(d.actions)) x.added.sort(), x.removed.sort();

  const keyed = (p: SeccompProfile) => new Map((p.syscalls ?? []).filter(isConditionalRule).map((r) => [canonicalJson(r), r] as const));
  const ca = keyed(a);
  const cb = keyed(b);
  d.conditionalRules.added = [...cb].filter(([k]) => !ca.has(k)).map(([, r]) => r);
  d.conditionalRules.removed = [...ca].filter(([k]) => !cb.has(k)).map(([, r]) => r);

  if (ctx) {
    // An arch a profile does not cover runs nothing under it (the filter kills foreign-arch calls).
    const archesA = profileArches(a, ctx.nativeArch);
    const archesB = profileArches(b, ctx.nativeArch);
    const arches = [...new Set([...archesA, ...archesB])].sort();
    const sa = allowedByArch(a, archesA, ctx.catalog);
    const sb = allowedByArch(b, archesB, ctx.catalog);
    d.allowedByArch = Object.fromEntries(arches.map((arch) => [arch, setDiff(sa.get(arch) ?? [], sb.get(arch) ?? [])]));
  }
  return d;
}

const PERMITTING = ['SCMP_ACT_ALLOW', 'SCMP_ACT_LOG'];

/**
 * What B lets run that A does not, one line each (`profile diff --exit-code`, the CI gate): a
 * permitting default, names newly allowed by a rule or on an arch, an arch added, argument rules
 * widened or added, other conditional allow rules added. Narrowing and relabelling are not listed.
 */
export function widenings(d: ProfileDiff): string[] {
  const out: string[] = [];
  if (d.defaultAction && PERMITTING.includes(d.defaultAction.to) && !PERMITTING.includes(d.defaultAction.from)) out.push(`default action ${d.defaultAction.from} -> ${d.defaultAction.to}: everything unlisted now runs`);
  for (const a of d.architectures.added) out.push(`architecture ${a} added`);
  for (const action of PERMITTING) for (const n of d.actions[action]?.added ?? []) {
    const c = d.argRules[n];
    if (!c || c.from !== 'name') out.push(`${n} allowed (${action})`);
  }
  for (const [arch, x] of Object.entries(d.allowedByArch ?? {})) if (x.added.length) out.push(`${arch} can run ${x.added.join(', ')}`);
  for (const [n, c] of Object.entries(d.argRules)) {
    // Listed above when it became allowed by name; from by-name, an argument rule only narrows.
    if (c.to === 'name' || c.from === 'name') continue;
    for (const r of c.added) if (r.startsWith('allow') || r.startsWith('SCMP_ACT_LOG')) out.push(`${n}: new rule ${r}`);
  }
  for (const r of d.conditionalRules.added) if (!isArgOnlyRule(r) && PERMITTING.includes(r.action)) out.push(`new conditional rule ${canonicalJson(r)}`);
  return [...new Set(out)];
}

const line = (label: string, x: AddedRemoved): string[] =>
  x.added.length + x.removed.length === 0 ? [] : [`${label}: ${[...x.added.map((n) => `+${n}`), ...x.removed.map((n) => `-${n}`)].join(' ')}`];

/** One line per change, for people. Profile content is not hostile (names are [a-z0-9_]). */
export function formatDiff(d: ProfileDiff): string {
  const out: string[] = [];
  if (d.defaultAction) out.push(`defaultAction: ${d.defaultAction.from} -> ${d.defaultAction.to}`);
  if (d.defaultErrnoRet) out.push(`defaultErrnoRet: ${d.defaultErrnoRet.from ?? '-'} -> ${d.defaultErrnoRet.to ?? '-'}`);
  out.push(...line('architectures', d.architectures), ...line('flags', d.flags));
  for (const action of Object.keys(d.actions).sort()) out.push(...line(action, d.actions[action]!));
  for (const [arch, x] of Object.entries(d.allowedByArch ?? {})) {
    if (x.added.length + x.removed.length) out.push(`${arch} can run: ${x.added.length} more, ${x.removed.length} fewer`);
  }
  for (const [n, c] of Object.entries(d.argRules)) {
    const how = c.from === c.to ? '' : c.to === 'name' ? ` WIDER: now allowed by name alone (was ${c.from === 'arguments' ? 'only with arguments' : 'not allowed'})`
      : c.to === 'arguments' ? ` now allowed only with arguments (was ${c.from === 'name' ? 'by name alone' : 'not allowed'})` : ' no longer allowed';
    out.push(`${n}:${how}`, ...c.added.map((r) => `  + ${r}`), ...c.removed.map((r) => `  - ${r}`));
  }
  // Argument rules are shown per syscall above; the rest (capabilities, arches) whole.
  for (const r of d.conditionalRules.added) if (!isArgOnlyRule(r)) out.push(`+ conditional rule ${canonicalJson(r)}`);
  for (const r of d.conditionalRules.removed) if (!isArgOnlyRule(r)) out.push(`- conditional rule ${canonicalJson(r)}`);
  return out.length ? out.join('\n') + '\n' : 'no differences\n';
}
