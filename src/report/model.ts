// What the report shows, computed once from the profile, the default profile and the recording's
// timeline; the text and HTML renderers only lay it out. Pure: the syscall tables come in as a
// catalog, so tests run without the addon.
import { riskOf, type RiskLevel } from '../profile/risk.js';
import { isPermitting, type SeccompProfile } from '../profile/schema.js';
import { profileStats, type ArchStats, type ProfileStats } from '../profile/stats.js';
import { allowedByArch, profileArches, type SyscallCatalog } from '../profile/syscall-set.js';
import { groupByKind, kindOf, type SyscallKind } from './syscall-kinds.js';
import type { TimelineEntry } from './timeline.js';
import type { Accumulation } from './accumulation.js';

export interface ReportInput {
  profile: SeccompProfile;
  /** Where the profile came from (shown, escaped). */
  source: string;
  catalog: SyscallCatalog;
  nativeArch: string;
  defaultProfile?: SeccompProfile;
  /** Where the reference profile came from. */
  defaultSource?: string;
  timeline?: readonly TimelineEntry[];
  /** The profile's run history (recordings and shadowed runs), when it has one. */
  accumulation?: Accumulation;
  container?: ContainerFacts;
  generatedAt?: Date;
}

/** What the registry knows of the recorded container (all optional: any subset is shown). */
export interface ContainerFacts {
  id: string;
  runtime?: string;
  name?: string;
  image?: string;
  registeredAt?: string;
  stoppedAt?: string;
}

export interface RiskyName { name: string; level: RiskLevel; why: string; kind: SyscallKind }

export interface KindRow {
  kind: SyscallKind;
  title: string;
  /** Allowed by this profile (any of its arches). */
  allowed: string[];
  /** Allowed by the default profile and not by this one. */
  removed: string[];
  /** How many names of this kind the default profile allows (on the same arches). */
  defaultAllowed?: number;
}

export interface GrowthPoint { at: string; name: string; arch: string; total: number }

export interface Growth {
  points: GrowthPoint[];
  first: string;
  last: string;
  /** Milliseconds from the first syscall seen to the last new one. */
  spanMs: number;
}

export interface ReportModel {
  source: string;
  defaultSource?: string;
  generatedAt: string;
  defaultAction: string;
  /** The default action lets unlisted calls run (complain mode, or a deny-list). */
  permissiveDefault: boolean;
  arches: ArchStats[];
  allowedCount: number;
  /** Union of the default profile's allowed names over this profile's arches; undefined without one. */
  defaultAllowedCount?: number;
  removedCount?: number;
  reductionVsDefault?: number;
  kinds: KindRow[];
  risky: RiskyName[];
  /** Risky names the default profile allows and this one blocks: the point of tailoring. */
  riskyRemoved: RiskyName[];
  growth?: Growth;
  /** Distinct syscalls against runs, from the profile's run history (issue 20). */
  accumulation?: Accumulation;
  container?: ContainerFacts;
  /** Argument rules and the engine defaults' argument limits against this profile. */
  argRules: ProfileStats['argRules'];
}

const union = (m: Map<string, Set<string>>): Set<string> => new Set([...m.values()].flatMap((s) => [...s]));

const pct = (part: number, whole: number): number => (whole === 0 ? 0 : Math.round((1 - part / whole) * 1000) / 10);

function riskyOf(names: Iterable<string>): RiskyName[] {
  const out: RiskyName[] = [];
  for (const name of names) {
    const r = riskOf(name);
    if (r) out.push({ name, level: r.level, why: r.why, kind: kindOf(name) });
  }
  // high before medium, then by name: the worst is read first
  return out.sort((a, b) => (a.level === b.level ? (a.name < b.name ? -1 : 1) : a.level === 'high' ? -1 : 1));
}

/** Cumulative distinct (arch, name) over time; earliest sighting wins; unparsable times are dropped. */
export function growthOf(timeline: readonly TimelineEntry[]): Growth | undefined {
  const first = new Map<string, { at: number; name: string; arch: string }>();
  for (const e of timeline) {
    const at = Date.parse(e.firstSeen);
    if (Number.isNaN(at)) continue;
    const key = `${e.arch}\u0000${e.name}`;
    const had = first.get(key);
    if (!had || at < had.at) first.set(key, { at, name: e.name, arch: e.arch });
  }
  if (first.size === 0) return undefined;
  const sorted = [...first.values()].sort((a, b) => a.at - b.at || (a.name < b.name ? -1 : 1));
  const points = sorted.map((p, i) => ({ at: new Date(p.at).toISOString(), name: p.name, arch: p.arch, total: i + 1 }));
  return { points, first: points[0]!.at, last: points.at(-1)!.at, spanMs: sorted.at(-1)!.at - sorted[0]!.at };
}

export function buildReport(inp: ReportInput): ReportModel {
  const { profile } = inp;
  const arches = profileArches(profile, inp.nativeArch);
  const allowed = union(allowedByArch(profile, arches, inp.catalog));
  const reference = inp.defaultProfile ? union(allowedByArch(inp.defaultProfile, arches, inp.catalog)) : undefined;
  const removed = reference ? [...reference].filter((n) => !allowed.has(n)) : undefined;
  const stats = profileStats(profile, { catalog: inp.catalog, nativeArch: inp.nativeArch, ...(inp.defaultProfile ? { defaultProfile: inp.defaultProfile } : {}) });
  const removedGroups = removed ? new Map(groupByKind(removed).map((g) => [g.kind, g.names])) : undefined;
  const refGroups = reference ? new Map(groupByKind(reference).map((g) => [g.kind, g.names.length])) : undefined;
  const kinds: KindRow[] = groupByKind(allowed).map((g) => ({
    kind: g.kind,
    title: g.title,
    allowed: g.names,
    removed: removedGroups?.get(g.kind) ?? [],
    ...(refGroups ? { defaultAllowed: refGroups.get(g.kind)! } : {}),
  }));
  const growth = inp.timeline ? growthOf(inp.timeline) : undefined;
  return {
    source: inp.source,
    ...(inp.defaultSource && reference ? { defaultSource: inp.defaultSource } : {}),
    generatedAt: (inp.generatedAt ?? new Date()).toISOString(),
    defaultAction: profile.defaultAction,
    permissiveDefault: isPermitting(profile.defaultAction),
    arches: stats.arches,
    allowedCount: allowed.size,
    ...(reference && removed ? {
      defaultAllowedCount: reference.size,
      removedCount: removed.length,
      reductionVsDefault: pct(allowed.size, reference.size),
    } : {}),
    kinds,
    argRules: stats.argRules,
    risky: riskyOf(allowed),
    riskyRemoved: removed ? riskyOf(removed) : [],
    ...(growth ? { growth } : {}),
    ...(inp.accumulation ? { accumulation: inp.accumulation } : {}),
    ...(inp.container ? { container: inp.container } : {}),
  };
}
