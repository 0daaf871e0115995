// Named calls (named-calls.ts) as an OCI seccomp profile, arches listed.
import { nativeArch } from '../native/libseccomp.js';
import { archTokenOf, type ScmpArch, type SeccompProfile } from '../profile/schema.js';
import type { ArgFact } from './arg-facts.js';
import { argRulesFromFacts, ruleSet, type ArgNote, type Clone3Choice } from './arg-rules.js';
import { archOfKind } from './named-calls.js';

export interface ArgOptions {
  /** The tracer's argument facts; absent: names only for the syscalls that have argument rules, noted. */
  facts?: readonly ArgFact[];
  namesOnly?: boolean;
  clone3?: Clone3Choice;
  /** Names a runtime calls after its filter (measured): no argument rule for them. */
  runtimeNames?: readonly string[];
}

/** Allow-list of exactly these names; everything else fails with EPERM (what podman expects). */
export function profileOf(calls: ReadonlyArray<{ arch: string; name: string }>, extraNames: Iterable<string> = []): SeccompProfile {
  return argumentProfileOf(calls, extraNames, { namesOnly: true }).profile;
}

/** The allow-list with argument rules from `args.facts`, the names it restricts and the notes. */
export function argumentProfileOf(calls: ReadonlyArray<{ arch: string; name: string }>, extraNames: Iterable<string>, args: ArgOptions): { profile: SeccompProfile; restricted: string[]; notes: ArgNote[] } {
  const native = nativeArch();
  const arches = new Set<string>([native, ...calls.map((c) => c.arch)]);
  const architectures = [...arches].map((a) => archTokenOf(a)).filter((t): t is ScmpArch => t !== undefined).sort();
  const names = new Set([...calls.map((c) => c.name), ...extraNames]);
  const rules = argRulesFromFacts(args.facts ?? [], {
    names, runtimeNames: new Set(args.runtimeNames ?? []), clone3: args.clone3 ?? 'allow', namesOnly: args.namesOnly, arches: [...arches],
    archName: (k) => archOfKind(k, native),
  });
  const profile = {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: 1,
    architectures,
    syscalls: ruleSet(names, rules),
  } as SeccompProfile;
  return { profile, restricted: rules.restricted, notes: rules.notes };
}
