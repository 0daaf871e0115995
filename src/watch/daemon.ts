// `seccomp-tailor watch`: source -> parser -> mapper -> engine, with the container feed
// (registry, discovery, exit witness), shadow findings, metrics and signals around it. Runs in the
// foreground (systemd's Type=simple).
import { mkdirSync } from 'node:fs';
import pino, { type Logger } from 'pino';
import { createLineParser, type LineParser } from '../../parsers/index.js';
import { isRejected } from '../state/rejections.js';
import { syscallName } from '../native/libseccomp.js';
import { recordWatcherProfileDirs } from '../state/profile-dirs.js';
import { chooseSource, type Chosen } from './choose-source.js';
import { noticeImageDrift } from './image-drift.js';
import type { RuntimeRoot } from './discovery.js';
import { DEFAULT_FLUSH_INTERVAL_MS } from './defaults.js';
import { WatchEngine } from './engine.js';
import { memoResolver } from './syscall-resolver.js';
import { Mapper } from './mapper.js';
import { WatchMetrics } from './metrics.js';
import { ProfileCache } from './profile-cache.js';
import { embeddedProfilesDir } from './container-profile.js';
import { ContainerFeed } from './container-feed.js';
import type { SourceSink } from './sources/source.js';
import { ShadowSpoolSource } from './sources/shadow-spool.js';
import { loadState } from './state-store.js';
import { takeWatcherLock } from './watcher-lock.js';
import { countRefusedRecordings } from './refused-recordings.js';
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

/** The engine's sink for a source's lines, through the parser. */
function sinkFor(engine: WatchEngine, parser: LineParser, sourceKey: string, log: Logger): SourceSink {
  return {
    line: (text, latin1) => engine.handle(parser.push(text, latin1)),
    oversize: (bytes) => engine.handle(parser.oversize(bytes)),
    checkpoint: (cp) => engine.setCheckpoint(sourceKey, cp),
    loss: (source, count, detail, window) => engine.handle({ kind: 'loss', loss: { source, count, detail, ...window } }),
    note: (level, msg, fields) => log[level](fields ?? {}, msg),
  };
}

/** SIGTERM and SIGINT stop (after a last flush); SIGHUP reopens. Returns the way to stop listening. */
function onSignals(log: Logger, stop: AbortController, reopen: () => void): () => void {
  const onTerm = () => { log.info('stopping: flushing proposals and checkpoint'); stop.abort(); };
  const onHup = () => { log.info('SIGHUP: reopening the source and re-reading the registry'); reopen(); };
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onTerm);
  process.on('SIGHUP', onHup);
  return () => { process.off('SIGTERM', onTerm); process.off('SIGINT', onTerm); process.off('SIGHUP', onHup); };
}

/** The lines metric, from the parser's counter once a second rather than per line. */
function countLines(parser: LineParser, metrics: WatchMetrics): () => void {
  let seen = 0;
  const t = setInterval(() => { metrics.lines.inc(parser.counters.lines - seen); seen = parser.counters.lines; }, 1000);
  t.unref();
  return () => clearInterval(t);
}

/** The kernel's own audit lost counter, polled where the source cannot see that loss itself. */
function pollKernelLost(chosen: Chosen, o: WatchOptions, engine: WatchEngine, sink: SourceSink): (() => void) | undefined {
  if (!chosen.pollKernelLost || o.once) return undefined;
  return watchKernelLost({
    resume: kernelLostCheckpoint(engine.checkpoint(KERNEL_LOST_KEY)),
    loss: (count, detail, window) => sink.loss('audit-lost', count, detail, window),
    checkpoint: (cp) => engine.setCheckpoint(KERNEL_LOST_KEY, cp),
    note: sink.note!,
  });
}

/** The last log line, and what `--once` callers get. */
function summarize(log: Logger, chosen: Chosen, parser: LineParser, engine: WatchEngine, readMs: number): WatchSummary {
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

    const feed = new ContainerFeed(o, log, metrics);
    cleanups.push(() => feed.close());
    const { index, host, witness } = feed;
    const mapper = new Mapper({ index, host, ...(witness ? { witness: (pid: number) => witness.lookup(pid) } : {}), settle: () => feed.settle() });
    const rejected = (p: string, a: string, s: string) => isRejected(o.stateDir, p, a, s);
    const engine = new WatchEngine({
      stateDir: o.stateDir, mapper, profiles: new ProfileCache(profileDirs), log, metrics, isRejected: rejected,
      flushIntervalMs: o.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS,
    }, state);
    // Shadow findings (issue 20) arrive through their own spool, whatever the audit source is.
    const shadow = new ShadowSpoolSource({ stateDir: o.stateDir, profiles: new ProfileCache(profileDirs), isRejected: rejected, log }).start();
    cleanups.push(() => shadow.stop());
    for (const e of index.entries()) if (!e.stoppedAt) engine.noticeContainer(e);
    const containers = {
      known: (e: Parameters<typeof engine.noticeContainer>[0]) => { engine.noticeContainer(e); noticeImageDrift(o.stateDir, e, log, metrics.registry); },
      remaining: (ids: ReadonlySet<string>) => { engine.prune(ids); },
    };
    feed.start(containers);
    cleanups.push(countRefusedRecordings(o.stateDir, metrics, log));

    const parser = createLineParser({
      ...(chosen.format ? { format: chosen.format } : {}), resolveSyscall: memoResolver(syscallName),
      syslog: o.trustSyslog ? 'kernel-facility' : 'refuse',
    });
    const sink = sinkFor(engine, parser, chosen.source.key, log);
    const stop = new AbortController();
    const signal = o.signal ? AbortSignal.any([o.signal, stop.signal]) : stop.signal;
    cleanups.push(onSignals(log, stop, () => { chosen.source.reopen?.(); feed.reread(containers); }));
    cleanups.push(countLines(parser, metrics));

    const started = performance.now();
    log.info({ source: chosen.source.description, containers: index.size, witness: witness !== undefined }, 'ready');
    const stopKernelLost = pollKernelLost(chosen, o, engine, sink);
    try {
      await chosen.source.run(sink, engine.checkpoint(chosen.source.key), { once: o.once ?? false, signal });
    } finally {
      stopKernelLost?.();
    }
    engine.flush(true);
    return summarize(log, chosen, parser, engine, Math.round(performance.now() - started));
  } finally {
    for (const c of cleanups.reverse()) await c();
  }
}
