// pid in an audit record -> the container it ran in, or the host, or "unknown" (never a guess).
// Evidence in order of trust: what the kernel told the eBPF attribution probe at the moment of the
// denial (the only witness left once SCMP_ACT_KILL_PROCESS has removed the process), then /proc
// (guarded against pid reuse by the start time), each matched against the registry by pid and
// mount namespace inode, then cgroup path; the cgroup's own container id names containers the
// registry does not know.
import type { SeccompEvent } from '../../parsers/types.js';
import { containerFromProcCgroup, primaryCgroupPath, type Engine } from './cgroup-id.js';
import { BootClock, readProcIdentity, startedAfter, type ProcIdentity } from './proc.js';
import type { RegistryEntry } from './registry.js';

/** What the eBPF probe saw when the kernel logged a denial (see bpf/denials.bpf.c). */
export interface DenialWitness {
  tgid: number;
  syscall: number;
  mntNs: number;
  pidNs: number;
  /** task start time and witness time, CLOCK_BOOTTIME ns. */
  startBootNs: bigint;
  atBootNs: bigint;
  comm: string;
}
export type WitnessLookup = (tgid: number) => DenialWitness | undefined;

export type Attribution =
  | { kind: 'container'; entry: RegistryEntry; via: 'witness' | 'pid-ns' | 'mnt-ns' | 'cgroup-path' | 'cgroup-id' }
  /** The cgroup names a container the registry does not know (no profile file to propose against). */
  | { kind: 'unregistered'; id: string; engine: Engine }
  | { kind: 'host' }
  | { kind: 'unknown'; reason: string };

/** A stopped container still owns records stamped up to this long after its stop was noticed. */
const STOP_SLACK_MS = 2_000;

function liveAt(e: RegistryEntry, eventMs: number): boolean {
  return e.stoppedAt === undefined || eventMs <= Date.parse(e.stoppedAt) + STOP_SLACK_MS;
}

/** Registry entries indexed for the lookups the mapper makes per event. */
export class ContainerIndex {
  private readonly byId = new Map<string, RegistryEntry>();
  private byPidNs = new Map<number, RegistryEntry[]>();
  private byMntNs = new Map<number, RegistryEntry[]>();

  constructor(entries: Iterable<RegistryEntry> = []) {
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
  private reindex(): void {
    this.byPidNs = new Map();
    this.byMntNs = new Map();
    for (const e of this.byId.values()) {
      if (e.pidNs !== undefined) push(this.byPidNs, e.pidNs, e);
      if (e.mntNs !== undefined) push(this.byMntNs, e.mntNs, e);
    }
  }

  /** Namespace inodes are recycled once a namespace dies: only an entry alive at the event counts. */
  byNamespaces(pidNs: number | undefined, mntNs: number | undefined, eventMs: number): { entry: RegistryEntry; via: 'pid-ns' | 'mnt-ns' } | undefined {
    const byPid = pidNs === undefined ? [] : (this.byPidNs.get(pidNs) ?? []).filter((e) => liveAt(e, eventMs));
    // Containers sharing one pid namespace (a pod with shareProcessNamespace): the mount namespace decides.
    if (byPid.length === 1) return { entry: byPid[0]!, via: 'pid-ns' };
    const byMnt = mntNs === undefined ? [] : (this.byMntNs.get(mntNs) ?? []).filter((e) => liveAt(e, eventMs));
    const both = byPid.length > 1 ? byMnt.filter((e) => byPid.includes(e)) : byMnt;
    if (both.length === 1) return { entry: both[0]!, via: 'mnt-ns' };
    return undefined;
  }

  byCgroupPath(path: string, eventMs: number): RegistryEntry | undefined {
    if (path === '/' || path === '') return undefined;
    let best: RegistryEntry | undefined;
    for (const e of this.byId.values()) {
      const c = e.cgroup;
      if (!c || c === '/' || !liveAt(e, eventMs)) continue;
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

/** A witness counts for an event when it saw the same syscall by the same tgid no later than the record. */
const WITNESS_SLACK_MS = 1_000;

export class Mapper {
  private readonly readProc: (pid: number) => ProcIdentity | undefined;
  private readonly clock: BootClock;
  constructor(private readonly o: MapperOptions) {
    this.readProc = o.readProc ?? ((pid) => readProcIdentity(pid));
    this.clock = o.clock ?? new BootClock();
  }

  attribute(event: Pick<SeccompEvent, 'pid' | 'syscall' | 'time'>): Attribution {
    const eventMs = Date.parse(event.time);
    const w = this.o.witness?.(event.pid);
    if (w && w.syscall === event.syscall && Math.abs(this.clock.bootNsToWallMs(w.atBootNs) - eventMs) <= WITNESS_SLACK_MS) {
      const hit = this.o.index.byNamespaces(w.pidNs, w.mntNs, eventMs);
      if (hit) return { kind: 'container', entry: hit.entry, via: 'witness' };
      if (this.isHost(w.pidNs, w.mntNs)) return { kind: 'host' };
    }

    const p = this.readProc(event.pid);
    if (!p) return { kind: 'unknown', reason: w ? 'witnessed namespaces match no registered container' : 'process gone, no witness' };
    if (startedAfter(this.clock.ticksToWallMs(p.startTicks), eventMs)) return { kind: 'unknown', reason: 'pid reused since the event' };

    const hit = this.o.index.byNamespaces(p.pidNs, p.mntNs, eventMs);
    if (hit) return { kind: 'container', entry: hit.entry, via: hit.via };
    const path = primaryCgroupPath(p.cgroupText);
    const byPath = path === undefined ? undefined : this.o.index.byCgroupPath(path, eventMs);
    if (byPath) return { kind: 'container', entry: byPath, via: 'cgroup-path' };
    const named = containerFromProcCgroup(p.cgroupText);
    if (named) {
      const e = this.o.index.get(named.id);
      if (e && liveAt(e, eventMs)) return { kind: 'container', entry: e, via: 'cgroup-id' };
      return { kind: 'unregistered', id: named.id, engine: named.engine };
    }
    if (this.isHost(p.pidNs, p.mntNs)) return { kind: 'host' };
    return { kind: 'unknown', reason: 'namespaced process of no known container' };
  }

  // Host services often have a mount namespace of their own (systemd's PrivateTmp=, ProtectSystem=),
  // never a pid namespace of their own: the pid namespace alone says "host".
  private isHost(pidNs: number | undefined, _mntNs: number | undefined): boolean {
    return pidNs !== undefined && pidNs === this.o.host.pidNs;
  }
}
