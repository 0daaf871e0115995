// `seccomp-tailor watch`: source -> parser -> mapper -> engine, with the registry, discovery, the
// exit witness, metrics and signals around it. Runs in the foreground (systemd's Type=simple).
import { refusalNames, refusedDir } from '../state/refused.js';
import { mkdirSync, readlinkSync, watch, type FSWatcher } from 'node:fs';
import pino, { type Logger } from 'pino';
import { createLineParser } from '../../parsers/index.js';
import { isRejected } from '../state/rejections.js';
import { syscallName } from '../native/libseccomp.js';
import { registryDir } from '../state/paths.js';
import { chooseSource } from './choose-source.js';
import { noticeImageDrift } from './image-drift.js';
import { DEFAULT_ROOTS, Discovery, type RuntimeRoot } from './discovery.js';
import { DEFAULT_FLUSH_INTERVAL_MS } from './defaults.js';
import { WatchEngine } from './engine.js';
import { memoResolver } from './syscall-resolver.js';
import { ContainerIndex, Mapper, type HostIdentity } from './mapper.js';
import { WatchMetrics } from './metrics.js';
import { BootClock, nsInode } from './proc.js';
import { ProfileCache } from './profile-cache.js';
import { embeddedProfilesDir } from './container-profile.js';
import { recordWatcherProfileDirs } from '../state/profile-dirs.js';
import { forgetStopped, readRegistry, registerContainer, readRegistryEntry, type RegistryEntry } from '../state/registry.js';
import type { SourceSink } from './sources/source.js';
import { ShadowSpoolSource } from './sources/shadow-spool.js';
import { loadState } from './state-store.js';
import { DEFAULT_PIN_DIR, ExitWitnesses } from './witness.js';
import { takeWatcherLock } from './watcher-lock.js';
import { bootNsToUs } from './lifetime.js';
import { KERNEL_LOST_KEY, kernelLostCheckpoint, watchKernelLost } from './kernel-lost.js';

export interface WatchOptions {
  source: string;
  stateDir: string;
  /** Receive buffer of the audit netlink socket, bytes (netlink source). */
  netlinkRcvbuf?: number;
  metrics?: string;
  once?: boolean;
  log?: Logger;
  /** Discover runc/crun containers (default on). */
  discovery?: boolean;
  /** State directories searched besides DEFAULT_ROOTS (an engine with a private exec root). */
  runtimeRoots?: RuntimeRoot[];
  /** Load the eBPF exit witness (default on; skipped with a warning where it cannot load). */
  witness?: boolean;
  /** bpffs directory the witness is pinned in (null: not pinned, dies with the watcher). */
  witnessPinDir?: string | null;
  flushIntervalMs?: number;
  /** How long a stopped container's entry is kept for late records. */
  graceMs?: number;
  signal?: AbortSignal;
  /**
   * Read SECCOMP records from syslog lines (only facility kern where the line carries its PRI).
   * Off by default: `logger -t kernel "audit: type=1326 ..."` writes one as any user.
   */
  trustSyslog?: boolean;
  /** Directories whose files proposals may target (the CLI's default: the hook config's allowedDirs). */
  profileDirs?: string[];
}

/**
 * The admin's profile directories (proposal-target.ts), and always the watcher's own copies of
 * embedded profiles under its state directory.
 */
function allowedProfileDirs(o: WatchOptions): string[] {
  return [...(o.profileDirs ?? []), embeddedProfilesDir(o.stateDir)];
}

