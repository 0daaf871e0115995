// The tracer's argument facts -> OCI `args` rules (issue 13). A flag word (clone, unshare) gets one
// MASKED_EQ rule that denies every bit the recording never saw; an enumeration (personality,
// prctl, setns, socketpair, ioctl) one EQ rule per value seen; socket one rule per domain and, for
// AF_NETLINK, per (domain, protocol). Whenever the facts cannot support a rule that is surely wide
// enough (an overflowed set, too many values, no facts, values a runtime uses after its filter
// that one recording may not show), the name alone is kept and the reason noted: a profile that
// breaks the workload is worse than one as loose as today's. Zod-free: the hook runs this.
import type { ArgFact } from './arg-facts.js';
import type { ArchKind } from './tracer-layout.js';
import {
  argPolicyOf, AF_NETLINK, CLONE_NAMESPACE_BITS, hex, LOW32, nameValue,
  type ArgCondition, type ArgPolicy, type OciRule,
} from '../profile/arg-model.js';

export type Clone3Choice = 'allow' | 'enosys';
export const ENOSYS = 38;

export interface ArgRuleOptions {
  /** Every name the profile allows, on any arch. */
  names: ReadonlySet<string>;
  /** Names the runtime calls after installing the filter (the measured table): their values vary with its configuration. */
  runtimeNames?: ReadonlySet<string>;
  /** `enosys`: clone3 fails with ENOSYS so libc falls back to clone, whose flags a filter can see (Docker's answer). */
  clone3?: Clone3Choice;
  /** libseccomp arch name of a tracer arch slot (for notes). */
  archName: (kind: ArchKind) => string;
  /** Today's behaviour: names only, no argument rules (the clone3 choice still applies). */
  namesOnly?: boolean;
  /** The profile's arches (libseccomp names), for what a rule cannot hold on some of them. */
  arches?: readonly string[];
}

/**
 * What a note is about, for code to decide on (poststop tells the operator some at once): the
 * sentence in `note` may be reworded freely, the code may not.
 */
export type ArgNoteCode =
  | 'RUNTIME_VALUES' | 'NO_FACTS' | 'SET_LOST' | 'SET_OVERFLOW' | 'NO_DECIDING_ARG' | 'ALL_FLAGS_SEEN'
  | 'TOO_MANY_VALUES' | 'NETLINK_NO_PROTOCOL' | 'ARCHES_DIFFER' | 'CLONE3_ENOSYS' | 'CLONE3_BY_NAME'
  | 'CLONE3_FALLBACK_FLAGS' | 'CLONE_FOR_CLONE3' | 'SOCKETCALL_X86' | 'NO_POLICY';

export interface ArgNote {
  syscall: string;
  code: ArgNoteCode;
  note: string;
}

/** Why no rule (the name alone), or a remark on a rule: a code and its sentence. */
interface Reason { code: ArgNoteCode; text: string }
const why = (code: ArgNoteCode, text: string): Reason => ({ code, text });

export interface ArgRules {
  /** Names allowed only through `rules` (take them out of the plain allow list). */
  restricted: string[];
  /** Names the plain allow list must lose besides (clone3 under `enosys`). */
  denied: string[];
  /** Names the profile gains (clone, when clone3's ENOSYS sends libc to it). */
  added: string[];
  rules: OciRule[];
  notes: ArgNote[];
}

const MASKED_EQ = 'SCMP_CMP_MASKED_EQ';

/** EQ on the raw register; a value with upper bits set (a sign-extended int) compares its low half, which is all the kernel reads. */
function equals(index: number, v: bigint): ArgCondition {
  return v <= LOW32 ? { index, value: Number(v), valueTwo: 0, op: 'SCMP_CMP_EQ' } : { index, value: Number(LOW32), valueTwo: Number(v & LOW32), op: MASKED_EQ };
}
const allow = (name: string, args: ArgCondition[]): OciRule => ({ names: [name], action: 'SCMP_ACT_ALLOW', args });

interface Built {
  rules: OciRule[];
  notes: Reason[];
}

function position(facts: readonly ArgFact[], index: number): number | undefined {
  const at = facts[0]!.argIndexes.indexOf(index);
  return at >= 0 && facts.every((f) => f.argIndexes[at] === index) ? at : undefined;
}

function valuesByArch(facts: readonly ArgFact[], at: number, archName: (k: ArchKind) => string): Map<string, Set<bigint>> {
  const out = new Map<string, Set<bigint>>();
  for (const f of facts) {
    const s = out.get(archName(f.arch)) ?? new Set<bigint>();
    for (const t of f.values) if (t[at] !== undefined) s.add(t[at]!);
    out.set(archName(f.arch), s);
  }
  return out;
}

