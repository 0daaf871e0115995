// Where the watcher's containers come from, kept in one ContainerIndex: the registry (the hook's
// registrations and our own discoveries, as files), discovery of the runtimes' state directories,
// and the eBPF exit witness that gives a stopped container's init its exit time. Stopped containers
// are kept a grace period for late records, then forgotten.
import { mkdirSync, readlinkSync, watch, type FSWatcher } from 'node:fs';
import type { Logger } from 'pino';
import { registryDir } from '../state/paths.js';
import { forgetStopped, readRegistry, readRegistryEntry, registerContainer, type RegistryEntry } from '../state/registry.js';
import { DEFAULT_ROOTS, Discovery, type RuntimeRoot } from './discovery.js';
import { bootNsToUs } from './lifetime.js';
import { ContainerIndex, type HostIdentity } from './mapper.js';
import type { WatchMetrics } from './metrics.js';
import { BootClock, nsInode } from './proc.js';
import { DEFAULT_PIN_DIR, ExitWitnesses } from './witness.js';

export interface ContainerFeedOptions {
  stateDir: string;
  /** Discover runc/crun containers (default on). */
  discovery?: boolean;
  /** State directories searched besides DEFAULT_ROOTS (an engine with a private exec root). */
  runtimeRoots?: RuntimeRoot[];
  /** Load the eBPF exit witness (default on; skipped with a warning where it cannot load). */
  witness?: boolean;
  /** bpffs directory the witness is pinned in (null: not pinned, dies with the watcher). */
  witnessPinDir?: string | null;
  /** How long a stopped container's entry is kept for late records. */
  graceMs?: number;
}

/** What the feed tells the watcher. */
export interface ContainerFeedEvents {
  /** A container not known before, running (those known at start are the index's). */
  known(e: RegistryEntry): void;
  /** Stopped containers were forgotten: these are the ones still known. */
  remaining(ids: ReadonlySet<string>): void;
}

export class ContainerFeed {
  readonly host: HostIdentity = hostIdentity();
  readonly index: ContainerIndex;
  readonly witness: ExitWitnesses | undefined;
  private discovery: Discovery | undefined;
  private readonly stops: Array<() => void> = [];

  constructor(private readonly o: ContainerFeedOptions, private readonly log: Logger, private readonly metrics: WatchMetrics) {
    this.index = new ContainerIndex(readRegistry(o.stateDir), new BootClock(), this.host);
    this.witness = o.witness !== false ? startWitness(o, log) : undefined;
    metrics.containers.set(this.index.size);
  }

  /** The mapper's question: did discovery, brought up to date now, learn of a container? */
  settle(): boolean {
    const v = this.index.version;
    this.discovery?.settle();
    return this.index.version !== v;
  }

  /** Follows the registry and the runtimes from now on. */
  start(events: ContainerFeedEvents): void {
    const upsert = (e: RegistryEntry) => this.upsert(e, events);
    this.stops.push(watchRegistryFiles(this.o.stateDir, upsert));
    if (this.o.discovery !== false) {
      const d = startDiscovery(this.o, this.log, this.index, upsert, this.witness);
      this.discovery = d;
      this.stops.push(() => d.close());
    }
    this.stops.push(this.forgetStoppedContainers(events));
  }

  /** SIGHUP: the registry read again whole. */
  reread(events: ContainerFeedEvents): void {
    for (const e of readRegistry(this.o.stateDir)) this.upsert(e, events);
  }

  close(): void {
    for (const stop of this.stops.splice(0).reverse()) stop();
    this.witness?.close();
  }

  private upsert(e: RegistryEntry, events: ContainerFeedEvents): void {
    const had = this.index.get(e.id);
    this.index.upsert(e);
    this.metrics.containers.set(this.index.size);
    if (!had && !e.stoppedAt) {
      this.log.info({ container: e.id, runtime: e.runtime, profile: e.profilePath ?? (e.profile ? 'embedded' : 'none'), initPid: e.initPid, pidNs: e.pidNs, mntNs: e.mntNs, via: e.source }, 'container known');
      events.known(e);
    }
  }

  /** Stopped containers are kept `graceMs` for late records, then forgotten. */
  private forgetStoppedContainers(events: ContainerFeedEvents): () => void {
    const graceMs = this.o.graceMs ?? 5 * 60_000;
    const gc = setInterval(() => {
      for (const id of forgetStopped(this.o.stateDir, graceMs)) this.index.remove(id);
      this.metrics.containers.set(this.index.size);
      events.remaining(new Set([...this.index.entries()].map((e) => e.id)));
    }, Math.min(graceMs, 60_000));
    gc.unref();
    return () => clearInterval(gc);
  }
}

