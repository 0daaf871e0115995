// The argument limits the engines' default profiles put on syscalls, written as data, and how a
// profile compares with them: for each, the calls the default refuses and whether this profile
// refuses them too. A recorded profile is meant never to be looser than the default unless the
// recording saw the refused value used. Facts from podman's /usr/share/containers/seccomp.json
// (containers-common) and Docker/moby's default profile (profiles/seccomp/default.json); Docker
// relaxes most of them for containers granted the named capability, which default containers
// lack (CAP_AUDIT_WRITE is in Docker's default set, not in podman's). Pure.
import {
  CLONE, CLONE_NAMESPACE_BITS, describeRuleArgs, nameValue, READ_IMPLIES_EXEC,
  type ArgCondition,
} from './arg-model.js';
import { isArgOnlyRule, isConditionalRule, isPermitting, type SeccompProfile, type SeccompRule } from './schema.js';
import { conditionHolds, type Condition } from './arg-eval.js';

export type Engine = 'docker' | 'podman';

/** A call the default refuses, as the six argument registers (missing ones are 0). */
export interface RefusedCall {
  args: bigint[];
  what: string;
}

export interface EngineArgLimit {
  syscall: string;
  engines: Engine[];
  /** What the default allows: these rules (ORed), or nothing at all, or ENOSYS. */
  allows: ArgCondition[][] | 'nothing' | 'enosys';
  /** The default lifts the limit for containers with this capability. */
  unlessCap?: string;
  refuses: RefusedCall[];
  /** The default's line, in one sentence. */
  summary: string;
}

const eq = (index: number, value: number): ArgCondition => ({ index, value, op: 'SCMP_CMP_EQ' });
const SIGCHLD = 17n;
const nsCalls = (base: bigint, argIndex: number): RefusedCall[] =>
  Object.entries(CLONE).filter(([, b]) => (b & CLONE_NAMESPACE_BITS) !== 0n).map(([name, bit]) => {
    const args = [0n, 0n];
    args[argIndex] = base | bit;
    return { args, what: name };
  });

// Docker and podman allow exactly these personas: PER_LINUX, PER_LINUX32, UNAME26, both, and the query.
const PERSONAS = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff];

export const ENGINE_ARG_LIMITS: readonly EngineArgLimit[] = [
  {
    syscall: 'clone', engines: ['docker'], unlessCap: 'CAP_SYS_ADMIN',
    allows: [[{ index: 0, value: Number(CLONE_NAMESPACE_BITS), valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }]],
    refuses: nsCalls(SIGCHLD, 0),
    summary: 'no namespace flags (CLONE_NEW*)',
  },
  {
    syscall: 'clone3', engines: ['docker'], unlessCap: 'CAP_SYS_ADMIN', allows: 'enosys',
    refuses: [{ args: [0n, 88n], what: 'any call (its flags cannot be filtered)' }],
    summary: 'fails with ENOSYS, so libc uses clone',
  },
  {
    syscall: 'unshare', engines: ['docker'], unlessCap: 'CAP_SYS_ADMIN', allows: 'nothing',
    refuses: nsCalls(0n, 0),
    summary: 'not allowed',
  },
  {
    syscall: 'setns', engines: ['docker', 'podman'], unlessCap: 'CAP_SYS_ADMIN', allows: 'nothing',
    refuses: [{ args: [3n, 0n], what: 'any namespace (nstype 0)' }, ...nsCalls(0n, 1).map((c) => ({ args: [3n, c.args[1]!], what: c.what }))],
    summary: 'not allowed',
  },
  {
    syscall: 'personality', engines: ['docker', 'podman'], allows: PERSONAS.map((v) => [eq(0, v)]),
    refuses: [READ_IMPLIES_EXEC, 0x40000, 0x100000, 0x200000, 0x400008].map((v) => ({ args: [BigInt(v)], what: nameValue('personality', 0, BigInt(v)) })),
    summary: `only ${PERSONAS.map((v) => nameValue('personality', 0, BigInt(v))).join(', ')}`,
  },
  {
    syscall: 'socket', engines: ['docker', 'podman'], unlessCap: 'CAP_AUDIT_WRITE',
    allows: [[{ index: 0, value: 16, op: 'SCMP_CMP_NE' }], [{ index: 2, value: 9, op: 'SCMP_CMP_NE' }]],
    refuses: [{ args: [16n, 3n, 9n], what: 'AF_NETLINK NETLINK_AUDIT' }],
    summary: 'no AF_NETLINK NETLINK_AUDIT (writes the host\'s audit log)',
  },
];

