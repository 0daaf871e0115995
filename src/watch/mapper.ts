// pid in an audit record -> the container it ran in, or the host, or "unknown" (never a guess).
// Evidence: /proc while the process lives (guarded against pid reuse by its start time), else what
// the eBPF exit witness saw as the process exited (the only trace left once SCMP_ACT_KILL_PROCESS
// or a short life has removed it from /proc). Either is matched against the registry by pid and
// mount namespace inode; a process in the host's pid and mount namespaces is then the host, whatever
// its cgroup is called (any user can name a cgroup in its delegated subtree after a container);
// else by cgroup path, and an id in a cgroup under an engine's own parent (cgroup-id.ts).
import type { SeccompEvent } from '../../parsers/types.js';
import { containerFromProcCgroup, isDelegatedToUser, primaryCgroupPath, type Engine } from './cgroup-id.js';
import { BootClock, readProcIdentity, startedAfter, type ProcIdentity } from './proc.js';
import type { RegistryEntry } from '../state/registry.js';

/** Who a process was when it exited, as the eBPF probe saw it (bpf/witness.bpf.c). */
export interface ExitWitness {
  tgid: number;
  mntNs: number;
  pidNs: number;
  /** Process start and exit, CLOCK_BOOTTIME ns. */
  startBootNs: bigint;
  exitBootNs: bigint;
  exitCode: number;
  comm: string;
}
export type WitnessLookup = (tgid: number) => ExitWitness | undefined;

export type Attribution =
  | { kind: 'container'; entry: RegistryEntry; via: 'witness' | 'pid-ns' | 'mnt-ns' | 'cgroup-path' | 'cgroup-id' }
  /** The cgroup names a container the registry does not know (no profile file to propose against). */
  | { kind: 'unregistered'; id: string; engine: Engine }
  | { kind: 'host' }
  | { kind: 'unknown'; reason: string; pidNs?: number; mntNs?: number };

/** A stopped container still owns records stamped up to this long after its stop was noticed. */
const STOP_SLACK_MS = 2_000;
/** /proc start times have 10 ms resolution and the boot-to-wall offset is read to 10 ms. */
const START_SLACK_MS = 50;

function liveAt(e: RegistryEntry, eventMs: number): boolean {
  return e.stoppedAt === undefined || eventMs <= Date.parse(e.stoppedAt) + STOP_SLACK_MS;
}

/** Registry entries indexed for the lookups the mapper makes per event. */
export class ContainerIndex {
  private readonly byId = new Map<string, RegistryEntry>();
  private byPidNs = new Map<number, RegistryEntry[]>();
  private byMntNs = new Map<number, RegistryEntry[]>();

  /**
   * `host`: a container sharing the host's pid (or mount) namespace must not be found by it, or
   * every host process would be attributed to that container.
   */
  constructor(entries: Iterable<RegistryEntry> = [], private readonly clock: BootClock = new BootClock(), private readonly host: HostIdentity = {}) {
    for (const e of entries) this.byId.set(e.id, e);
    this.reindex();
  }
  upsert(e: RegistryEntry): void {
    this.byId.set(e.id, e);
    this.reindex();
  }
  remove(id: string): void {
    if (this.byId.delete(id)) this.reindex();
  }
  get(id: string): RegistryEntry | undefined {
    return this.byId.get(id);
  }
  entries(): IterableIterator<RegistryEntry> {
    return this.byId.values();
  }
  get size(): number {
    return this.byId.size;
  }
  /** Bumped at every change: attributions cached against an older version are recomputed. */
  version = 0;

  private reindex(): void {
    this.version++;
    this.byPidNs = new Map();
    this.byMntNs = new Map();
    for (const e of this.byId.values()) {
      if (e.pidNs !== undefined && e.pidNs !== this.host.pidNs) push(this.byPidNs, e.pidNs, e);
      if (e.mntNs !== undefined && e.mntNs !== this.host.mntNs) push(this.byMntNs, e.mntNs, e);
    }
  }