function archNote(syscall: string, index: number, byArch: Map<string, Set<bigint>>): Reason[] {
  if (byArch.size < 2) return [];
  const shown = [...byArch].sort(([a], [b]) => (a < b ? -1 : 1)).map(([arch, vs]) => `${arch}: ${[...vs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((v) => nameValue(syscall, index, v)).join(', ') || 'none'}`);
  const same = new Set([...byArch.values()].map((s) => [...s].sort().join(','))).size === 1;
  return same ? [] : [why('ARCHES_DIFFER', `the arches saw different values (${shown.join('; ')}); a profile's rule holds for every arch, so it allows their union on each`)];
}

function flagRule(syscall: string, facts: readonly ArgFact[], p: Extract<ArgPolicy, { kind: 'flags' }>, opts: ArgRuleOptions, at: number): Built | Reason {
  const byArch = valuesByArch(facts, at, opts.archName);
  let seen = 0n;
  for (const vs of byArch.values()) for (const v of vs) seen |= v & LOW32 & ~p.ignore;
  let mask = LOW32 & ~p.ignore & ~seen;
  const notes = archNote(syscall, p.index, byArch);
  if (syscall === 'clone' && opts.clone3 === 'enosys' && opts.names.has('clone3')) {
    // clone3's flags were behind a pointer, unseen: after its ENOSYS, libc retries with clone and any
    // of them. Only the namespace bits stay denied (the engine default's line) unless they were seen.
    mask &= CLONE_NAMESPACE_BITS;
    notes.push(why('CLONE3_FALLBACK_FLAGS', 'clone3 was called and now fails with ENOSYS, so libc retries with clone using flags the recording could not see: clone allows every bit but the namespace bits not seen'));
  }
  if (mask === 0n) return why('ALL_FLAGS_SEEN', 'every flag bit was seen: a mask would deny nothing');
  return { rules: [allow(syscall, [{ index: p.index, value: Number(mask), valueTwo: 0, op: MASKED_EQ }])], notes };
}

function enumRules(syscall: string, facts: readonly ArgFact[], p: Extract<ArgPolicy, { kind: 'enum' }>, opts: ArgRuleOptions, at: number): Built | Reason {
  const byArch = valuesByArch(facts, at, opts.archName);
  const values = new Set<bigint>();
  for (const vs of byArch.values()) for (const v of vs) values.add(v);
  if (values.size > p.maxValues) return why('TOO_MANY_VALUES', `${values.size} distinct values, more than ${p.maxValues}: one rule each would bloat the filter`);
  const rules = [...values].map((v) => allow(syscall, [equals(p.index, v)]));
  return { rules, notes: archNote(syscall, p.index, byArch) };
}

function socketRules(facts: readonly ArgFact[], opts: ArgRuleOptions, domainAt: number): Built | Reason {
  const protocolAt = position(facts, 2);
  const byArch = valuesByArch(facts, domainAt, opts.archName);
  const rules: OciRule[] = [];
  for (const f of facts) {
    for (const t of f.values) {
      const domain = t[domainAt]!;
      if ((domain & LOW32) !== BigInt(AF_NETLINK)) {
        rules.push(allow('socket', [equals(0, domain)]));
        continue;
      }
      if (protocolAt === undefined || t[protocolAt] === undefined) return why('NETLINK_NO_PROTOCOL', 'an AF_NETLINK socket was seen without its protocol');
      rules.push(allow('socket', [equals(0, domain), equals(2, t[protocolAt]!)]));
    }
  }
  return { rules, notes: archNote('socket', 0, byArch) };
}

function rulesFor(syscall: string, facts: readonly ArgFact[], opts: ArgRuleOptions): Built | Reason {
  const policy = argPolicyOf(syscall);
  if (!policy) return why('NO_POLICY', 'no argument policy');
  if (opts.runtimeNames?.has(syscall)) return why('RUNTIME_VALUES', 'the runtime calls it after installing the filter, with values that depend on its configuration: one recording cannot show them all');
  if (facts.length === 0) return why('NO_FACTS', 'no argument facts were recorded (a tracer without argument capture, or only the runtime\'s set-up called it)');
  if (facts.some((f) => f.lost)) return why('SET_LOST', 'the tracer had no room for all of its argument sets (the recording\'s share of the kernel map): values it used are missing');
  const over = facts.filter((f) => f.overflow);
  if (over.length) return why('SET_OVERFLOW', `more distinct values than the tracer keeps (${[...new Set(over.map((f) => opts.archName(f.arch)))].sort().join(', ')}): a rule from part of them would deny the rest`);
  const at = position(facts, policy.kind === 'socket' ? 0 : policy.index);
  if (at === undefined) return why('NO_DECIDING_ARG', `the facts do not hold the argument that decides (arg${policy.kind === 'socket' ? 0 : policy.index})`);
  if (policy.kind === 'flags') return flagRule(syscall, facts, policy, opts, at);
  if (policy.kind === 'enum') return enumRules(syscall, facts, policy, opts, at);
  return socketRules(facts, opts, at);
}

