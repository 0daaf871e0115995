// Evidence arithmetic shared by the watcher (its own containers), `proposals import` (other hosts')
// and `proposals export`: sums per (arch, syscall), the bounded list of containers, and the split of
// a proposal into this host's share and what was imported. Pure.
import { MAX_CONTAINERS, type ContainerEvidence, type Contribution, type EvidenceIncomplete, type ImportedContribution, type OtherContainers, type Proposal, type ProposalEvidence } from './proposal.js';

/** Distinct comm/exe/action values kept per syscall: evidence, not a log. */
export const MAX_DISTINCT = 8;
/** Distinct syscall names kept per container. */
export const MAX_SYSCALLS_PER_CONTAINER = 64;

export type Evidence = ProposalEvidence;

/**
 * Counts add up to at most Number.MAX_SAFE_INTEGER and stay there: imported counts come from other
 * machines' documents, and a sum past it is no longer an integer the proposal schema accepts (two
 * contributions of 2^53-1 made a proposal unreadable: issue 19). A saturated count is a lower bound.
 */
export const MAX_COUNT = Number.MAX_SAFE_INTEGER;
export const addCounts = (a: number, b: number): number => Math.min(a + b, MAX_COUNT);

const keyOf = (e: { arch: string; syscall: string }): string => `${e.arch}/${e.syscall}`;

const union = (a: readonly string[], b: readonly string[], max: number): string[] => {
  const out = [...a];
  for (const x of b) if (out.length < max && !out.includes(x)) out.push(x);
  return out;
};

/** Per (arch, syscall): counts summed, first/last seen widened, distinct values united (capped). */
export function sumEvidence(...lists: ReadonlyArray<readonly Evidence[]>): Evidence[] {
  const by = new Map<string, Evidence>();
  for (const list of lists) {
    for (const e of list) {
      const k = keyOf(e);
      const had = by.get(k);
      if (!had) {
        by.set(k, { arch: e.arch, syscall: e.syscall, count: e.count, firstSeen: e.firstSeen, lastSeen: e.lastSeen, comm: [...e.comm], exe: [...e.exe], actions: [...e.actions] });
        continue;
      }
      had.count = addCounts(had.count, e.count);
      if (e.firstSeen < had.firstSeen) had.firstSeen = e.firstSeen;
      if (e.lastSeen > had.lastSeen) had.lastSeen = e.lastSeen;
      had.comm = union(had.comm, e.comm, MAX_DISTINCT);
      had.exe = union(had.exe, e.exe, MAX_DISTINCT);
      had.actions = union(had.actions, e.actions, MAX_DISTINCT);
    }
  }
  return [...by.values()];
}

/** `a` minus the counts of `b` per (arch, syscall); entries left with nothing are dropped. */
function subtractCounts(a: readonly Evidence[], b: readonly Evidence[]): Evidence[] {
  const minus = new Map<string, number>();
  for (const e of b) minus.set(keyOf(e), addCounts(minus.get(keyOf(e)) ?? 0, e.count));
  return a.flatMap((e) => {
    const n = e.count - (minus.get(keyOf(e)) ?? 0);
    return n > 0 ? [{ ...e, count: n }] : [];
  });
}

/**
 * The containers to name (at most `max`, in the order given: this host's first, then each imported
 * host's) and the rest folded into one count, so a proposal stays small with 10,000 replicas.
 */
export function boundContainers(lists: ReadonlyArray<readonly ContainerEvidence[]>, others: readonly OtherContainers[], max = MAX_CONTAINERS): { containers: ContainerEvidence[]; otherContainers: OtherContainers } {
  const containers: ContainerEvidence[] = [];
  const rest: OtherContainers = { containers: 0, count: 0 };
  for (const list of lists) {
    for (const c of list) {
      if (containers.length < max) containers.push({ ...c, syscalls: c.syscalls.slice(0, MAX_SYSCALLS_PER_CONTAINER) });
      else {
        rest.containers = addCounts(rest.containers, 1);
        rest.count = addCounts(rest.count, c.count);
      }
    }
  }
  for (const o of others) {
    rest.containers = addCounts(rest.containers, o.containers);
    rest.count = addCounts(rest.count, o.count);
  }
  return { containers, otherContainers: rest };
}

/** How many containers asked, named or counted. */
export const containerCount = (p: Pick<Proposal, 'containers' | 'otherContainers'>): number => addCounts(p.containers.length, p.otherContainers.containers);

export interface LocalEvidence {
  add: Evidence[];
  containers: ContainerEvidence[];
  otherContainers: OtherContainers;
  /** Records this host lost while it watched (see EvidenceIncomplete). */
  incomplete?: EvidenceIncomplete;
}

/**
 * This host's own share of a proposal: the summed additions minus every imported contribution, and
 * the containers without a host. Counts are exact; comm/exe lists may keep a value an imported host
 * contributed (distinct values are not counted, so they cannot be subtracted).
 */
export function localEvidence(p: Proposal): LocalEvidence {
  const imported = p.imported ?? [];
  const namedImported = p.containers.filter((c) => c.host !== undefined);
  // What boundContainers folded into otherContainers besides this host's own rest: each imported
  // rest, and the imported containers that did not fit among the named ones.
  let containers = 0;
  let count = 0;
  for (const c of imported) {
    containers = addCounts(containers, addCounts(c.otherContainers.containers, c.containers.length));
    count = addCounts(count, c.containers.reduce((n, x) => addCounts(n, x.count), c.otherContainers.count));
  }
  containers -= namedImported.length;
  count -= namedImported.reduce((n, x) => addCounts(n, x.count), 0);
  return {
    add: subtractCounts(p.add, imported.flatMap((c) => c.add)),
    containers: p.containers.filter((c) => c.host === undefined),
    otherContainers: { containers: Math.max(0, p.otherContainers.containers - containers), count: Math.max(0, p.otherContainers.count - count) },
    ...(p.evidenceIncomplete ? { incomplete: p.evidenceIncomplete } : {}),
  };
}

/** This host's share as a contribution another host can import. */
export function ownContribution(p: Proposal, host: string): Contribution {
  const l = localEvidence(p);
  return { host, proposal: p.id, revision: p.revision, add: l.add, containers: l.containers, otherContainers: l.otherContainers };
}

export type MergeOutcome = 'added' | 'replaced' | 'already-imported' | 'older';

/**
 * `c` into the imported list: one entry per (host, proposal there). The same or an older revision
 * changes nothing (a second import of one file duplicates nothing); a newer one replaces its
 * predecessor rather than adding to it (its counts already include the older ones).
 */
export function mergeContribution(list: readonly ImportedContribution[], c: ImportedContribution): { list: ImportedContribution[]; outcome: MergeOutcome } {
  const at = list.findIndex((x) => x.host === c.host && x.proposal === c.proposal);
  if (at < 0) return { list: [...list, c], outcome: 'added' };
  const had = list[at]!;
  if (c.revision === had.revision) return { list: [...list], outcome: 'already-imported' };
  if (c.revision < had.revision) return { list: [...list], outcome: 'older' };
  const out = [...list];
  out[at] = c;
  return { list: out, outcome: 'replaced' };
}
