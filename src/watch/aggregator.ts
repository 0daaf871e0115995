// Denials folded into counts per (subject, arch, syscall): memory grows with the number of distinct
// syscalls denied per container, never with the number of records. Pure; serialisable as a whole
// so that counts and the source checkpoint are persisted in one atomic write (see state-store.ts).
import type { SeccompEvent } from '../../parsers/types.js';
import type { Proposal } from '../profile/proposal.js';

/** Distinct comm/exe values kept per syscall: evidence, not a log. */
export const MAX_DISTINCT = 8;

export interface SyscallTally {
  arch: string;
  /** Name when the arch's table knows the number, else `#<nr>` (reported, never proposed). */
  syscall: string;
  nr: number;
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
  /** proposalId(container, profilePath). */
  id: string;
  container: Proposal['container'];
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

const addDistinct = (xs: string[], v: string | undefined): void => {
  if (v !== undefined && xs.length < MAX_DISTINCT && !xs.includes(v)) xs.push(ownText(v));
};

export class Aggregator {
  private readonly subjects: Map<string, Subject>;
  private readonly dirty = new Set<string>();

  constructor(snapshot?: AggregateSnapshot) {
    this.subjects = new Map(Object.entries(snapshot?.subjects ?? {}));
  }

  add(subject: Omit<Subject, 'tallies' | 'loss'>, e: SeccompEvent): void {
    let s = this.subjects.get(subject.id);
    if (!s) {
      s = { ...subject, tallies: {} };
      this.subjects.set(subject.id, s);
    }
    const name = e.syscallName ?? `#${e.syscall}`;
    const key = `${e.arch}/${name}`;
    let t = s.tallies[key];
    if (!t) {
      t = { arch: ownText(e.arch), syscall: ownText(name), nr: e.syscall, count: 0, firstSeen: e.time, lastSeen: e.time, comm: [], exe: [], actions: [] };
      s.tallies[key] = t;
    }
    t.count++;
    // Records can arrive slightly out of order (journald merges two transports): keep true bounds.
    if (e.time < t.firstSeen) t.firstSeen = e.time;
    if (e.time > t.lastSeen) t.lastSeen = e.time;
    addDistinct(t.comm, e.comm);
    addDistinct(t.exe, e.exe);
    addDistinct(t.actions, e.action);
    this.dirty.add(subject.id);
  }

  /**
   * A loss notice: the kernel does not say whose records were lost, so every subject held in
   * memory (containers still running or recently gone) may have lost some.
   */
  markLoss(source: string, count: number, from: string, to: string): number {
    let n = 0;
    for (const s of this.subjects.values()) {
      const l = s.loss;
      if (!l) s.loss = { records: count, notices: 1, first: from, last: to, sources: [source] };
      else {
        l.records += count;
        l.notices++;
        if (from < l.first) l.first = from;
        if (to > l.last) l.last = to;
        if (!l.sources.includes(source)) l.sources.push(source);
      }
      this.dirty.add(s.id);
      n++;
    }
    return n;
  }

  /** Starts a subject from counts kept elsewhere (its proposal file, after the subject was pruned). */
  seed(subject: Omit<Subject, 'tallies' | 'loss'>, tallies: SyscallTally[], loss?: LossTally): void {
    if (this.subjects.has(subject.id)) return;
    this.subjects.set(subject.id, { ...subject, tallies: Object.fromEntries(tallies.map((t) => [`${t.arch}/${t.syscall}`, t])), ...(loss ? { loss } : {}) });
  }

  /** Forgets a subject whose proposal is on disk and whose containers are gone: memory stays bounded. */
  remove(id: string): boolean {
    if (this.dirty.has(id)) return false;
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
