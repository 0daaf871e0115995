// THE recorded profile, for the hook (poststop, flush, report --live) and `record` alike: the
// workload's calls (the workload phase, exactly what the container made) plus what
// the runtime was measured to need after installing the filter, named per arch, with argument
// rules from the tracer's argument facts. Built without the schema module on the common path (no
// baseline): its zod import costs ~50 ms inside `runc run`'s poststop; the text is the canonical
// serializer's (the zod-free profile/canonical.ts).
import { architectures, nativeArch, syscallName } from '../native/libseccomp.js';
import { serializeProfile } from '../profile/canonical.js';
import type { ArgFact } from './arg-facts.js';
import { argRulesFromFacts, ruleSet, type ArgNote, type Clone3Choice } from './arg-rules.js';
import type { SyscallCount } from './tracer.js';
import { PHASE } from './tracer-layout.js';
import { archOfKind } from './named-calls.js';
import { withNativeFamilyRules } from '../profile/families-native.js';
import type { FamilyMode, FamilyNote } from '../profile/families.js';

export interface RecordedProfileInput {
  counts: readonly SyscallCount[];
  /** Names (native arch) the runtime needs after the filter, from the measured table. */
  runtimeNeeds: readonly string[];
  /** The tracer's argument facts (absent: a tracer without argument capture; names only, noted). */
  argFacts?: readonly ArgFact[];
  /** Today's behaviour: no argument rules. */
  namesOnly?: boolean;
  clone3?: Clone3Choice;
  /** ENOSYS for newer family members never seen (profile/families.ts); the hook passes its config's (default enosys). */
  families?: FamilyMode;
  /** Under families `allow`, clone3 too (`record --families allow --allow-clone3`). */
  allowClone3?: boolean;
}

export interface BuiltProfile {
  text: string;
  /** The profile's allowed names. */
  names: string[];
  workload: Array<{ arch: string; name: string }>;
  /** Runtime calls seen in this run that the shipped table lacks (added, and warned about). */
  unexpectedRuntimeCalls: string[];
  /** Numbers no table names (left out). */
  unknown: SyscallCount[];
  /** Names allowed only with argument rules. */
  restricted: string[];
  /** Why a dangerous-by-argument syscall kept its name alone, what clone3 does, arch differences. */
  argNotes: ArgNote[];
  /** The profile itself (`text` is its canonical serialization). */
  profile: Record<string, unknown>;
  /** Newer family members never seen: what was done with each, and which were allowed. */
  familyNotes: FamilyNote[];
  familyAllowed: string[];
}

export function buildRecordedProfile(inp: RecordedProfileInput): BuiltProfile {
  const native = nativeArch();
  const workload: Array<{ arch: string; name: string }> = [];
  const phase1 = new Set<string>();
  const arches = new Set<string>([native]);
  const unknown: SyscallCount[] = [];
  for (const c of inp.counts) {
    if (c.phase === PHASE.setup) continue;
    const arch = archOfKind(c.arch, native);
    const name = syscallName(arch, c.nr);
    if (!name) {
      unknown.push(c);
      continue;
    }
    arches.add(arch);
    if (c.phase === PHASE.workload) workload.push({ arch, name });
    else phase1.add(name);
  }
  const needs = new Set(inp.runtimeNeeds);
  const unexpectedRuntimeCalls = [...phase1].filter((n) => !needs.has(n)).sort();
  const recorded = [...new Set([...workload.map((w) => w.name), ...needs, ...unexpectedRuntimeCalls])];
  const args = argRulesFromFacts(inp.argFacts ?? [], {
    names: new Set(recorded), runtimeNames: needs, clone3: inp.clone3 ?? 'allow', namesOnly: inp.namesOnly, arches: [...arches],
    archName: (k) => archOfKind(k, native),
  });
  const names = [...new Set([...recorded, ...args.added])].filter((n) => !args.denied.includes(n)).sort();
  const tokens = new Map(architectures().map((a) => [a.name, a.token]));
  const architecturesList = [...arches].map((a) => tokens.get(a)).filter((t): t is string => t !== undefined).sort();
  const fam = withNativeFamilyRules({
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: 1,
    architectures: architecturesList,
    syscalls: ruleSet(recorded, args),
  }, inp.families ?? 'off', inp.allowClone3 === true);
  return {
    text: serializeProfile(fam.profile), profile: fam.profile as Record<string, unknown>, names, workload, unexpectedRuntimeCalls, unknown,
    restricted: args.restricted, argNotes: args.notes, familyNotes: fam.notes, familyAllowed: fam.allowed,
  };
}

/** The profile merged into a baseline the way users expect (blocked stays blocked, its fields kept). */
export async function mergeWithBaseline(recorded: string, baselineText: string, baselineSource: string): Promise<{ text: string; warnings: string[] }> {
  const { parseProfile, serializeProfile } = await import('../profile/schema.js');
  const { mergeProfiles } = await import('../profile/merge.js');
  const base = parseProfile(baselineText, baselineSource);
  const rec = parseProfile(recorded, 'recording');
  const { profile, warnings } = mergeProfiles([{ profile: base, label: baselineSource }, { profile: rec, label: 'recording' }]);
  return { text: serializeProfile(profile), warnings };
}
