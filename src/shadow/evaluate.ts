// What a shadowed profile would deny of what a container really did. Pure: the profile and the
// tracer's observations in, the denials out; no addon, no clock, no I/O. It decides as the filter
// runc builds with libseccomp decides (test/unit/shadow-evaluate.test.ts runs libseccomp's own
// compiled filter on the same inputs):
//   - a rule's conditions all hold (AND); several rules for one name: any may match (OR);
//   - a rule with two conditions on one argument is split by runc into one rule per condition
//     (libseccomp refuses two on one argument), so those conditions are ORed;
//   - a rule whose action (with its errno) equals the default action is skipped, as runc skips it;
//   - an unconditional rule for a name makes every conditional rule for it moot (libseccomp keeps
//     the widest rule: db_rule_add), and of two unconditional rules the first stays;
//   - comparisons are unsigned; a 32-bit arch's filter compares only the low 32 bits;
//   - an arch the filter does not list gets the bad-arch action: denied.
// Docker's `includes`/`excludes` are honoured for arches only; capability and kernel conditions
// are taken as met (the engine resolves them before the runtime sees the profile).
// Types only: the hook and hookd call this, and nothing they reach may load zod (import-graph test).
import type { SeccompAction, SeccompArg, SeccompProfile, SeccompRule } from '../profile/schema.js';
import type { ObservedCall, ShadowDenial, ShadowUndecided } from './types.js';

/** The profile type shadowDenials takes (src/profile/schema.ts's zod type). */
export type Profile = SeccompProfile;

export interface EvaluateOptions {
  /** libseccomp name of the host's arch (always in the filter); defaults to this process's. */
  nativeArch?: string;
}

const EPERM = 1;
// The schema's isPermitting and archNameOf, restated so this file stays zod-free.
const isPermitting = (a: SeccompAction): boolean => a === 'SCMP_ACT_ALLOW' || a === 'SCMP_ACT_LOG';
const archNameOf = (token: string): string => token.slice('SCMP_ARCH_'.length).toLowerCase();
const U64 = (1n << 64n) - 1n;
const LOW32 = 0xffffffffn;
// libseccomp's 32-bit ABIs (arch_def.size == ARCH_SIZE_32), x32 included.
const ARCHES_32 = new Set(['x86', 'x32', 'arm', 'mips', 'mipsel', 'mips64n32', 'mipsel64n32', 'ppc', 's390', 'parisc', 'm68k', 'sh', 'sheb']);
const NODE_ARCH: Readonly<Record<string, string>> = { x64: 'x86_64', ia32: 'x86', arm64: 'aarch64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', loong64: 'loongarch64' };

interface Condition { index: number; op: SeccompArg['op']; value: bigint; valueTwo: bigint }
interface FlatRule { action: SeccompAction; errnoRet: number; conds: Condition[] }

/** An action as the filter's return value tells it: KILL is KILL_THREAD, ERRNO and TRACE carry data. */
function actionKey(action: SeccompAction, errno: number | null | undefined): string {
  const a = action === 'SCMP_ACT_KILL' ? 'SCMP_ACT_KILL_THREAD' : action;
  return a === 'SCMP_ACT_ERRNO' || a === 'SCMP_ACT_TRACE' ? `${a}:${errno ?? EPERM}` : a;
}