/** Argument rules for the names `opts.names` allows, from the facts of the runtime and workload phases. */
export function argRulesFromFacts(facts: readonly ArgFact[], opts: ArgRuleOptions): ArgRules {
  const out: ArgRules = { restricted: [], denied: [], added: [], rules: [], notes: [] };
  const names = new Set(opts.names);
  if (opts.clone3 === 'enosys') {
    out.denied.push('clone3');
    out.rules.push({ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS });
    out.notes.push({ syscall: 'clone3', code: 'CLONE3_ENOSYS', note: 'fails with ENOSYS (--clone3-enosys), so libc falls back to clone, whose flags the filter checks' });
    if (opts.names.has('clone3') && !names.has('clone')) {
      names.add('clone');
      out.added.push('clone');
    }
  } else if (opts.names.has('clone3')) {
    out.notes.push({ syscall: 'clone3', code: 'CLONE3_BY_NAME', note: 'allowed by name: its flags live in memory seccomp cannot read, so it can create namespaces whatever the clone rule says; --clone3-enosys makes libc use clone instead' });
  }
  if (opts.namesOnly) return out;
  const bySyscall = new Map<string, ArgFact[]>();
  for (const f of facts) if (f.phase !== 0) bySyscall.set(f.syscall, [...(bySyscall.get(f.syscall) ?? []), f]);
  for (const name of [...names].sort()) {
    if (!argPolicyOf(name)) continue;
    const built = rulesFor(name, bySyscall.get(name) ?? [], { ...opts, names });
    if ('code' in built) {
      if (out.added.includes(name)) {
        // clone for clone3's fallback: the engine default's line, no facts needed.
        out.rules.push(allow(name, [{ index: 0, value: Number(CLONE_NAMESPACE_BITS), valueTwo: 0, op: MASKED_EQ }]));
        out.restricted.push(name);
        out.notes.push({ syscall: name, code: 'CLONE_FOR_CLONE3', note: `added for clone3's fallback, without the namespace bits (${hex(CLONE_NAMESPACE_BITS)})` });
        continue;
      }
      out.notes.push({ syscall: name, code: built.code, note: `allowed by name: ${built.text}` });
      continue;
    }
    const seenKeys = new Set<string>();
    for (const r of built.rules) {
      const key = JSON.stringify(r.args);
      if (!seenKeys.has(key)) out.rules.push(r), seenKeys.add(key);
    }
    out.restricted.push(name);
    for (const n of built.notes) out.notes.push({ syscall: name, code: n.code, note: n.text });
    // libseccomp turns a socket rule into socketcall(SYS_SOCKET, ...) on x86 without looking at
    // the arguments, which are behind socketcall's pointer (checked with its compiled filter).
    if (name === 'socket' && opts.arches?.includes('x86'))
      out.notes.push({ syscall: name, code: 'SOCKETCALL_X86', note: 'on x86 the rule holds for the direct socket syscall only: libseccomp lets socketcall(SYS_SOCKET, ...) through with any arguments, which are behind its pointer' });
  }
  out.notes.sort((a, b) => (a.syscall < b.syscall ? -1 : a.syscall > b.syscall ? 1 : a.note < b.note ? -1 : a.note > b.note ? 1 : 0));
  return out;
}

/**
 * The `syscalls` of an allow-list profile with argument rules: the plain allow rule for every name
 * that is neither restricted nor denied, then the argument rules. Order does not matter to the
 * filter; serializeProfile puts it in canonical order.
 */
export function ruleSet(names: Iterable<string>, args: ArgRules | undefined): OciRule[] {
  const all = [...new Set([...names, ...(args?.added ?? [])])].sort();
  if (!args) return [{ names: all, action: 'SCMP_ACT_ALLOW' }];
  const out = new Set([...args.restricted, ...args.denied]);
  const plain = all.filter((n) => !out.has(n));
  return [...(plain.length ? [{ names: plain, action: 'SCMP_ACT_ALLOW' }] : []), ...args.rules];
}