  /**
   * Namespace inodes are recycled as soon as a namespace dies (the kernel hands out the lowest free
   * number), so two entries can carry the same inode: a container that just stopped and one that
   * just started. The event belongs to the one whose init had started by then and started last.
   */
  byNamespaces(pidNs: number | undefined, mntNs: number | undefined, eventMs: number): { entry: RegistryEntry; via: 'pid-ns' | 'mnt-ns' } | undefined {
    const alive = (xs: RegistryEntry[] | undefined) => this.newest((xs ?? []).filter((e) => liveAt(e, eventMs) && this.startMs(e) <= eventMs + START_SLACK_MS));
    const byPid = pidNs === undefined ? [] : alive(this.byPidNs.get(pidNs));
    // Containers sharing one pid namespace (a pod with shareProcessNamespace): the mount namespace decides.
    if (byPid.length === 1) return { entry: byPid[0]!, via: 'pid-ns' };
    const byMnt = mntNs === undefined ? [] : alive(this.byMntNs.get(mntNs));
    const both = byPid.length > 1 ? byMnt.filter((e) => byPid.includes(e)) : byMnt;
    if (both.length === 1) return { entry: both[0]!, via: 'mnt-ns' };
    return undefined;
  }

  private startMs(e: RegistryEntry): number {
    return this.clock.ticksToWallMs(e.initStartTime);
  }

  /** Of entries that share an inode, those of the most recent generation (same init start). */
  private newest(xs: RegistryEntry[]): RegistryEntry[] {
    if (xs.length < 2) return xs;
    const bySharedNs = new Map<string, RegistryEntry[]>();
    for (const e of xs) push(bySharedNs, `${e.pidNs}/${e.mntNs}`, e);
    const out: RegistryEntry[] = [];
    for (const group of bySharedNs.values()) {
      const latest = Math.max(...group.map((e) => e.initStartTime));
      out.push(...group.filter((e) => e.initStartTime === latest));
    }
    return out;
  }

  byCgroupPath(path: string, eventMs: number): RegistryEntry | undefined {
    if (path === '/' || path === '' || isDelegatedToUser(path)) return undefined;
    let best: RegistryEntry | undefined;
    for (const e of this.byId.values()) {
      const c = e.cgroup;
      if (!c || c === '/' || isDelegatedToUser(c) || !liveAt(e, eventMs)) continue;
      if ((path === c || path.startsWith(c.endsWith('/') ? c : c + '/')) && (!best || c.length > best.cgroup!.length)) best = e;
    }
    return best;
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const a = m.get(k);
  if (a) a.push(v);
  else m.set(k, [v]);
}

export interface HostIdentity {
  pidNs?: number;
  mntNs?: number;
}

export interface MapperOptions {
  index: ContainerIndex;
  host: HostIdentity;
  witness?: WitnessLookup;
  readProc?: (pid: number) => ProcIdentity | undefined;
  clock?: BootClock;
}

interface CgroupFacts {
  path: string | undefined;
  named: ReturnType<typeof containerFromProcCgroup>;
}

/** Clock slack: /proc and boot-time conversions are good to ~10 ms; records are stamped to 1 ms. */
const WITNESS_SLACK_MS = 50;

export class Mapper {
  private readonly readProc: (pid: number) => ProcIdentity | undefined;
  private readonly clock: BootClock;
  constructor(private readonly o: MapperOptions) {
    this.readProc = o.readProc ?? ((pid) => readProcIdentity(pid));
    this.clock = o.clock ?? new BootClock();
  }

  /**
   * What /proc and the witness said about a pid at time `at`. Sound for every event stamped no later
   * than `at`: a pid names one process at a time, so the process /proc showed then (if it had started
   * by the event) is the event's; and a pid already gone from /proc then had its exit witnessed
   * before. Under a flood from one process this turns five file reads per record into one per chunk.
   */
  private readonly seen = new Map<number, { at: number; proc: ProcIdentity | undefined; witness?: ExitWitness | undefined; witnessRead: boolean }>();

  private look(pid: number, eventMs: number) {
    let c = this.seen.get(pid);
    if (!c || eventMs > c.at) {
      if (this.seen.size >= 8192) this.seen.clear();
      c = { at: Date.now(), proc: this.readProc(pid), witnessRead: false };
      this.seen.set(pid, c);
    }
    return c;
  }

  private witnessOf(c: { witness?: ExitWitness | undefined; witnessRead: boolean }, pid: number): ExitWitness | undefined {
    if (!c.witnessRead) {
      c.witness = this.o.witness?.(pid);
      c.witnessRead = true;
    }
    return c.witness;
  }

  /**
   * The last answer per pid, reused for records of the same pid stamped within [from, to]: ISO
   * stamps of one format compare as strings, so a flood from one process costs no date parsing.
   * `from` is the first record it was computed for (the process had started by then), `to` the
   * /proc read (or the witnessed exit, or a container's stop): in between, the pid was that process.
   */
  private readonly answers = new Map<number, { from: string; to: string; version: number; a: Attribution }>();

