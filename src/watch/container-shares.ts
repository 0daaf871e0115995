// Each container's share of a profile file's denials: the first MAX_CONTAINERS containers by name,
// with their counts and the syscalls each asked for; beyond that only counts (and, up to
// MAX_OTHER_IDS, the ids already counted, so a container seen again is not counted twice).
// The shares live in the serialisable Subject; this class keeps the per-record lookups on them
// (containers by key, each one's syscalls, the ids beyond the bound) that the plain shapes would
// make linear.
import { MAX_SYSCALLS_PER_CONTAINER } from '../profile/proposal-evidence.js';
import { MAX_CONTAINERS, type ContainerRef } from '../profile/proposal.js';

/** Ids of containers beyond MAX_CONTAINERS remembered so that each is counted once (the oldest half forgotten beyond that). */
export const MAX_OTHER_IDS = 1000;

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

/** The shares of one profile file's denials (part of the aggregator's Subject). */
export interface Shares {
  /** The first MAX_CONTAINERS containers, by container key. */
  containers: Record<string, ContainerTally>;
  others: OtherTally;
}

interface NamedShare { t: ContainerTally; seen: Set<string> }
interface SharesIndex { named: Map<string, NamedShare>; others: Set<string> }

// A value parsed out of a line may be a slice that keeps the whole read chunk (a megabyte) alive in
// V8; a tally keeps values for the daemon's lifetime, so it keeps its own flat copy.
export const ownText = (v: string): string => JSON.parse(JSON.stringify(v)) as string;

export const containerKey = (c: ContainerRef): string => c.id ?? c.name ?? c.image ?? '?';

export class ContainerShares {
  private readonly index = new WeakMap<Shares, SharesIndex>();
  private last: { s: Shares; x: SharesIndex } | undefined;

  /** Counts `n` denials (of `syscalls`) between `first` and `last` for container `c` in `s`. */
  count(s: Shares, c: ContainerRef, n: number, first: string, last: string, syscalls: string | readonly string[]): void {
    const key = containerKey(c);
    const x = this.indexOf(s);
    let named = x.named.get(key);
    if (!named) {
      if (x.named.size >= MAX_CONTAINERS) return this.countOther(s, x, key, n);
      const t: ContainerTally = { ...Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined).map(([k, v]) => [k, ownText(v as string)])), count: 0, firstSeen: first, lastSeen: last, syscalls: [] };
      s.containers[key] = t;
      named = { t, seen: new Set() };
      x.named.set(key, named);
    }
    const t = named.t;
    t.count += n;
    if (first < t.firstSeen) t.firstSeen = first;
    if (last > t.lastSeen) t.lastSeen = last;
    if (typeof syscalls === 'string') noteSyscall(named, syscalls);
    else for (const name of syscalls) noteSyscall(named, name);
  }

  /** The subject is gone from memory: its lookups go too. */
  forget(s: Shares): void {
    if (this.last?.s === s) this.last = undefined;
    this.index.delete(s);
  }

  private countOther(s: Shares, x: SharesIndex, key: string, n: number): void {
    if (!x.others.has(key)) {
      // Ids come from the registry (small parsed strings), not from log lines: no copy needed.
      s.others.containers++;
      s.others.ids.push(key);
      x.others.add(key);
      // The oldest half goes at once: a per-record shift of a 1,000-entry array would cost more than the rest.
      if (s.others.ids.length > MAX_OTHER_IDS) for (const gone of s.others.ids.splice(0, MAX_OTHER_IDS / 2)) x.others.delete(gone);
    }
    s.others.count += n;
  }

  private indexOf(s: Shares): SharesIndex {
    // A flood comes from one profile's containers: the last subject's index is the likely one.
    if (s === this.last?.s) return this.last.x;
    let x = this.index.get(s);
    if (!x) {
      x = { named: new Map(Object.entries(s.containers).map(([k, t]) => [k, { t, seen: new Set(t.syscalls) }])), others: new Set(s.others.ids) };
      this.index.set(s, x);
    }
    this.last = { s, x };
    return x;
  }
}

function noteSyscall(named: NamedShare, name: string): void {
  if (named.seen.has(name) || named.t.syscalls.length >= MAX_SYSCALLS_PER_CONTAINER) return;
  named.seen.add(name);
  named.t.syscalls.push(name);
}
