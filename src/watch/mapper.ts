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
import { bootNsToUs, generationAt, type Generation } from './lifetime.js';
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
  /** cgroup v2 id at exit (0 or absent: not known). */
  cgroupId?: number;
}
export type WitnessLookup = (tgid: number) => ExitWitness | undefined;

export type Attribution =
  | { kind: 'container'; entry: RegistryEntry; via: 'witness' | 'pid-ns' | 'mnt-ns' | 'cgroup-path' | 'cgroup-id' }
  /** The cgroup names a container the registry does not know (no profile file to propose against). */
  | { kind: 'unregistered'; id: string; engine: Engine }
  | { kind: 'host' }
  | { kind: 'unknown'; reason: UnknownReason; pidNs?: number; mntNs?: number; cgroupId?: number; startBootUs?: number; candidates?: string[] };

/** Why a record has no container: the `reason` label of seccomp_tailor_watch_unattributed_total. */
export type UnknownReason = 'ambiguous' | 'no-container' | 'pid-reused' | 'no-witness';

/** A stopped container still owns records stamped up to this long after its stop was noticed. */
const STOP_SLACK_MS = 2_000;

function liveAt(e: RegistryEntry, eventMs: number): boolean {
  return e.stoppedAt === undefined || eventMs <= Date.parse(e.stoppedAt) + STOP_SLACK_MS;
}

/** Neither its stop nor its init's exit has been seen. */
const running = (e: RegistryEntry): boolean => e.stoppedAt === undefined && e.exitBootUs === undefined;

type Via = 'pid-ns' | 'mnt-ns';
export type NamespaceMatch = { entry: RegistryEntry; via: Via } | { ambiguous: RegistryEntry[] } | undefined;

