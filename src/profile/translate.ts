// `profile translate`: a profile recorded on one arch, for another (or for both: one multi-arch
// profile for mixed clusters). Names map through translate-table.ts; argument rules are kept where
// their meaning is the same on both arches and said dropped where it is not. Pure: which names
// exist on which arch is injected (libseccomp's tables in the CLI).
import { conditionsHold } from './arg-eval.js';
import { CSIGNAL, LOW32 } from './arg-model.js';
import { isPermitting, type SeccompProfile, type SeccompRule, type ScmpArch } from './schema.js';
import { isFamilyStandIn } from './families.js';
import { EQUIVALENTS, SAME_MEANING, X86_64_ONLY, genericOf, legacyOf, type Equivalent } from './translate-table.js';

export const TRANSLATE_ARCHES = ['x86_64', 'aarch64'] as const;
export type TranslateArch = (typeof TRANSLATE_ARCHES)[number];
const TOKEN: Record<TranslateArch, ScmpArch> = { x86_64: 'SCMP_ARCH_X86_64', aarch64: 'SCMP_ARCH_AARCH64' };
/** Compat arches that ride on a 64-bit one (the same kernel runs their binaries). */
const COMPAT: Record<string, TranslateArch> = { x86: 'x86_64', x32: 'x86_64', arm: 'aarch64' };
const SIGCHLD = 17n;

export interface TranslateOptions {
  /** libseccomp arch names the source profile covers (profileArches). */
  sourceArches: readonly string[];
  targets: readonly TranslateArch[];
  exists: (arch: string, name: string) => boolean;
}

export interface TranslateReport {
  /** `open -> openat`: names added for a target, from a source name. */
  mapped: Array<{ from: string; to: string; arch: TranslateArch }>;
  /** Names left out or kept only for some arches, per target arch that lacks them. */
  noCounterpart: Array<{ name: string; arch: TranslateArch; why: string }>;
  /** Argument rules that could not be carried, and those carried with moved positions. */
  droppedArgs: Array<{ syscall: string; to: string; why: string }>;
  movedArgs: Array<{ syscall: string; to: string; why: string }>;
  keptArgs: string[];
  droppedArches: string[];
}

export interface TranslateResult {
  profile: SeccompProfile;
  report: TranslateReport;
}

type Rule = SeccompRule;
const ruleKey = (r: Rule): string => JSON.stringify([r.action, r.errnoRet ?? null, r.args ?? []]);

/** May `profile` run clone with exactly these flags (the exit signal SIGCHLD)? */
function cloneAllows(profile: SeccompProfile, flags: bigint): boolean {
  return (profile.syscalls ?? []).some((r) => r.names.includes('clone') && isPermitting(r.action) &&
    (!(r.args?.length) || conditionsHold(r.args, new Map([[0, flags | SIGCHLD]])) === true));
}

function shiftArgs(r: Rule, shift: number | undefined): Rule['args'] | undefined {
  if (shift === undefined) return undefined;
  const out = (r.args ?? []).map((a) => ({ ...a, index: a.index + shift }));
  return out.every((a) => a.index >= 0 && a.index <= 5) ? out : undefined;
}

