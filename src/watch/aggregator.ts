// Denials folded into counts per (profile file, arch, syscall), with each container's share: memory
// grows with the distinct syscalls denied and (up to a bound) the containers that asked, never with
// the number of records. Pure; serialisable as a whole so that counts and the source checkpoint are
// persisted in one atomic write (see state-store.ts).
import type { SeccompEvent } from '../../parsers/types.js';
import { MAX_DISTINCT, MAX_SYSCALLS_PER_CONTAINER } from '../profile/proposal-evidence.js';
import { MAX_CONTAINERS, proposalId, type ContainerRef } from '../profile/proposal.js';

export { MAX_DISTINCT };

/** Ids of containers beyond MAX_CONTAINERS remembered so that each is counted once (the oldest half forgotten beyond that). */
export const MAX_OTHER_IDS = 1000;

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

export interface ContainerTally extends ContainerRef {
  count: number;
  firstSeen: string;
  lastSeen: string;
  syscalls: string[];
}

export interface OtherTally {
  containers: number;
  count: number;
  /** Recently counted ids (at most MAX_OTHER_IDS): a container seen again is not counted again. */
  ids: string[];
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

/** A version 1 state's subject: one per (container or image, profile file). */
interface LegacySubject {
  id: string;
  container: ContainerRef;
  profilePath: string;
  tallies: Record<string, SyscallTally>;
  loss?: LossTally;
}

export interface AggregateSnapshot {
  subjects: Record<string, Subject>;
}

// A value parsed out of a line may be a slice that keeps the whole read chunk (a megabyte) alive in
// V8; a tally keeps values for the daemon's lifetime, so it keeps its own flat copy.
const ownText = (v: string): string => JSON.parse(JSON.stringify(v)) as string;

const addDistinct = (xs: string[], v: string | undefined, max = MAX_DISTINCT): void => {
  if (v !== undefined && xs.length < max && !xs.includes(v)) xs.push(ownText(v));
};

const emptySubject = (id: string, profilePath: string): Subject => ({ id, profilePath, tallies: {}, containers: {}, others: { containers: 0, count: 0, ids: [] } });

const isLegacy = (s: Subject | LegacySubject): s is LegacySubject => !('containers' in s);

function noteExample(t: SyscallTally, nr: number): void {
  const xs = (t.examples ??= []);
  if (xs.length < MAX_UNKNOWN_EXAMPLES && !xs.includes(nr)) xs.push(nr);
}

/**
 * Tallies written by versions that kept one per unknown number (`#<nr>`, without bound) become the
 * arch's one UNKNOWN_SYSCALL tally on load.
 */
function foldUnknownNumbers(s: Subject): void {
  for (const [key, t] of Object.entries(s.tallies)) {
    const m = /^#(\d+)$/.exec(t.syscall);
    if (!m) continue;
    delete s.tallies[key];
    const into = (s.tallies[`${t.arch}/${UNKNOWN_SYSCALL}`] ??= { ...t, syscall: UNKNOWN_SYSCALL, nr: -1, count: 0, comm: [], exe: [], actions: [] });
    into.count += t.count;
    if (t.firstSeen < into.firstSeen) into.firstSeen = t.firstSeen;
    if (t.lastSeen > into.lastSeen) into.lastSeen = t.lastSeen;
    for (const v of t.comm) addDistinct(into.comm, v);
    for (const v of t.exe) addDistinct(into.exe, v);
    for (const v of t.actions) addDistinct(into.actions, v);
    noteExample(into, Number(m[1]));
  }
}

function addTally(s: Subject, t: SyscallTally): void {
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

  /** A version 1 snapshot (subjects per container) is folded per profile file on the way in. */
  constructor(snapshot?: { subjects: Record<string, Subject | LegacySubject> }) {
    for (const s of Object.values(snapshot?.subjects ?? {})) {
      if (!isLegacy(s)) {
        this.subjects.set(s.id, s);
        continue;
      }
      const folded = this.subjectFor(proposalId(s.profilePath), s.profilePath);
      this.fold(folded, s.id, s.container, Object.values(s.tallies));
      if (s.loss) this.noteLoss(folded, s.loss);
      this.dirty.add(folded.id);
    }
    for (const s of this.subjects.values()) foldUnknownNumbers(s);
  }

  private subjectFor(id: string, profilePath: string): Subject {
    let s = this.subjects.get(id);
    if (!s) {
      s = emptySubject(id, profilePath);
      this.subjects.set(id, s);
    }
    return s;
  }

  /** Adds the counts of a version 1 proposal or subject `legacyId` (one container's) to `s`, once. */
  private fold(s: Subject, legacyId: string, container: ContainerRef, tallies: readonly SyscallTally[]): void {
    if (s.folded?.includes(legacyId)) return;
    (s.folded ??= []).push(legacyId);
    for (const t of tallies) addTally(s, t);
    const count = tallies.reduce((n, t) => n + t.count, 0);
    if (count === 0) return;
    const first = tallies.reduce((a, t) => (t.firstSeen < a ? t.firstSeen : a), tallies[0]!.firstSeen);
    const last = tallies.reduce((a, t) => (t.lastSeen > a ? t.lastSeen : a), tallies[0]!.lastSeen);
    this.countContainer(s, container, count, first, last, tallies.map((t) => t.syscall));
  }

  /** Folds a version 1 proposal file (its subject already pruned) into its profile's subject. */
  foldLegacy(legacyId: string, profilePath: string, container: ContainerRef, tallies: readonly SyscallTally[]): void {
    const s = this.subjectFor(proposalId(profilePath), profilePath);
    this.fold(s, legacyId, container, tallies);
    this.dirty.add(s.id);
  }

  // Per-record lookups that the serialisable shapes would make slow or linear: the named
  // containers by key with the syscalls each has, and the ids counted beyond the bound.
  private readonly index = new WeakMap<Subject, { named: Map<string, { t: ContainerTally; seen: Set<string> }>; others: Set<string> }>();
  private lastIndexed: { s: Subject; x: { named: Map<string, { t: ContainerTally; seen: Set<string> }>; others: Set<string> } } | undefined;

  private indexOf(s: Subject): { named: Map<string, { t: ContainerTally; seen: Set<string> }>; others: Set<string> } {
    // A flood comes from one profile's containers: the last subject's index is the likely one.
    if (s === this.lastIndexed?.s) return this.lastIndexed.x;
    let x = this.index.get(s);
    if (!x) {
      x = { named: new Map(Object.entries(s.containers).map(([k, t]) => [k, { t, seen: new Set(t.syscalls) }])), others: new Set(s.others.ids) };
      this.index.set(s, x);
    }
    this.lastIndexed = { s, x };
    return x;
  }

  /** Counts `n` denials (of `syscalls`) for container `c`: named up to MAX_CONTAINERS, counted beyond. */
  private countContainer(s: Subject, c: ContainerRef, n: number, first: string, last: string, syscalls: string | readonly string[]): void {
    const key = c.id ?? c.name ?? c.image ?? '?';
    const x = this.indexOf(s);
    let named = x.named.get(key);
    if (!named) {
      if (x.named.size >= MAX_CONTAINERS) {
        // Beyond the bound only counts are kept; an id remembered here is not counted twice.
        if (!x.others.has(key)) {
          // Ids come from the registry (small parsed strings), not from log lines: no copy needed.
          s.others.containers++;
          s.others.ids.push(key);
          x.others.add(key);
          // The oldest half goes at once: a per-record shift of a 1,000-entry array would cost more than the rest.
          if (s.others.ids.length > MAX_OTHER_IDS) for (const gone of s.others.ids.splice(0, MAX_OTHER_IDS / 2)) x.others.delete(gone);
        }
        s.others.count += n;
        return;
      }
      const t: ContainerTally = { ...Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined).map(([k, v]) => [k, ownText(v as string)])), count: 0, firstSeen: first, lastSeen: last, syscalls: [] };
      s.containers[key] = t;
      named = { t, seen: new Set() };
      x.named.set(key, named);
    }
    const t = named.t;
    t.count += n;
    if (first < t.firstSeen) t.firstSeen = first;
    if (last > t.lastSeen) t.lastSeen = last;
    if (typeof syscalls === 'string') this.noteSyscall(named, syscalls);
    else for (const name of syscalls) this.noteSyscall(named, name);
  }

  private noteSyscall(named: { t: ContainerTally; seen: Set<string> }, name: string): void {
    if (named.seen.has(name) || named.t.syscalls.length >= MAX_SYSCALLS_PER_CONTAINER) return;
    named.seen.add(name);
    named.t.syscalls.push(name);
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
    this.countContainer(s, ref.container, 1, e.time, e.time, t.syscall);
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
    if (this.dirty.has(id)) return false;
    if (this.lastIndexed?.s.id === id) this.lastIndexed = undefined;
    return this.subjects.delete(id);
  }

  /** The version 1 proposals folded into `id` are gone from disk: stop remembering them. */
  clearFolded(id: string): void {
    const s = this.subjects.get(id);
    if (s) delete s.folded;
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