/** Registry entries indexed for the lookups the mapper makes per event. */
export class ContainerIndex {
  private readonly byId = new Map<string, RegistryEntry>();
  private byPidNs = new Map<number, RegistryEntry[]>();
  private byMntNs = new Map<number, RegistryEntry[]>();
  private byCgroupId = new Map<number, RegistryEntry[]>();

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
    this.byCgroupId = new Map();
    for (const e of this.byId.values()) {
      if (e.pidNs !== undefined && e.pidNs !== this.host.pidNs) push(this.byPidNs, e.pidNs, e);
      if (e.mntNs !== undefined && e.mntNs !== this.host.mntNs) push(this.byMntNs, e.mntNs, e);
      if (e.cgroupId !== undefined) push(this.byCgroupId, e.cgroupId, e);
    }
  }

  /**
   * A live process: its namespaces are alive now, so they belong to a container that is running now
   * (a namespace inode names one live namespace at a time). Stopped generations of the inode are
   * not candidates; two running ones share a namespace (a pod's shared pid namespace), and the
   * mount namespace decides. `initAlive` rules out an entry whose init is gone unnoticed (its stop
   * not yet seen, and a container discovery has not handed over yet now owns the inode).
   */
  running(pidNs: number | undefined, mntNs: number | undefined, initAlive: (e: RegistryEntry) => boolean): NamespaceMatch {
    const pick = (xs: RegistryEntry[] | undefined) => {
      return (xs ?? []).filter((e) => running(e) && initAlive(e));
    };
    const byPid = pidNs === undefined ? [] : pick(this.byPidNs.get(pidNs));
    if (byPid.length === 1) return { entry: byPid[0]!, via: 'pid-ns' };
    const byMnt = mntNs === undefined ? [] : pick(this.byMntNs.get(mntNs));
    const both = byPid.length > 1 ? byMnt.filter((e) => byPid.includes(e)) : byMnt;
    if (both.length === 1) return { entry: both[0]!, via: 'mnt-ns' };
    if (byPid.length > 1 || both.length > 1) return { ambiguous: byPid.length > 1 ? byPid : both };
    return undefined;
  }

  /**
   * An exited process (the witness): the generation of its pid namespace (else its cgroup, else its
   * mount namespace) that existed when it started (lifetime.ts). `exact` completes an entry's
   * lifetime from the witness of its init before it is compared.
   */
  generation(w: { pidNs: number; mntNs: number; cgroupId?: number | undefined }, startUs: number, exact: (e: RegistryEntry) => void, ended: (e: RegistryEntry) => boolean): Generation | 'host' {
    const at = (xs: RegistryEntry[] | undefined): Generation => {
      if (!xs?.length) return undefined;
      for (const e of xs) exact(e);
      return generationAt(xs, startUs, ended);
    };
    if (w.pidNs !== this.host.pidNs) {
      const g = at(this.byPidNs.get(w.pidNs));
      // Containers sharing one pid namespace (a pod) at once: the mount namespace decides.
      if (g && 'ambiguous' in g) {
        const inMnt = g.ambiguous.filter((e) => e.mntNs === w.mntNs);
        if (inMnt.length === 1) return generationAt(inMnt, startUs, ended);
      }
      return g;
    }
    // The host's pid namespace (--pid=host): the cgroup id, else the container's own mount namespace.
    if (w.cgroupId) {
      const g = at(this.byCgroupId.get(w.cgroupId));
      if (g) return g;
    }
    if (w.mntNs !== this.host.mntNs) return at(this.byMntNs.get(w.mntNs));
    return 'host';
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

  /** For wall-clock comparisons (a stop noticed, a record's stamp). */
  get bootClock(): BootClock {
    return this.clock;
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
  /**
   * Brings discovery up to date (containers it saw start but has not handed over yet); true when
   * the index changed. Asked before a record is declared to be of no known container.
   */
  settle?: () => boolean;
}

interface CgroupFacts {
  path: string | undefined;
  named: ReturnType<typeof containerFromProcCgroup>;
}

/**
 * How far an audit stamp may be from the moment the kernel logged: audit reads the coarse realtime
 * clock (ktime_get_coarse_real_ts64: the last tick, up to a jiffy of 10 ms at HZ=100 behind) and
 * prints it to the millisecond; plus the boot-to-wall conversion (proc.ts, 10 ms). Used only to
 * tell whether the process a pid names now (or the witness of its exit) is the record's process.
 */
const WITNESS_SLACK_MS = 25;

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
  private readonly seen = new Map<number, { at: number; version: number; proc: ProcIdentity | undefined; witness?: ExitWitness | undefined; witnessRead: boolean }>();

  /**
   * A /proc read is matched against the registry as it was when it was read, never a later one:
   * a namespace inode a read showed alive then may belong to the next container now (the kernel
   * hands freed inodes out again at once), so once the index changed, /proc is read again (and,
   * the process gone, its witness decides by time). Issue 23: records of a container read after
   * the next one started went to it, through the cached read of their still-living process.
   */
  private look(pid: number, eventMs: number) {
    let c = this.seen.get(pid);
    if (!c || eventMs > c.at || c.version !== this.o.index.version) {
      if (this.seen.size >= 8192) this.seen.clear();
      c = { at: Date.now(), version: this.o.index.version, proc: this.readProc(pid), witnessRead: false };
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
    let r = this.compute(event.pid, eventMs);
    // Discovery may have seen the container start and not handed it over yet: once more after it has.
    if (((r.a.kind === 'unknown' && r.a.reason === 'no-container') || r.a.kind === 'unregistered') && this.o.settle?.()) {
      this.seen.delete(event.pid);
      r = this.compute(event.pid, eventMs);
    }
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
      const startUs = bootNsToUs(w.startBootNs);
      const g = this.o.index.generation(w, startUs, (e) => this.exact(e), (e) => e.stoppedAt !== undefined || e.exitBootUs !== undefined || !this.initAlive(e));
      if (g === 'host') return { a: { kind: 'host' }, to };
      const who = { pidNs: w.pidNs, mntNs: w.mntNs, ...(w.cgroupId ? { cgroupId: w.cgroupId } : {}), startBootUs: startUs };
      if (!g) return { a: { kind: 'unknown', reason: 'no-container', ...who } };
      if ('ambiguous' in g) return { a: { kind: 'unknown', reason: 'ambiguous', ...who, candidates: g.ambiguous.map((e) => e.id) } };
      return { a: { kind: 'container', entry: g.entry, via: 'witness' }, to };
    }
    if (p && p.pidNs !== undefined) return { a: { kind: 'unknown', reason: 'pid-reused' } };
    return { a: { kind: 'unknown', reason: 'no-witness' } };
  }

  /**
   * Completes an entry's lifetime from the witness of its init, once that has exited: the exact
   * start (the registry has it to a 10 ms tick) and the exit. Lifetime fields only are filled in on
   * the entry itself (nothing keyed by the entry depends on them).
   */
  private exact(e: RegistryEntry): void {
    if (e.startBootUs !== undefined && e.exitBootUs !== undefined) return;
    const w = this.o.witness?.(e.initPid);
    if (!w || Number(w.startBootNs / 10_000_000n) !== e.initStartTime) return;
    e.startBootUs = bootNsToUs(w.startBootNs);
    // The witness keeps a tgid's last thread exit: the init's, once it is gone from /proc.
    const now = this.readProc(e.initPid);
    if (!now || now.startTicks !== e.initStartTime || now.pidNs === undefined) e.exitBootUs = bootNsToUs(w.exitBootNs);
  }

  private initAlive(e: RegistryEntry): boolean {
    const p = this.readProc(e.initPid);
    return p !== undefined && p.startTicks === e.initStartTime && p.pidNs !== undefined;
  }

  /** The witness is this event's process: it had started by the event and exited after it. */
  private witnessed(w: ExitWitness, eventMs: number): boolean {
    return this.clock.bootNsToWallMs(w.startBootNs) <= eventMs + WITNESS_SLACK_MS
      && eventMs <= this.clock.bootNsToWallMs(w.exitBootNs) + WITNESS_SLACK_MS;
  }

  private fromProc(p: ProcIdentity & { cgroup?: CgroupFacts }, eventMs: number): Attribution {
    const hit = this.o.index.running(p.pidNs, p.mntNs, (e) => this.initAlive(e));
    if (hit && 'entry' in hit) return { kind: 'container', entry: hit.entry, via: hit.via };
    const who = { ...(p.pidNs ? { pidNs: p.pidNs } : {}), ...(p.mntNs ? { mntNs: p.mntNs } : {}) };
    if (hit) return { kind: 'unknown', reason: 'ambiguous', ...who, candidates: hit.ambiguous.map((e) => e.id) };
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
    return { kind: 'unknown', reason: 'no-container', ...who };
  }

  // Host services often have a mount namespace of their own (systemd's PrivateTmp=, ProtectSystem=),
  // never a pid namespace of their own: the pid namespace alone says "host".
  private isHost(pidNs: number | undefined, _mntNs: number | undefined): boolean {
    return pidNs !== undefined && pidNs === this.o.host.pidNs;
  }
}
