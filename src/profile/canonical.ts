// The canonical text of a profile, without zod: the hook builds profiles inside `runc run`'s
// poststop, where importing the schema module costs ~50 ms. schema.ts re-exports these.

/** The fields the canonical order looks at; everything else is kept as it is. */
export interface CanonicalRule {
  names: readonly string[];
  action: string;
  args?: readonly object[] | null;
}
export interface CanonicalProfile {
  defaultAction: string;
  syscalls?: readonly CanonicalRule[] | null;
}

const TOP_ORDER = ['defaultAction', 'defaultErrnoRet', 'architectures', 'archMap', 'flags', 'listenerPath', 'listenerMetadata'];
const RULE_ORDER = ['names', 'action', 'errnoRet', 'args', 'comment', 'includes', 'excludes'];
const ARG_ORDER = ['index', 'value', 'valueTwo', 'op'];
const ACTION_RANK = new Map<string, number>(
  ['SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_NOTIFY', 'SCMP_ACT_TRACE', 'SCMP_ACT_ERRNO', 'SCMP_ACT_TRAP',
    'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS'].map((a, i) => [a, i]),
);

/**
 * Canonical text: 2-space JSON with a trailing newline, known keys first in spec order, unknown keys
 * sorted after them, names sorted and de-duplicated, rules ordered by action, then plain before
 * argument-filtered, then by first name. libseccomp's filter does not depend on rule order, so the
 * canonical form is the same filter; it only makes recordings from different runs diff cleanly.
 */
export function serializeProfile(p: CanonicalProfile): string {
  const rules = (p.syscalls ?? []).map(canonicalRule).sort(compareRules);
  const top = ordered(p as unknown as Record<string, unknown>, TOP_ORDER, ['syscalls']);
  if (p.syscalls !== undefined) top.syscalls = rules;
  return JSON.stringify(top, null, 2) + '\n';
}

function canonicalRule(r: CanonicalRule): Record<string, unknown> {
  const out = ordered({ ...r, names: [...new Set(r.names)].sort() }, RULE_ORDER);
  if (r.args) out.args = r.args.map((a) => ordered(a as Record<string, unknown>, ARG_ORDER));
  return out;
}

function compareRules(a: Record<string, unknown>, b: Record<string, unknown>): number {
  const rank = (ACTION_RANK.get(a.action as string) ?? 99) - (ACTION_RANK.get(b.action as string) ?? 99);
  if (rank) return rank;
  const hasArgs = Number(Array.isArray(a.args) && a.args.length > 0) - Number(Array.isArray(b.args) && b.args.length > 0);
  if (hasArgs) return hasArgs;
  const an = (a.names as string[])[0] ?? '';
  const bn = (b.names as string[])[0] ?? '';
  if (an !== bn) return an < bn ? -1 : 1;
  const aj = JSON.stringify(a);
  const bj = JSON.stringify(b);
  return aj < bj ? -1 : aj > bj ? 1 : 0;
}

function ordered(o: Record<string, unknown>, first: string[], skip: string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of first) if (o[k] !== undefined) out[k] = o[k];
  for (const k of Object.keys(o).sort()) if (!first.includes(k) && !skip.includes(k) && o[k] !== undefined) out[k] = o[k];
  return out;
}

/** JSON with object keys sorted at every depth: equal values give equal strings. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x);
}
