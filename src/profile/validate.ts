// `profile validate`: everything that would make a runtime refuse a profile, or load one that does
// not do what its author meant. One line per problem; errors fail the command, warnings do not.
import { z } from 'zod';
import { isTailorError } from '../errors.js';
import { toProfileLike, type Libseccomp } from './libseccomp-view.js';
import { canonicalJson, isConditionalRule, isPermitting, parseProfile, type SeccompProfile } from './schema.js';
import { profileArches } from './syscall-set.js';

export interface Problem {
  severity: 'error' | 'warning';
  message: string;
}

export function validateProfileText(text: string, source: string, lib: Libseccomp): { profile?: SeccompProfile; problems: Problem[] } {
  let profile: SeccompProfile;
  try {
    profile = parseProfile(text, source);
  } catch (e) {
    if (!isTailorError(e)) throw e;
    // One problem per schema issue, from the ZodError itself (its messages already name the rule).
    const cause = e.cause;
    if (cause instanceof z.ZodError) {
      const issues = [...cause.issues].sort((a, b) => a.path.length - b.path.length);
      return { problems: issues.map((i) => ({ severity: 'error' as const, message: i.path.length ? `${i.message} (at ${z.core.toDotPath(i.path)})` : i.message })) };
    }
    return { problems: [{ severity: 'error', message: cause instanceof SyntaxError ? `not JSON: ${cause.message}` : e.message }] };
  }
  const problems = checkProfileSemantics(profile, lib);
  // zod reads null as "absent"; the runtimes do too, and then filter the native arch alone: a
  // profile written for a mixed cluster that says null is a profile for whichever node loads it.
  if (profile.architectures === null) problems.unshift({ severity: 'error', message: '"architectures": null: the runtime then filters only its own arch, so the profile means something else on each node; list the arches (profile translate --arch x86_64,aarch64 writes them)' });
  return { profile, problems };
}

export function checkProfileSemantics(p: SeccompProfile, lib: Libseccomp): Problem[] {
  const problems: Problem[] = [];
  const err = (message: string) => problems.push({ severity: 'error', message });
  const warn = (message: string) => problems.push({ severity: 'warning', message });

  if (p.defaultAction === 'SCMP_ACT_ALLOW') err('default action SCMP_ACT_ALLOW allows every syscall not listed: this profile only blocks, it does not confine');
  if (p.defaultAction === 'SCMP_ACT_LOG') warn('default action SCMP_ACT_LOG allows every syscall not listed (complain mode): use `profile enforce` for production');

  const arches = profileArches(p, lib.nativeArch());
  const tables = arches.map((a) => new Set(lib.names(a)));
  let known: Set<string> | undefined;
  const knownAnywhere = (): Set<string> => (known ??= new Set(lib.allArches().flatMap((a) => lib.names(a))));
  const rules = p.syscalls ?? [];
  const firstRule = new Map<string, number>();
  const seenRules = new Map<string, number>();
  rules.forEach((r, i) => {
    const key = canonicalJson({ ...r, comment: undefined, names: [...r.names].sort() });
    const twin = seenRules.get(key);
    if (twin !== undefined) warn(`rule ${i} repeats rule ${twin}`);
    else seenRules.set(key, i);
    const inRule = new Set<string>();
    for (const n of r.names) {
      if (inRule.has(n)) warn(`rule ${i} names ${n} twice`);
      inRule.add(n);
      if (!tables.some((t) => t.has(n))) {
        if (!knownAnywhere().has(n)) err(`unknown syscall ${n} in rule ${i}: libseccomp knows it for no architecture (a typo?)`);
        // Docker-style profiles carry every arch's names and pick arches with archMap (the runtime skips
        // the others); a plain OCI profile's names must exist on one of its arches, else it does not compile.
        else if (!p.archMap?.length) err(`syscall ${n} in rule ${i} exists on none of this profile's architectures (${arches.join(', ')})`);
      }
      if (isConditionalRule(r)) continue;
      const other = firstRule.get(n);
      if (other !== undefined && other !== i) {
        const o = rules[other]!;
        if (o.action === r.action) warn(`duplicate rule for ${n}: rules ${other} and ${i} (both ${r.action})`);
        else err(`conflicting rules for ${n}: rule ${other} says ${o.action}, rule ${i} says ${r.action}`);
      } else firstRule.set(n, i);
    }
  });
  if (!isPermitting(p.defaultAction) && !rules.some((r) => isPermitting(r.action))) err('empty allow-list under a denying default action');
  if (problems.some((x) => x.severity === 'error')) return problems;

  try {
    lib.compile(toProfileLike(p, lib));
  } catch (e) {
    if (!isTailorError(e)) throw e;
    err(e.message);
  }
  return problems;
}
