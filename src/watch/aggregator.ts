// Denials counted per (profile file, arch, syscall), with each container's share (container-shares.ts):
// memory grows with the distinct syscalls denied and (up to a bound) the containers that asked,
// never with the number of records. Pure; serialisable as a whole so that counts and the source
// checkpoint are persisted in one atomic write (see state-store.ts). What older versions saved is
// brought to this shape before it gets here (v1-migration.ts).
import type { SeccompEvent } from '../../parsers/types.js';
import { MAX_DISTINCT } from '../profile/proposal-evidence.js';
import type { ContainerRef } from '../profile/proposal.js';
import { ContainerShares, ownText, type ContainerTally, type OtherTally } from './container-shares.js';

export type { ContainerTally, OtherTally };

export { MAX_DISTINCT };
export { MAX_OTHER_IDS } from './container-shares.js';

/**
 * Every number outside an arch's syscall table is one tally per arch, `#unknown` (reported, never
 * proposed), with at most this many example numbers: a container calling syscall(n) for every n
 * cannot grow the watcher's memory or state (issue 19).
 */
export const UNKNOWN_SYSCALL = '#unknown';
export const MAX_UNKNOWN_EXAMPLES = 8;

export interface SyscallTally {
  arch: string;
  /** Name when the arch's table knows the number, else UNKNOWN_SYSCALL (reported, never proposed). */
  syscall: string;
  /** The number (-1 for UNKNOWN_SYSCALL and for tallies continued from a proposal file). */
  nr: number;
  /** UNKNOWN_SYSCALL only: the first distinct numbers seen (at most MAX_UNKNOWN_EXAMPLES). */
  examples?: number[];
  count: number;
  firstSeen: string;
  lastSeen: string;
  comm: string[];
  exe: string[];
  actions: string[];
}

/** Records lost while a subject was being watched: its proposal's evidence is incomplete. */
export interface LossTally {
  /** Records (or audit events, for serial gaps) reported lost; 0 when the count is unknown. */
  records: number;
  notices: number;
  /** When the first and the last loss notice arrived (or the window they name). */
  first: string;
  last: string;
  sources: string[];
}

export interface Subject {
  /** proposalId(profilePath). */
  id: string;
  profilePath: string;
  tallies: Record<string, SyscallTally>;
  /** The first MAX_CONTAINERS containers, by container id. */
  containers: Record<string, ContainerTally>;
  others: OtherTally;
  /** Version 1 proposals (one per container or image) folded in: removed once this one is written. */
  folded?: string[];
  loss?: LossTally;
}

/** Who asked: the profile file and the container (from the registry). */
export interface SubjectRef {
  id: string;
  profilePath: string;
  container: ContainerRef;
}

export interface AggregateSnapshot {
  subjects: Record<string, Subject>;
}

const addDistinct = (xs: string[], v: string | undefined, max = MAX_DISTINCT): void => {
  if (v !== undefined && xs.length < max && !xs.includes(v)) xs.push(ownText(v));
};

const emptySubject = (id: string, profilePath: string): Subject => ({ id, profilePath, tallies: {}, containers: {}, others: { containers: 0, count: 0, ids: [] } });

export function noteExample(t: SyscallTally, nr: number): void {
  const xs = (t.examples ??= []);
  if (xs.length < MAX_UNKNOWN_EXAMPLES && !xs.includes(nr)) xs.push(nr);
}

/** Adds `t`'s counts and evidence to the same (arch, syscall) tally of `s`. */
export function addTally(s: Subject, t: SyscallTally): void {
  const key = `${t.arch}/${t.syscall}`;
  const had = s.tallies[key];
  if (!had) {
    s.tallies[key] = { ...t, comm: [...t.comm], exe: [...t.exe], actions: [...t.actions] };
    return;
  }
  had.count += t.count;
  if (t.firstSeen < had.firstSeen) had.firstSeen = t.firstSeen;
  if (t.lastSeen > had.lastSeen) had.lastSeen = t.lastSeen;
  for (const v of t.comm) addDistinct(had.comm, v);
  for (const v of t.exe) addDistinct(had.exe, v);
  for (const v of t.actions) addDistinct(had.actions, v);
}

export class Aggregator {
  private readonly subjects = new Map<string, Subject>();
  private readonly dirty = new Set<string>();
  private readonly shares = new ContainerShares();

  constructor(snapshot?: AggregateSnapshot) {
    for (const s of Object.values(snapshot?.subjects ?? {})) this.subjects.set(s.id, s);
  }

