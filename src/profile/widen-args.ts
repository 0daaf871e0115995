// What to add for a syscall the profile allows only with argument rules, when a call of it was
// denied: the rules for the values needed when they are known, else (a SECCOMP audit record
// carries no arguments, so the watcher never knows them) the engine default's rule for that
// syscall, else, for syscalls the engines leave unfiltered (prctl, ioctl, socketpair), the name
// alone. Never for a syscall whose conditions are capabilities or arches (not ours to widen), nor
// one the engine defaults refuse outright (unshare, setns). Recomputed from the profile by both
// the watcher and `apply`, so a proposal file cannot carry rules of its own. Pure.
import { argPolicyOf, AF_NETLINK, CSIGNAL, LOW32, type ArgCondition } from './arg-model.js';
import { ENGINE_ARG_LIMITS } from './engine-defaults.js';
import { canonicalJson, isArgOnlyRule, isConditionalRule, isPermitting, type SeccompProfile, type SeccompRule } from './schema.js';
import { verdictFor } from './syscall-set.js';

export type WideningBasis = 'values' | 'engine-default' | 'name';

export interface Widening {
  syscall: string;
  basis: WideningBasis;
  reason: string;
  /** Permitting argument rules to append (none when the basis is `name`: the name joins the allow list). */
  rules: SeccompRule[];
}

const eq = (index: number, v: bigint): ArgCondition =>
  v <= LOW32 ? { index, value: Number(v), op: 'SCMP_CMP_EQ' } : { index, value: Number(LOW32), valueTwo: Number(v & LOW32), op: 'SCMP_CMP_MASKED_EQ' };

/** Rules that allow exactly these argument tuples (in the policy's order: socket is [domain, protocol]). */
function rulesForValues(syscall: string, values: readonly bigint[][]): ArgCondition[][] | undefined {
  const p = argPolicyOf(syscall);
  if (!p) return undefined;
  return values.map((t) => {
    if (p.kind === 'socket') {
      const [domain = 0n, protocol] = t;
      return (domain & LOW32) === BigInt(AF_NETLINK) && protocol !== undefined ? [eq(0, domain), eq(2, protocol)] : [eq(0, domain)];
    }
    const v = t[0] ?? 0n;
    if (p.kind === 'enum') return [eq(p.index, v)];
    const ignore = syscall === 'clone' ? CSIGNAL : 0n;
    return [{ index: p.index, value: Number(LOW32 & ~ignore & ~(v & LOW32)), valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' as const }];
  });
}

/**
 * The widening for `syscall` in `profile`, or undefined when none is proposed (it is not allowed
 * only by argument rules, or the engine default refuses it too, or the rules to add are there).
 */
export function wideningFor(profile: SeccompProfile, syscall: string, values?: readonly bigint[][]): Widening | undefined {
  if (verdictFor(profile, syscall).kind !== 'conditional') return undefined;
  const named = (profile.syscalls ?? []).filter((r) => r.names.includes(syscall));
  if (!named.some((r) => isArgOnlyRule(r) && isPermitting(r.action))) return undefined;
  if (named.some((r) => isConditionalRule(r) && !isArgOnlyRule(r))) return undefined;
  // valueTwo absent and 0 are one condition to libseccomp.
  const key = (args: ReadonlyArray<{ index: number; value: number; valueTwo?: number | null; op: string }>) =>
    canonicalJson(args.map((a) => ({ index: a.index, value: a.value, valueTwo: a.valueTwo ?? 0, op: a.op })));
  const have = new Set(named.filter((r) => isPermitting(r.action)).map((r) => key(r.args ?? [])));
  const fresh = (conds: ArgCondition[][]): SeccompRule[] =>
    conds.filter((c) => !have.has(key(c))).map((args) => ({ names: [syscall], action: 'SCMP_ACT_ALLOW', args: args.map((a) => ({ ...a })) }));

  const fromValues = values?.length ? rulesForValues(syscall, values) : undefined;
  if (fromValues) {
    const rules = fresh(fromValues);
    return rules.length ? { syscall, basis: 'values', reason: `allows the ${values!.length === 1 ? 'value' : 'values'} the workload needs`, rules } : undefined;
  }
  const limit = ENGINE_ARG_LIMITS.find((l) => l.syscall === syscall);
  if (limit) {
    if (!Array.isArray(limit.allows)) return undefined;
    const rules = fresh(limit.allows);
    if (!rules.length) return undefined;
    return {
      syscall, basis: 'engine-default', rules,
      reason: `audit records carry no arguments, so the value the denied call used is unknown: this adds the engine default's rule (${limit.engines.join(', ')}: ${limit.summary}); a call that rule refuses too stays denied`,
    };
  }
  if (!argPolicyOf(syscall)) return undefined;
  return {
    syscall, basis: 'name', rules: [],
    reason: `audit records carry no arguments, so the value the denied call used is unknown, and the engine defaults allow ${syscall} with any value: this allows it by name, which makes its argument rules restrict nothing`,
  };
}
