// Keeps a profile's family ENOSYS rules (families.ts) coherent when a patch allows more names: a
// newer member being allowed leaves the ENOSYS rule (allowing clone3 removes clone3's ENOSYS), and
// an older member being allowed gets ENOSYS for its newer members no rule names, as the recording
// would have written. Only profiles that carry such a rule are touched (`--families enosys`).
import { ENOSYS, FAMILY_COMMENT, familyGaps, isFamilyStandIn } from './families.js';
import type { SeccompProfile } from './schema.js';

interface Op { op: 'add' | 'remove' | 'replace'; path: string; value?: unknown; [k: string]: unknown }

/**
 * RFC 6902 operations to append after those that allow `added`. Replacements keep the rules'
 * indexes; removals come last and from the highest index down, so earlier paths stay valid.
 */
export function familyPatchOps(profile: SeccompProfile, added: ReadonlySet<string>): Op[] {
  const rules = profile.syscalls ?? [];
  const own = rules.map((r, i) => [r, i] as const).filter(([r]) => isFamilyStandIn(r));
  if (own.length === 0 || added.size === 0) return [];
  const gaps = familyGaps(profile, {}, added).map((g) => g.name).filter((n) => !added.has(n));
  const ops: Op[] = [];
  const removals: number[] = [];
  own.forEach(([r, i], k) => {
    const kept = r.names.filter((n) => !added.has(n));
    const names = k === 0 ? [...new Set([...kept, ...gaps])].sort() : kept;
    if (names.length === 0) removals.push(i);
    else if (names.join() !== r.names.join()) ops.push({ op: 'replace', path: `/syscalls/${i}/names`, value: names });
  });
  if (removals.length === own.length && gaps.length) {
    // Every ENOSYS rule emptied while new gaps appeared: one fresh rule holds them.
    ops.push({ op: 'add', path: '/syscalls/-', value: { names: gaps.sort(), action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS, comment: FAMILY_COMMENT } });
  }
  for (const i of removals.sort((a, b) => b - a)) ops.push({ op: 'remove', path: `/syscalls/${i}` });
  return ops;
}
