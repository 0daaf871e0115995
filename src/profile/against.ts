// The CI gate: what a recorded run needed that a committed profile does not allow, per syscall
// and, for syscalls the profile allows only with argument rules, per argument value the tracer
// saw (evaluated as libseccomp's filter compares them). Pure: the recording comes in as data.
import { conditionsHold } from './arg-eval.js';
import { nameValue } from './arg-model.js';
import { familyOf } from './families-table.js';
import { ENOSYS } from './families.js';
import { isArgOnlyRule, isConditionalRule, isPermitting, type SeccompProfile } from './schema.js';
import { profileArches, verdictFor } from './syscall-set.js';

export interface GateCall {
  arch: string;
  name: string;
}
/** The tracer's argument facts, arch already a libseccomp name. */
export interface GateFact {
  arch: string;
  syscall: string;
  argIndexes: readonly number[];
  values: ReadonlyArray<readonly bigint[]>;
  overflow: boolean;
}

export interface Violation {
  arch: string;
  syscall: string;
  /** Argument values the profile refuses (`arg0=CLONE_NEWUSER|…`), when the name alone is allowed only with rules. */
  args?: string;
  why: string;
}

export interface GateResult {
  violations: Violation[];
  /** Not failures: a newer family member answered ENOSYS (libc falls back), or values that cannot be checked. */
  notes: Violation[];
}

const describeTuple = (syscall: string, indexes: readonly number[], tuple: readonly bigint[]): string =>
  indexes.map((i, k) => `arg${i}=${nameValue(syscall, i, tuple[k]!)}`).join(', ');

export function checkAgainst(profile: SeccompProfile, calls: readonly GateCall[], facts: readonly GateFact[], nativeArch: string): GateResult {
  const out: GateResult = { violations: [], notes: [] };
  const arches = new Set(profileArches(profile, nativeArch));
  const seen = new Set<string>();
  const rules = profile.syscalls ?? [];
  for (const c of [...calls].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.arch < b.arch ? -1 : 1))) {
    const key = `${c.arch}/${c.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (!arches.has(c.arch)) {
      out.violations.push({ arch: c.arch, syscall: c.name, why: `the profile does not cover arch ${c.arch} (its filter kills every call of an arch it does not list)` });
      continue;
    }
    const v = verdictFor(profile, c.name);
    if (v.kind === 'allowed' || (v.kind === 'default' && isPermitting(v.action))) continue;
    const enosys = rules.some((r) => r.names.includes(c.name) && r.action === 'SCMP_ACT_ERRNO' && r.errnoRet === ENOSYS && !isConditionalRule(r));
    const fam = familyOf(c.name);
    const older = fam && fam.index > 0 ? fam.family.members.slice(0, fam.index).map((m) => m.name).filter((n) => ['allowed', 'conditional'].includes(verdictFor(profile, n).kind)) : [];
    if (enosys && older.length) {
      out.notes.push({ arch: c.arch, syscall: c.name, why: `the profile answers ENOSYS and allows ${older.join(', ')}: ${fam!.family.fallback}` });
      continue;
    }
    if (v.kind !== 'conditional') {
      out.violations.push({ arch: c.arch, syscall: c.name, why: v.kind === 'blocked-by-rule' ? `the profile blocks it (rule ${v.rule}, ${v.action})` : `the profile does not allow it (default ${v.action})` });
      continue;
    }
    const permitting = rules.filter((r) => r.names.includes(c.name) && isPermitting(r.action));
    const own = facts.filter((f) => f.syscall === c.name && f.arch === c.arch);
    if (!own.length || own.some((f) => f.overflow) || permitting.some((r) => isConditionalRule(r) && !isArgOnlyRule(r))) {
      out.notes.push({ arch: c.arch, syscall: c.name, why: own.length ? 'allowed only with conditions the recorded values cannot settle (too many values, or capability/arch conditions): not checked' : 'allowed only with argument rules, and the tracer records no arguments for it: not checked' });
      continue;
    }
    for (const f of own) {
      for (const tuple of f.values) {
        const args = new Map(f.argIndexes.map((i, k) => [i, tuple[k]!] as const));
        const verdicts = permitting.map((r) => conditionsHold(r.args ?? [], args));
        if (verdicts.some((x) => x === true)) continue;
        const desc = describeTuple(c.name, f.argIndexes, tuple);
        if (verdicts.some((x) => x === undefined)) out.notes.push({ arch: c.arch, syscall: c.name, args: desc, why: 'a rule reads an argument the tracer does not record: not checked' });
        else out.violations.push({ arch: c.arch, syscall: c.name, args: desc, why: 'the profile allows it only with other argument values' });
      }
    }
  }
  return out;
}

// GitHub workflow commands: the message's %, CR and LF are escaped, or the line would end early.
const ghEscape = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

export function formatGate(r: GateResult, against: string, format: 'text' | 'github'): string[] {
  const line = (v: Violation) => `${v.syscall} (${v.arch})${v.args ? ` with ${v.args}` : ''}: ${v.why}`;
  if (format === 'github') {
    return [
      ...r.violations.map((v) => `::error title=seccomp-tailor: ${ghEscape(against).replace(/[,:]/g, ' ')}::${ghEscape(`${against} does not allow ${line(v)}`)}`),
      ...r.notes.map((v) => `::notice title=seccomp-tailor::${ghEscape(line(v))}`),
    ];
  }
  return [...r.violations.map((v) => `needs ${line(v)}`), ...r.notes.map((v) => `note: ${line(v)}`)];
}