/**
 * The initial namespaces: init's, else kthreadd's (pid 2). Kernel threads never leave the initial
 * namespaces, and some inits (a VM's agent, a hardened init) cannot be inspected even by root;
 * without this every host process would be "unknown" rather than the host.
 */
function hostIdentity(): HostIdentity {
  const ns = (pid: number, n: string) => { try { return nsInode(readlinkSync(`/proc/${pid}/ns/${n}`)); } catch { return undefined; } };
  return { pidNs: ns(1, 'pid') ?? ns(2, 'pid'), mntNs: ns(1, 'mnt') ?? ns(2, 'mnt') };
}

/** The pinned exit witness (witness.ts), or undefined with a warning where this kernel or build cannot load it. */
function startWitness(o: ContainerFeedOptions, log: Logger): ExitWitnesses | undefined {
  try {
    const witness = ExitWitnesses.start(o.witnessPinDir === undefined ? DEFAULT_PIN_DIR : o.witnessPinDir);
    log.info({ reused: witness.reused }, 'exit witness attached');
    return witness;
  } catch (e) {
    log.warn({ err: (e as Error).message }, 'exit witness (eBPF) unavailable: processes that exit before their record is read (SCMP_ACT_KILL_PROCESS) cannot be attributed');
    return undefined;
  }
}

/** The hook's registrations (and our own discoveries) arrive as files: watched, not polled. */
function watchRegistryFiles(stateDir: string, upsert: (e: RegistryEntry) => void): () => void {
  mkdirSync(registryDir(stateDir), { recursive: true, mode: 0o700 });
  const w: FSWatcher = watch(registryDir(stateDir), { persistent: false }, (_ev, name) => {
    if (!name || !name.toString().endsWith('.json')) return;
    const e = readRegistryEntry(stateDir, name.toString().slice(0, -'.json'.length));
    if (e) upsert(e);
  });
  return () => w.close();
}

/**
 * Containers from the runtimes' state directories (discovery.ts), recorded in the registry; a stop
 * completes the container's lifetime with its init's exit as the witness saw it.
 */
function startDiscovery(o: ContainerFeedOptions, log: Logger, index: ContainerIndex, upsert: (e: RegistryEntry) => void, witness: ExitWitnesses | undefined): Discovery {
  const exited = witness ? (pid: number) => {
    const w = witness.lookup(pid);
    // /proc/<pid>/stat's start time is the boot-time start in USER_HZ ticks (10 ms).
    return w ? { startTicks: Number(w.startBootNs / 10_000_000n), mntNs: w.mntNs, pidNs: w.pidNs, startBootNs: w.startBootNs, exitBootNs: w.exitBootNs, cgroupId: w.cgroupId ?? 0 } : undefined;
  } : undefined;
  const discovery = new Discovery({
    started: (e) => {
      // A hook's entry knows more (it ran at create time with the OCI state): keep it.
      const hooked = readRegistryEntry(o.stateDir, e.id);
      if (hooked && hooked.source !== 'discovery' && !hooked.stoppedAt) return upsert(hooked);
      upsert(e);
      try { registerContainer(o.stateDir, e); } catch (err) { log.warn({ container: e.id, err: (err as Error).message }, 'cannot record a discovered container'); }
    },
    stopped: (id) => {
      const e = index.get(id);
      if (!e || e.stoppedAt) return;
      const w = exited?.(e.initPid);
      const life = w && w.startTicks === e.initStartTime ? { startBootUs: bootNsToUs(w.startBootNs), exitBootUs: bootNsToUs(w.exitBootNs) } : {};
      const stopped = { ...e, ...life, stoppedAt: new Date().toISOString() };
      index.upsert(stopped);
      try { registerContainer(o.stateDir, stopped); } catch (err) { log.warn({ container: id, err: (err as Error).message }, 'cannot record a container\'s stop'); }
    },
  }, log, [...DEFAULT_ROOTS, ...(o.runtimeRoots ?? [])], exited);
  discovery.start();
  // The containers already running are known before the first record is read (a catch-up or
  // `--once` reads records of them at once): wait for the worker's first scan, at most 2 s.
  discovery.settle(2000, 0);
  return discovery;
}