/** libseccomp's comparison (arg-eval.ts); an argument the example does not give is 0 here. */
function holds(c: Condition, args: readonly bigint[]): boolean {
  return conditionHolds(c, new Map([[c.index, args[c.index] ?? 0n]])) ?? false;
}

const onlyArgs = isArgOnlyRule;

/** Whether a Docker-style rule applies to a container holding `caps`; arch and kernel conditions: never (not the profile's to decide). */
function appliesTo(r: SeccompRule, caps: ReadonlySet<string>): boolean {
  const inc = r.includes ?? {};
  const exc = r.excludes ?? {};
  if (inc.arches?.length || exc.arches?.length || inc.minKernel || exc.minKernel) return false;
  if (inc.caps?.length && !inc.caps.every((c) => caps.has(c))) return false;
  if (exc.caps?.length && exc.caps.some((c) => caps.has(c))) return false;
  return true;
}

/**
 * Whether `profile` lets `syscall(args)` run, read as libseccomp builds the filter: a matching
 * blocking rule wins, then a matching permitting one, then the default action. Docker's
 * capability conditions are read for a container holding `caps` (none by default); rules that
 * depend on arches or kernels are left out.
 */
export function permitsCall(profile: SeccompProfile, syscall: string, args: readonly bigint[], caps: ReadonlySet<string> = new Set()): boolean {
  let permitted: boolean | undefined;
  for (const r of profile.syscalls ?? []) {
    if (!r.names.includes(syscall) || !appliesTo(r, caps)) continue;
    const matches = (r.args ?? []).every((c) => holds(c, args));
    if (!matches) continue;
    if (!isPermitting(r.action)) return false;
    permitted = true;
  }
  return permitted ?? isPermitting(profile.defaultAction);
}

/** Names allowed only through argument rules: a permitting rule with args, none without. */
export function argRestrictedNames(profile: SeccompProfile): string[] {
  const plain = new Set<string>();
  const withArgs = new Set<string>();
  for (const r of profile.syscalls ?? []) {
    if (!isPermitting(r.action)) continue;
    if (!isConditionalRule(r)) r.names.forEach((n) => plain.add(n));
    else if (onlyArgs(r)) r.names.forEach((n) => withArgs.add(n));
  }
  if (isPermitting(profile.defaultAction)) return [];
  return [...withArgs].filter((n) => !plain.has(n)).sort();
}

export interface DefaultComparison {
  syscall: string;
  engines: Engine[];
  unlessCap?: string;
  summary: string;
  /** `not allowed`: the profile never runs it; `as strict`: refuses all the default refuses; `looser`. */
  verdict: 'not allowed' | 'as strict' | 'looser';
  /** The refused calls this profile lets run. */
  allows: string[];
}

/** Each engine-default argument limit against `profile`. */
export function compareWithDefaults(profile: SeccompProfile): DefaultComparison[] {
  return ENGINE_ARG_LIMITS.map((l) => {
    const base = { syscall: l.syscall, engines: l.engines, ...(l.unlessCap ? { unlessCap: l.unlessCap } : {}), summary: l.summary };
    const anyRule = (profile.syscalls ?? []).some((r) => r.names.includes(l.syscall) && isPermitting(r.action));
    if (!anyRule && !isPermitting(profile.defaultAction)) return { ...base, verdict: 'not allowed' as const, allows: [] };
    const allows = l.refuses.filter((c) => permitsCall(profile, l.syscall, c.args)).map((c) => c.what);
    return { ...base, verdict: allows.length ? 'looser' as const : 'as strict' as const, allows };
  });
}

/** The argument rules of `syscall` in `profile`, for people (one line per rule). */
export function describeArgRules(profile: SeccompProfile, syscall: string): string[] {
  return (profile.syscalls ?? [])
    .filter((r) => r.names.includes(syscall) && onlyArgs(r))
    .map((r) => `${r.action === 'SCMP_ACT_ALLOW' ? 'allow' : r.action} if ${describeRuleArgs(syscall, (r.args ?? []).map((a) => ({ ...a, valueTwo: a.valueTwo ?? 0 })) as ArgCondition[])}`);
}

export function formatComparison(rows: readonly DefaultComparison[], restricted: readonly string[]): string[] {
  const out = [`argument rules: ${restricted.length} syscalls restricted${restricted.length ? ` (${restricted.join(', ')})` : ''}`];
  out.push('against the engine defaults\' argument limits:');
  for (const r of rows) {
    const who = `${r.engines.join(', ')}${r.unlessCap ? ` without ${r.unlessCap}` : ''}`;
    const how = r.verdict === 'looser' ? `looser: allows ${r.allows.join(', ')}` : r.verdict;
    out.push(`  ${r.syscall.padEnd(11)} ${how} (default, ${who}: ${r.summary})`);
  }
  return out;
}