export interface WatchSummary {
  lines: number;
  events: number;
  attributed: number;
  issues: number;
  proposalWrites: number;
  /** Time spent reading the source to its end (once) or until stopped. */
  readMs: number;
  maxRssMB: number;
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
function startWitness(o: WatchOptions, log: Logger): ExitWitnesses | undefined {
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
function startDiscovery(o: WatchOptions, log: Logger, index: ContainerIndex, upsert: (e: RegistryEntry) => void, witness: ExitWitnesses | undefined): Discovery {
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

/** Stopped containers are kept `graceMs` for late records, then forgotten with the subjects only they held. */
function forgetStoppedContainers(o: WatchOptions, index: ContainerIndex, engine: WatchEngine, metrics: WatchMetrics): () => void {
  const graceMs = o.graceMs ?? 5 * 60_000;
  const gc = setInterval(() => {
    for (const id of forgetStopped(o.stateDir, graceMs)) index.remove(id);
    metrics.containers.set(index.size);
    engine.prune(new Set([...index.entries()].map((e) => e.id)));
  }, Math.min(graceMs, 60_000));
  gc.unref();
  return () => clearInterval(gc);
}

/** Refused recordings: the hook leaves one file each; a name never seen before is one more. */
function countRefusedRecordings(stateDir: string, metrics: WatchMetrics, log: Logger): () => void {
  let refusals = new Set(refusalNames(stateDir));
  metrics.recordingsRefused.inc(refusals.size);
  const poll = setInterval(() => {
    const now = refusalNames(stateDir);
    const fresh = now.filter((n) => !refusals.has(n));
    if (fresh.length) {
      metrics.recordingsRefused.inc(fresh.length);
      log.warn({ refused: fresh.length, dir: refusedDir(stateDir) }, 'recordings refused: every recording slot was in use');
    }
    refusals = new Set(now);
  }, 5000);
  poll.unref();
  return () => clearInterval(poll);
}

export async function runWatch(o: WatchOptions): Promise<WatchSummary> {
  const log = o.log ?? pino({ name: 'seccomp-tailor-watch' });
  mkdirSync(o.stateDir, { recursive: true, mode: 0o755 });
  const unlock = await takeWatcherLock(o.stateDir);
  const cleanups: Array<() => void | Promise<void>> = [unlock];
  try {
    const state = loadState(o.stateDir);
    const chosen = chooseSource(o.source, { ...(o.netlinkRcvbuf ? { netlinkRcvbuf: o.netlinkRcvbuf } : {}) });
    const profileDirs = allowedProfileDirs(o);
    log.info({ source: chosen.source.description, why: chosen.why, stateDir: o.stateDir, profileDirs }, 'watching');
    // `apply` and `proposals import` check against the same directories (state/profile-dirs.ts).
    try { recordWatcherProfileDirs(o.stateDir, o.profileDirs ?? []); } catch (e) { log.warn({ err: (e as Error).message }, 'could not record the profile directories for apply'); }

    const metrics = new WatchMetrics();
    if (o.metrics) {
      const at = await metrics.listen(o.metrics);
      cleanups.push(() => metrics.close());
      log.info({ metrics: `http://${at.host}:${at.port}/metrics` }, 'metrics listening');
    }

    const host = hostIdentity();
    const index = new ContainerIndex(readRegistry(o.stateDir), new BootClock(), host);
    const witness = o.witness !== false ? startWitness(o, log) : undefined;
    if (witness) cleanups.push(() => witness.close());
    let discovery: Discovery | undefined;
    const mapper = new Mapper({
      index, host, ...(witness ? { witness: (pid: number) => witness!.lookup(pid) } : {}),
      settle: () => {
        const v = index.version;
        discovery?.settle();
        return index.version !== v;
      },
    });
    const engine = new WatchEngine({
      stateDir: o.stateDir, mapper, profiles: new ProfileCache(profileDirs), log, metrics,
      isRejected: (p, a, s) => isRejected(o.stateDir, p, a, s),
      flushIntervalMs: o.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS,
    }, state);
    metrics.containers.set(index.size);
    // Shadow findings (issue 20) arrive through their own spool, whatever the audit source is.
    const shadow = new ShadowSpoolSource({ stateDir: o.stateDir, profiles: new ProfileCache(profileDirs), isRejected: (p, a, s) => isRejected(o.stateDir, p, a, s), log }).start();
    cleanups.push(() => shadow.stop());
    for (const e of index.entries()) if (!e.stoppedAt) engine.noticeContainer(e);

    const upsert = (e: RegistryEntry) => {
      const had = index.get(e.id);
      index.upsert(e);
      metrics.containers.set(index.size);
      if (!had && !e.stoppedAt) {
        engine.noticeContainer(e);
        log.info({ container: e.id, runtime: e.runtime, profile: e.profilePath ?? (e.profile ? 'embedded' : 'none'), initPid: e.initPid, pidNs: e.pidNs, mntNs: e.mntNs, via: e.source }, 'container known');
        noticeImageDrift(o.stateDir, e, log, metrics.registry);
      }
    };
    cleanups.push(watchRegistryFiles(o.stateDir, upsert));

    if (o.discovery !== false) {
      discovery = startDiscovery(o, log, index, upsert, witness);
      cleanups.push(() => discovery?.close());
    }
    cleanups.push(forgetStoppedContainers(o, index, engine, metrics));
    cleanups.push(countRefusedRecordings(o.stateDir, metrics, log));

    const parser = createLineParser({
      ...(chosen.format ? { format: chosen.format } : {}), resolveSyscall: memoResolver(syscallName),
      syslog: o.trustSyslog ? 'kernel-facility' : 'refuse',
    });
    const sink: SourceSink = {
      line: (text, latin1) => engine.handle(parser.push(text, latin1)),
      oversize: (bytes) => engine.handle(parser.oversize(bytes)),
      checkpoint: (cp) => engine.setCheckpoint(chosen.source.key, cp),
      loss: (source, count, detail, window) => engine.handle({ kind: 'loss', loss: { source, count, detail, ...window } }),
      note: (level, msg, fields) => log[level](fields ?? {}, msg),
    };

    const stop = new AbortController();
    const signal = o.signal ? AbortSignal.any([o.signal, stop.signal]) : stop.signal;
    const onTerm = () => { log.info('stopping: flushing proposals and checkpoint'); stop.abort(); };
    const onHup = () => {
      log.info('SIGHUP: reopening the source and re-reading the registry');
      chosen.source.reopen?.();
      for (const e of readRegistry(o.stateDir)) upsert(e);
    };
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onTerm);
    process.on('SIGHUP', onHup);
    cleanups.push(() => { process.off('SIGTERM', onTerm); process.off('SIGINT', onTerm); process.off('SIGHUP', onHup); });

    const countLines = setInterval(() => { metrics.lines.inc(parser.counters.lines - linesSeen); linesSeen = parser.counters.lines; }, 1000);
    let linesSeen = 0;
    countLines.unref();
    cleanups.push(() => clearInterval(countLines));

    const started = performance.now();
    log.info({ source: chosen.source.description, containers: index.size, witness: witness !== undefined }, 'ready');
    const kernelLost = chosen.pollKernelLost && !o.once ? watchKernelLost({
      resume: kernelLostCheckpoint(engine.checkpoint(KERNEL_LOST_KEY)),
      loss: (count, detail, window) => sink.loss('audit-lost', count, detail, window),
      checkpoint: (cp) => engine.setCheckpoint(KERNEL_LOST_KEY, cp),
      note: sink.note!,
    }) : undefined;
    try {
      await chosen.source.run(sink, engine.checkpoint(chosen.source.key), { once: o.once ?? false, signal });
    } finally {
      kernelLost?.();
    }
    engine.flush(true);
    const readMs = Math.round(performance.now() - started);
    const c = parser.counters;
    const issues = Object.values(c.issues).reduce((a, b) => a + b, 0);
    const usage = process.resourceUsage();
    const maxRssMB = Math.round(usage.maxRSS / 1024);
    const cpuMs = Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000);
    log.info({
      lines: c.lines, events: c.events, duplicates: c.duplicates, issues: c.issues, lossNotices: engine.stats.lossNotices, lostRecords: engine.stats.lostRecords,
      attributed: engine.stats.attributed, proposalWrites: engine.stats.proposalWrites, readMs, cpuMs, maxRssMB,
      ...('stats' in chosen.source ? { sourceStats: chosen.source.stats } : {}),
    }, 'stopped');
    return { lines: c.lines, events: c.events, attributed: engine.stats.attributed, issues, proposalWrites: engine.stats.proposalWrites, readMs, maxRssMB };
  } finally {
    for (const c of cleanups.reverse()) await c();
  }
}