export function translateProfile(p: SeccompProfile, opts: TranslateOptions): TranslateResult {
  const report: TranslateReport = { mapped: [], noCounterpart: [], droppedArgs: [], movedArgs: [], keptArgs: [], droppedArches: [] };
  const targets = [...new Set(opts.targets)];
  const source = new Set(opts.sourceArches.map((a) => COMPAT[a] ?? a));
  const onSome = (name: string) => targets.some((t) => opts.exists(t, name));
  const namedInSource = new Set((p.syscalls ?? []).flatMap((r) => r.names));
  const blockedOnPurpose = new Set((p.syscalls ?? []).filter((r) => !isPermitting(r.action) && !isFamilyStandIn(r)).flatMap((r) => r.names));
  const reverse = source.has('aarch64') && !source.has('x86_64') && targets.includes('x86_64');
  const out: Rule[] = [];
  const add = (r: Rule) => out.push(r);

  for (const r of p.syscalls ?? []) {
    const keep = r.names.filter(onSome);
    if (keep.length) add({ ...r, names: keep });
    if (r.args?.length) for (const n of keep) if (SAME_MEANING.has(n)) report.keptArgs.push(n);
    for (const n of r.names) {
      const targetsFor: Array<{ eq: Equivalent; to: string; arch: TranslateArch; reverse: boolean }> = [];
      for (const t of targets) {
        if (opts.exists(t, n)) {
          // Generic -> legacy: recorded on arm64 only, x86_64's libc may call the legacy name instead.
          if (reverse) for (const l of legacyOf(n)) if (opts.exists(t, l.legacy) && !namedInSource.has(l.legacy)) targetsFor.push({ eq: l, to: l.legacy, arch: t, reverse: true });
          continue;
        }
        // Legacy -> generic: the target lacks the name, its libc calls the generic one.
        const g = genericOf(n);
        if (g && opts.exists(t, g.generic)) targetsFor.push({ eq: g, to: g.generic, arch: t, reverse: false });
        else report.noCounterpart.push({ name: n, arch: t, why: X86_64_ONLY.has(n) ? 'x86-specific or removed: arm64 has no such call' : 'no equivalent in the table' });
      }
      for (const { eq, to, arch, reverse } of targetsFor) {
        // A blocking rule is carried only where it cannot block a call the source allows under the other name.
        if (!isPermitting(r.action) && namedInSource.has(to)) continue;
        // A deliberate block of the target name stays: the mapping is dropped, and said.
        if (isPermitting(r.action) && blockedOnPurpose.has(to)) {
          report.noCounterpart.push({ name: n, arch, why: `its counterpart ${to} is blocked by a rule of the profile` });
          continue;
        }
        if (eq.cloneFlags !== undefined) {
          if (!reverse) {
            // fork/vfork -> clone with those flags: nothing to add when clone already allows them.
            if (isPermitting(r.action) && !cloneAllows(p, eq.cloneFlags)) {
              const mask = LOW32 & ~CSIGNAL & ~eq.cloneFlags;
              add({ names: ['clone'], action: r.action, args: [{ index: 0, value: Number(mask), valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }] });
            }
          } else if (!(r.args?.length) || conditionsHold(r.args, new Map([[0, eq.cloneFlags | SIGCHLD]])) === true) {
            add({ names: [to], action: r.action, ...(r.errnoRet == null ? {} : { errnoRet: r.errnoRet }) });
          } else continue;
          report.mapped.push({ from: n, to, arch });
          continue;
        }
        if (r.args?.length) {
          const moved = shiftArgs(r, eq.argShift === undefined ? undefined : reverse ? -eq.argShift : eq.argShift);
          if (!moved) {
            report.droppedArgs.push({ syscall: n, to, why: `${n}'s and ${to}'s arguments differ: its argument rule is not carried (${to} is not allowed through it)` });
            continue;
          }
          const by = reverse ? -eq.argShift! : eq.argShift!;
          if (by) report.movedArgs.push({ syscall: n, to, why: `arg positions move by ${by}: ${n}'s arg i is ${to}'s arg i${by > 0 ? '+' : ''}${by} (open's flags are arg1, openat's arg2)` });
          add({ ...r, names: [to], args: moved });
        } else add({ ...r, names: [to] });
        report.mapped.push({ from: n, to, arch });
      }
    }
  }

  // A name the translation allows leaves the family ENOSYS rule (it stood for "never seen").
  const nowAllowed = new Set(out.filter((r) => isPermitting(r.action)).flatMap((r) => r.names));
  for (let i = out.length - 1; i >= 0; i--) {
    const r = out[i]!;
    if (!isFamilyStandIn(r)) continue;
    const names = r.names.filter((n) => !nowAllowed.has(n));
    if (names.length) out[i] = { ...r, names };
    else out.splice(i, 1);
  }
  // Same action and conditions: one rule (the translated names join the rule they came from).
  const merged = new Map<string, Rule>();
  for (const r of out) {
    const k = ruleKey(r);
    const m = merged.get(k);
    if (m && !(r.args?.length)) merged.set(k, { ...m, names: [...new Set([...m.names, ...r.names])] });
    else if (!m) merged.set(k, r);
    else if (JSON.stringify(m) !== JSON.stringify(r)) merged.set(`${k}#${merged.size}`, r);
  }
  const architectures: ScmpArch[] = targets.map((t) => TOKEN[t]);
  for (const a of opts.sourceArches) {
    const rides = COMPAT[a];
    if (rides && targets.includes(rides)) architectures.push(`SCMP_ARCH_${a.toUpperCase()}` as ScmpArch);
    else if (!targets.includes(a as TranslateArch)) report.droppedArches.push(a);
  }
  report.mapped = dedupe(report.mapped, (m) => `${m.from}>${m.to}>${m.arch}`);
  report.noCounterpart = dedupe(report.noCounterpart, (m) => `${m.name}>${m.arch}`);
  report.droppedArgs = dedupe(report.droppedArgs, (m) => `${m.syscall}>${m.to}`);
  report.movedArgs = dedupe(report.movedArgs, (m) => `${m.syscall}>${m.to}`);
  report.keptArgs = [...new Set(report.keptArgs)].sort();
  const { archMap: _drop, ...rest } = p;
  return { profile: { ...rest, architectures: [...new Set(architectures)].sort(), syscalls: [...merged.values()] }, report };
}

function dedupe<T>(xs: T[], key: (x: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const x of xs) if (!seen.has(key(x))) seen.set(key(x), x);
  return [...seen.values()];
}

/** The report, for people: one line per fact. */
export function formatTranslateReport(r: TranslateReport, targets: readonly TranslateArch[]): string[] {
  const out: string[] = [];
  const byArch = (arch: TranslateArch) => r.mapped.filter((m) => m.arch === arch).map((m) => `${m.from}→${m.to}`);
  for (const t of targets) {
    const m = byArch(t);
    if (m.length) out.push(`${t}: mapped ${m.join(', ')}`);
    const none = r.noCounterpart.filter((x) => x.arch === t);
    for (const x of none) out.push(`${t}: no counterpart for ${x.name} (${x.why})${targets.length > 1 ? '; kept for the other arch' : '; left out'}`);
  }
  if (r.keptArgs.length) out.push(`argument rules kept (same meaning on ${targets.join(' and ')}): ${r.keptArgs.join(', ')}`);
  for (const x of r.movedArgs) out.push(`argument rule of ${x.syscall} carried to ${x.to}: ${x.why}`);
  for (const x of r.droppedArgs) out.push(`argument rule dropped: ${x.why}`);
  if (r.droppedArches.length) out.push(`architectures dropped: ${r.droppedArches.join(', ')} (not a target and no target runs them)`);
  return out;
}

export { EQUIVALENTS };