function ruleAppliesToArch(r: SeccompRule, arch: string): boolean {
  const inc = r.includes?.arches;
  const exc = r.excludes?.arches;
  // Docker names arches by its own short names (amd64, arm64, x86, ...) as well as by libseccomp's.
  const matches = (list: readonly string[]) => list.some((a) => a === arch || DOCKER_ARCH[a] === arch);
  if (inc?.length && !matches(inc)) return false;
  if (exc?.length && matches(exc)) return false;
  return true;
}
const DOCKER_ARCH: Readonly<Record<string, string>> = { amd64: 'x86_64', '386': 'x86', arm64: 'aarch64', arm: 'arm', ppc64le: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

/** The rules for `name` on `arch` as the runtime hands them to libseccomp. */
function flatRules(profile: Profile, name: string, arch: string): FlatRule[] {
  const defaultKey = actionKey(profile.defaultAction, profile.defaultErrnoRet);
  const out: FlatRule[] = [];
  for (const r of profile.syscalls ?? []) {
    if (!r.names.includes(name) || !ruleAppliesToArch(r, arch)) continue;
    if (actionKey(r.action, r.errnoRet) === defaultKey) continue;
    const w = ARCHES_32.has(arch) ? LOW32 : U64;
    // A masked compare with an empty mask always holds: libseccomp drops it, and a rule left with
    // no condition is unconditional (and then wins, as any unconditional rule does).
    const conds: Condition[] = (r.args ?? [])
      .map((a) => ({ index: a.index, op: a.op, value: BigInt(a.value), valueTwo: BigInt(a.valueTwo ?? 0) }));
    const indexes = conds.map((c) => c.index);
    const split = new Set(indexes).size !== indexes.length;
    const sets = split ? conds.map((c) => [c]) : [conds];
    const tautology = (c: Condition) => c.op === 'SCMP_CMP_MASKED_EQ' && (c.value & w) === 0n;
    for (const s of sets) out.push({ action: r.action, errnoRet: r.errnoRet ?? EPERM, conds: s.filter((c) => !tautology(c)) });
  }
  return out;
}

/** One condition on a known value; `undefined` when the value is not known. */
function holds(c: Condition, value: bigint | undefined, bits32: boolean): boolean | undefined {
  if (value === undefined) return undefined;
  const w = bits32 ? LOW32 : U64;
  const v = value & w;
  const a = c.value & w;
  switch (c.op) {
    case 'SCMP_CMP_EQ': return v === a;
    case 'SCMP_CMP_NE': return v !== a;
    case 'SCMP_CMP_LT': return v < a;
    case 'SCMP_CMP_LE': return v <= a;
    case 'SCMP_CMP_GT': return v > a;
    case 'SCMP_CMP_GE': return v >= a;
    // libseccomp masks the datum too: (arg & mask) == (datum & mask), whatever datum's other bits.
    case 'SCMP_CMP_MASKED_EQ': return (v & a) === (c.valueTwo & a & w);
  }
}

export type Decision =
  | { decided: true; action: SeccompAction; errnoRet?: number; by: 'default' | 'name' | 'argument' | 'arch' }
  | { decided: false; why: string };

/**
 * What the profile's filter does with one call of `name` on `arch` whose arguments are `args`
 * (index -> value; a missing index is unknown). Exported for the agreement test with libseccomp.
 */
export function decide(profile: Profile, arch: string, name: string, args: ReadonlyMap<number, bigint>, opts: EvaluateOptions = {}): Decision {
  if (!archCovered(profile, arch, opts)) return { decided: true, action: 'SCMP_ACT_KILL_THREAD', by: 'arch' };
  const rules = flatRules(profile, name, arch);
  const fallback: Decision = { decided: true, action: profile.defaultAction, ...(profile.defaultErrnoRet == null ? {} : { errnoRet: profile.defaultErrnoRet }), by: 'default' };
  const plain = rules.find((r) => r.conds.length === 0);
  if (plain) return { decided: true, action: plain.action, errnoRet: plain.errnoRet, by: 'name' };
  if (rules.length === 0) return fallback;
  const bits32 = ARCHES_32.has(arch);
  const matched: FlatRule[] = [];
  let unknown = false;
  for (const r of rules) {
    const results = r.conds.map((c) => holds(c, args.get(c.index), bits32));
    if (results.includes(false)) continue;
    if (results.includes(undefined)) unknown = true;
    else matched.push(r);
  }
  const byArg = (r: FlatRule): Decision => ({ decided: true, action: r.action, errnoRet: r.errnoRet, by: 'argument' });
  // Overlapping rules with different actions: the one that denies is the answer that never widens.
  const winner = matched.find((r) => !isPermitting(r.action)) ?? matched[0];
  if (winner) return byArg(winner);
  if (unknown) {
    const missing = [...new Set(rules.flatMap((r) => r.conds.map((c) => c.index)).filter((i) => !args.has(i)))].sort();
    return { decided: false, why: `the profile's rule for ${name} tests ${missing.map((i) => `arg${i}`).join(', ')}, which the tracer does not keep` };
  }
  return { ...fallback, by: 'argument' };
}

function archCovered(profile: Profile, arch: string, opts: EvaluateOptions): boolean {
  const native = opts.nativeArch ?? NODE_ARCH[process.arch];
  if (arch === native) return true;
  const listed = new Set<string>((profile.architectures ?? []).map((t) => archNameOf(t)));
  for (const e of profile.archMap ?? []) {
    if (archNameOf(e.architecture) !== native) continue;
    for (const s of e.subArchitectures ?? []) listed.add(archNameOf(s));
  }
  return listed.has(arch);
}

const deny = (d: Decision): boolean => d.decided && !isPermitting(d.action);

/** What `profile` would deny of `observed`, and what it cannot decide. */
export function shadowEvaluate(profile: Profile, observed: readonly ObservedCall[], opts: EvaluateOptions = {}): { denials: ShadowDenial[]; undecided: ShadowUndecided[] } {
  const denials: ShadowDenial[] = [];
  const undecided: ShadowUndecided[] = [];
  for (const o of observed) {
    const base = { arch: o.arch, name: o.name, nr: o.nr, firstSeenMs: o.firstSeenMs, lastSeenMs: o.lastSeenMs ?? o.firstSeenMs };
    // First without arguments: a decision that needs none is the same for every tuple.
    const byName = decide(profile, o.arch, o.name, new Map(), opts);
    if (byName.decided && byName.by !== 'argument') {
      if (deny(byName)) denials.push({ ...base, ...(o.count === undefined ? {} : { count: o.count }), reason: 'name' });
      continue;
    }
    const tuples = o.args?.tuples ?? [];
    if (!o.args || tuples.length === 0) {
      undecided.push({ arch: o.arch, name: o.name, nr: o.nr, why: `the profile allows ${o.name} only for some argument values and the tracer kept none` });
      continue;
    }
    for (const t of tuples) {
      const values = new Map<number, bigint>();
      o.args.indexes.forEach((index, k) => { if (t[k] !== undefined) values.set(index, t[k]!); });
      const d = decide(profile, o.arch, o.name, values, opts);
      if (!d.decided) undecided.push({ arch: o.arch, name: o.name, nr: o.nr, why: d.why });
      else if (deny(d)) denials.push({ ...base, tuple: [...values].map(([index, value]) => ({ index, value })), reason: 'argument' });
    }
    if (o.args.overflow) {
      undecided.push({ arch: o.arch, name: o.name, nr: o.nr, why: `more distinct arguments of ${o.name} were seen than the tracer keeps: values beyond them were not evaluated` });
    }
  }
  return { denials, undecided };
}

/** What `profile` would deny of `observed`, by name or by argument (see shadowEvaluate for the rest). */
export function shadowDenials(profile: Profile, observed: readonly ObservedCall[], opts: EvaluateOptions = {}): ShadowDenial[] {
  return shadowEvaluate(profile, observed, opts).denials;
}