  attribute(event: Pick<SeccompEvent, 'pid' | 'time'>): Attribution {
    const hit = this.answers.get(event.pid);
    if (hit && hit.version === this.o.index.version && event.time >= hit.from && event.time <= hit.to) return hit.a;
    const eventMs = Date.parse(event.time);
    const r = this.compute(event.pid, eventMs);
    if (r.to !== undefined) {
      if (this.answers.size >= 8192) this.answers.clear();
      const stop = r.a.kind === 'container' && r.a.entry.stoppedAt !== undefined ? Date.parse(r.a.entry.stoppedAt) + STOP_SLACK_MS : Infinity;
      this.answers.set(event.pid, { from: event.time, to: new Date(Math.min(r.to, stop)).toISOString(), version: this.o.index.version, a: r.a });
    }
    return r.a;
  }

  private compute(pid: number, eventMs: number): { a: Attribution; to?: number } {
    const c = this.look(pid, eventMs);
    const p = c.proc;
    // A zombie still has /proc/<pid> but no namespaces: only the witness knows them now.
    if (p && p.pidNs !== undefined && !startedAfter(this.clock.ticksToWallMs(p.startTicks), eventMs)) return { a: this.fromProc(p, eventMs), to: c.at };

    const w = this.witnessOf(c, pid);
    if (w && this.witnessed(w, eventMs)) {
      const to = Math.min(c.at, this.clock.bootNsToWallMs(w.exitBootNs));
      const hit = this.o.index.byNamespaces(w.pidNs, w.mntNs, eventMs);
      if (hit) return { a: { kind: 'container', entry: hit.entry, via: 'witness' }, to };
      if (this.isHost(w.pidNs, w.mntNs)) return { a: { kind: 'host' }, to };
      return { a: { kind: 'unknown', reason: 'exited process of no registered container', pidNs: w.pidNs, mntNs: w.mntNs } };
    }
    if (p && p.pidNs !== undefined) return { a: { kind: 'unknown', reason: 'pid reused since the event' } };
    return { a: { kind: 'unknown', reason: 'process gone, no exit witness' } };
  }

  /** The witness is this event's process: it had started by the event and exited after it. */
  private witnessed(w: ExitWitness, eventMs: number): boolean {
    return this.clock.bootNsToWallMs(w.startBootNs) <= eventMs + WITNESS_SLACK_MS
      && eventMs <= this.clock.bootNsToWallMs(w.exitBootNs) + WITNESS_SLACK_MS;
  }

  private fromProc(p: ProcIdentity & { cgroup?: CgroupFacts }, eventMs: number): Attribution {
    const hit = this.o.index.byNamespaces(p.pidNs, p.mntNs, eventMs);
    if (hit) return { kind: 'container', entry: hit.entry, via: hit.via };
    // Every container has a mount namespace of its own: in both of the host's, a process is the
    // host's, and its cgroup's name (chosen by whoever owns a delegated subtree) does not matter.
    if (this.isHost(p.pidNs, p.mntNs) && p.mntNs !== undefined && p.mntNs === this.o.host.mntNs) return { kind: 'host' };
    // Parsed once per /proc read (the identity is cached per pid), not once per record.
    p.cgroup ??= { path: primaryCgroupPath(p.cgroupText), named: containerFromProcCgroup(p.cgroupText) };
    const path = p.cgroup.path;
    const byPath = path === undefined ? undefined : this.o.index.byCgroupPath(path, eventMs);
    if (byPath) return { kind: 'container', entry: byPath, via: 'cgroup-path' };
    const named = p.cgroup.named;
    if (named) {
      const e = this.o.index.get(named.id);
      if (e && liveAt(e, eventMs)) return { kind: 'container', entry: e, via: 'cgroup-id' };
      return { kind: 'unregistered', id: named.id, engine: named.engine };
    }
    if (this.isHost(p.pidNs, p.mntNs)) return { kind: 'host' };
    return { kind: 'unknown', reason: 'namespaced process of no known container', ...(p.pidNs ? { pidNs: p.pidNs } : {}), ...(p.mntNs ? { mntNs: p.mntNs } : {}) };
  }

  // Host services often have a mount namespace of their own (systemd's PrivateTmp=, ProtectSystem=),
  // never a pid namespace of their own: the pid namespace alone says "host".
  private isHost(pidNs: number | undefined, _mntNs: number | undefined): boolean {
    return pidNs !== undefined && pidNs === this.o.host.pidNs;
  }
}