  private subjectFor(id: string, profilePath: string): Subject {
    let s = this.subjects.get(id);
    if (!s) {
      s = emptySubject(id, profilePath);
      this.subjects.set(id, s);
    }
    return s;
  }

  /** Adds one container's counts kept elsewhere (a version 1 subject or proposal) to its profile file's subject. */
  addCounts(ref: SubjectRef, tallies: readonly SyscallTally[]): Subject {
    const s = this.subjectFor(ref.id, ref.profilePath);
    for (const t of tallies) addTally(s, t);
    this.dirty.add(s.id);
    const count = tallies.reduce((n, t) => n + t.count, 0);
    if (count === 0) return s;
    const first = tallies.reduce((a, t) => (t.firstSeen < a ? t.firstSeen : a), tallies[0]!.firstSeen);
    const last = tallies.reduce((a, t) => (t.lastSeen > a ? t.lastSeen : a), tallies[0]!.lastSeen);
    this.shares.count(s, ref.container, count, first, last, tallies.map((t) => t.syscall));
    return s;
  }

  add(ref: SubjectRef, e: SeccompEvent): void {
    const s = this.subjectFor(ref.id, ref.profilePath);
    const name = e.syscallName ?? UNKNOWN_SYSCALL;
    const key = `${e.arch}/${name}`;
    let t = s.tallies[key];
    if (!t) {
      t = { arch: ownText(e.arch), syscall: ownText(name), nr: e.syscallName === undefined ? -1 : e.syscall, count: 0, firstSeen: e.time, lastSeen: e.time, comm: [], exe: [], actions: [] };
      s.tallies[key] = t;
    }
    if (e.syscallName === undefined) noteExample(t, e.syscall);
    t.count++;
    // Records can arrive slightly out of order (journald merges two transports): keep true bounds.
    if (e.time < t.firstSeen) t.firstSeen = e.time;
    if (e.time > t.lastSeen) t.lastSeen = e.time;
    addDistinct(t.comm, e.comm);
    addDistinct(t.exe, e.exe);
    addDistinct(t.actions, e.action);
    this.shares.count(s, ref.container, 1, e.time, e.time, t.syscall);
    this.dirty.add(s.id);
  }

  /**
   * A loss notice: the kernel does not say whose records were lost, so every subject held in
   * memory (containers still running or recently gone) may have lost some.
   */
  markLoss(source: string, count: number, from: string, to: string): number {
    let n = 0;
    for (const s of this.subjects.values()) {
      this.noteLoss(s, { records: count, notices: 1, first: from, last: to, sources: [source] });
      this.dirty.add(s.id);
      n++;
    }
    return n;
  }

  /** Adds a loss already tallied (a version 1 subject's) to subject `id`. */
  addLoss(id: string, add: LossTally): void {
    const s = this.subjects.get(id);
    if (!s) return;
    this.noteLoss(s, add);
    this.dirty.add(id);
  }

  private noteLoss(s: Subject, add: LossTally): void {
    const l = s.loss;
    if (!l) {
      s.loss = { ...add, sources: [...add.sources] };
      return;
    }
    l.records += add.records;
    l.notices += add.notices;
    if (add.first < l.first) l.first = add.first;
    if (add.last > l.last) l.last = add.last;
    for (const x of add.sources) if (!l.sources.includes(x)) l.sources.push(x);
  }

  /** Starts a subject from counts kept elsewhere (its proposal file, after the subject was pruned). */
  seed(s: Subject): void {
    if (this.subjects.has(s.id)) return;
    this.subjects.set(s.id, s);
  }

  /** Forgets a subject whose proposal is on disk and whose containers are gone: memory stays bounded. */
  remove(id: string): boolean {
    const s = this.subjects.get(id);
    if (!s || this.dirty.has(id)) return false;
    this.shares.forget(s);
    return this.subjects.delete(id);
  }

  get(id: string): Subject | undefined {
    return this.subjects.get(id);
  }
  all(): IterableIterator<Subject> {
    return this.subjects.values();
  }
  /** Subjects changed since the last call (they need their proposal rewritten). */
  takeDirty(): string[] {
    const ids = [...this.dirty];
    this.dirty.clear();
    return ids;
  }
  markDirty(id: string): void {
    if (this.subjects.has(id)) this.dirty.add(id);
  }
  get dirtyCount(): number {
    return this.dirty.size;
  }
  snapshot(): AggregateSnapshot {
    return { subjects: Object.fromEntries(this.subjects) };
  }
}
