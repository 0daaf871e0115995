// The watcher's core: parse results in, routed to the subject (profile file) they count for,
// flushed as proposals and then the state file. Around it: subject-resolver.ts (whose proposal a
// container's denials go to), aggregator.ts (the counts), proposal-writer.ts (the files),
// v1-migration.ts (what version 1 left), flush-schedule.ts (when).
import type { Logger } from 'pino';
import type { ParseResult, SeccompEvent } from '../../parsers/types.js';
import type { Aggregator, SubjectRef } from './aggregator.js';
import type { Attribution, Mapper } from './mapper.js';
import type { WatchMetrics } from './metrics.js';
import type { ProfileCache } from './profile-cache.js';
import type { RegistryEntry } from '../state/registry.js';
import type { IsRejected } from './render-proposal.js';
import { DEFAULT_FLUSH_INTERVAL_MS } from './defaults.js';
import { flushDueAt, smoothFlushCost } from './flush-schedule.js';
import { saveState, type Checkpoint, type UnattributedTally, type WatchState } from './state-store.js';
import { ProposalWriter } from './proposal-writer.js';
import { subjectFromProposal } from './proposal-counts.js';
import { SubjectResolver } from './subject-resolver.js';
import { aggregatorFromState, foldLegacyProposalFiles } from './v1-migration.js';
import { WarnOnce } from './warn-once.js';
import { HeldRecords } from './held-records.js';

export interface EngineOptions {
  stateDir: string;
  mapper: Mapper;
  profiles: ProfileCache;
  isRejected: IsRejected;
  log: Logger;
  metrics?: WatchMetrics;
  /** Minimum time between two flushes: bounds disk writes under a flood, and the latency. */
  flushIntervalMs?: number;
}

export class WatchEngine {
  private readonly agg: Aggregator;
  private readonly checkpoints: Record<string, Checkpoint>;
  private readonly warnings: WarnOnce;
  private readonly resolver: SubjectResolver;
  private readonly writer: ProposalWriter;
  /** Oldest record time not yet on disk, per subject: the latency metric. */
  private readonly pendingSince = new Map<string, number>();
  private flushTimer: NodeJS.Timeout | undefined;
  private lastFlush = 0;
  /** How long flushes take (ms, smoothed): flush-schedule.ts stretches the interval when slow. */
  private flushCost = 0;
  private flushDue = 0;
  private checkpointDirty = false;
  readonly stats = { events: 0, attributed: 0, proposalWrites: 0, flushes: 0, lossNotices: 0, lostRecords: 0, unattributed: 0 };
  /** Denials no container could be named for with certainty: in the state, for `proposals list`. */
  private unattributed: UnattributedTally | undefined;
  /** Processes already logged as unattributed (bounded): one line per process, not per record. */
  private readonly loggedUnattributed = new Set<string>();
  /** Records whose container discovery may not have handed over yet (held-records.ts). */
  private readonly held: HeldRecords;

  constructor(private readonly o: EngineOptions, state: WatchState) {
    this.warnings = new WarnOnce(o.log);
    const shared = { stateDir: o.stateDir, profiles: o.profiles, log: o.log, warn: this.warnings, ...(o.metrics ? { metrics: o.metrics } : {}) };
    this.resolver = new SubjectResolver({ ...shared, ...(state.filterMismatches ? { filterMismatches: state.filterMismatches } : {}), changed: () => { this.checkpointDirty = true; } });
    this.writer = new ProposalWriter({ ...shared, isRejected: o.isRejected });
    this.held = new HeldRecords((e) => o.mapper.attribute(e), (e, a) => this.route(e, a), () => this.scheduleFlush());
    // The state's loose tallies are the Subject shapes the aggregator keeps (state-store.ts).
    this.agg = aggregatorFromState(state.aggregate.subjects as Parameters<typeof aggregatorFromState>[0]);
    if (state.unattributed) this.unattributed = { ...state.unattributed, byReason: { ...state.unattributed.byReason } };
    this.checkpoints = { ...state.checkpoints };
    foldLegacyProposalFiles(o.stateDir, this.agg, (ref) => this.seedFromDisk(ref));
    // Proposals are a rendering of the state: re-render all at start, which also repairs a crash
    // between the proposal writes and the state write.
    for (const s of this.agg.all()) this.agg.markDirty(s.id);
  }

  checkpoint(sourceKey: string): Checkpoint | undefined {
    return this.checkpoints[sourceKey];
  }

  /** The source has handed over every line up to `cp`. */
  setCheckpoint(sourceKey: string, cp: Checkpoint): void {
    this.checkpoints[sourceKey] = cp;
    this.checkpointDirty = true;
    this.scheduleFlush();
  }

  handle(r: ParseResult): void {
    const m = this.o.metrics;
    switch (r.kind) {
      case 'other':
        return;
      case 'issue':
        m?.parseIssues.inc({ kind: r.issue.kind });
        // Forged-looking records are dropped; the operator hears once per kind of line, not per line.
        if (r.issue.kind === 'untrusted') this.warnings.warn(`untrusted:${r.issue.detail.slice(0, 40)}`, { detail: r.issue.detail }, 'dropped a SECCOMP record user space wrote (counted in seccomp_tailor_watch_parse_issues_total{kind="untrusted"})');
        return;
      case 'loss': {
        m?.lossNotices.inc({ source: r.loss.source });
        m?.lostRecords.inc({ source: r.loss.source }, r.loss.count);
        this.stats.lossNotices++;
        this.stats.lostRecords += r.loss.count;
        const now = new Date().toISOString();
        const marked = this.agg.markLoss(r.loss.source, r.loss.count, r.loss.from ?? now, r.loss.to ?? now);
        this.o.log.warn({ loss: r.loss, proposalsMarked: marked }, 'records lost: proposals watched meanwhile have incomplete evidence');
        if (marked) this.scheduleFlush();
        return;
      }
      case 'event':
        this.onEvent(r.event);
    }
  }

  /** Labelled children looked up once, not hashed per record. */
  private readonly eventCounters = new Map<string, { inc(): void }>();

  private onEvent(e: SeccompEvent): void {
    this.stats.events++;
    const a = this.o.mapper.attribute(e);
    if (!this.held.hold(e, a)) this.route(e, a);
  }

  private route(e: SeccompEvent, a: Attribution): void {
    const label = labelOf(a);
    if (a.kind === 'container') e.container = a.entry.id;
    const m = this.o.metrics;
    if (m) {
      this.counter(`${e.action}\0${label}`, () => m.events.labels(e.action, m.containerLabel(label))).inc();
      const via = a.kind === 'container' ? a.via : a.kind;
      this.counter(`v\0${via}`, () => m.attributions.labels(via)).inc();
      if ((this.stats.events & 255) === 1) m.lag.set((Date.now() - Date.parse(e.time)) / 1000);
    }
    if (a.kind === 'unknown') return this.notAttributed(e, a);
    const subject = a.kind === 'container' ? this.resolver.subjectOf(a.entry) : undefined;
    if (!subject) {
      const reason = a.kind === 'container' ? 'no-profile' : a.kind;
      if (m) this.counter(`u\0${reason}`, () => m.unattributed.labels(reason)).inc();
      this.warnings.warn(`${reason}:${label}`, { attribution: a, eventPid: e.pid, comm: e.comm, syscall: e.syscallName ?? e.syscall, arch: e.arch },
        a.kind === 'host' ? 'denial by a host process (not in any container): no proposal'
          : a.kind === 'container' ? 'denial in a container that has no profile file or embedded profile: no proposal'
            : a.kind === 'unregistered' ? 'denial in a container the registry does not know: no profile to propose against'
              : 'denial that cannot be attributed: no proposal');
      return;
    }
    this.stats.attributed++;
    if (!this.agg.get(subject.id)) this.seedFromDisk(subject);
    this.agg.add(subject, e);
    if (!this.pendingSince.has(subject.id)) this.pendingSince.set(subject.id, Date.parse(e.time));
    this.scheduleFlush();
  }

  /**
   * A record whose container cannot be named with certainty (mapper.ts): counted per reason, kept
   * in the state for `proposals list`, and logged once per process with what the kernel said of it,
   * so an operator can tell whose it was. Never added to a proposal.
   */
  private notAttributed(e: SeccompEvent, a: Extract<Attribution, { kind: 'unknown' }>): void {
    this.stats.unattributed++;
    const m = this.o.metrics;
    if (m) this.counter(`u\0${a.reason}`, () => m.unattributed.labels(a.reason)).inc();
    const u = (this.unattributed ??= { count: 0, byReason: {}, first: e.time, last: e.time });
    u.count++;
    u.byReason[a.reason] = (u.byReason[a.reason] ?? 0) + 1;
    if (e.time < u.first) u.first = e.time;
    if (e.time > u.last) u.last = e.time;
    this.checkpointDirty = true;
    this.scheduleFlush();
    const key = `${a.reason}\0${e.pid}\0${a.startBootUs ?? ''}`;
    if (this.loggedUnattributed.has(key)) return;
    if (this.loggedUnattributed.size >= 10_000) this.loggedUnattributed.clear();
    this.loggedUnattributed.add(key);
    // `attribution` carries the kernel's identity of the process (namespaces, cgroup id, start).
    this.o.log.warn({
      attribution: a, eventPid: e.pid, comm: e.comm, exe: e.exe, time: e.time, serial: e.serial, syscall: e.syscallName ?? e.syscall, arch: e.arch,
    }, a.reason === 'ambiguous' ? 'denial whose container is ambiguous (two containers match at that time): not attributed, no proposal'
      : 'denial that cannot be attributed to a container with certainty: no proposal');
  }

  /**
   * A subject pruned from memory (its containers gone) may get records again (a replica restarted):
   * its counts continue from its proposal file, which is never behind the state. Only this host's
   * share is taken: the imported one stays in the file and is added back when it is rendered.
   */
  private seedFromDisk(ref: Pick<SubjectRef, 'id' | 'profilePath'>): void {
    const p = this.writer.readOwn(ref.id);
    if (p) this.agg.seed(subjectFromProposal(ref, p));
  }

  /** Drops subjects none of whose containers is known any more (their proposals stay on disk). */
  prune(liveContainerIds: ReadonlySet<string>): number {
    let n = 0;
    for (const s of [...this.agg.all()]) {
      if (Object.keys(s.containers).some((id) => liveContainerIds.has(id)) || s.others.ids.some((id) => liveContainerIds.has(id))) continue;
      if (this.agg.remove(s.id)) n++;
    }
    if (n > 0) {
      this.checkpointDirty = true;
      this.scheduleFlush();
    }
    return n;
  }

  private counter(key: string, make: () => { inc(): void }): { inc(): void } {
    let c = this.eventCounters.get(key);
    if (!c) {
      if (this.eventCounters.size > 10_000) this.eventCounters.clear();
      c = make();
      this.eventCounters.set(key, c);
    }
    return c;
  }

  /** Warns once per profile that would keep a container's denials out of the log. */
  noticeContainer(entry: RegistryEntry): void {
    this.resolver.noticeContainer(entry);
  }

  /** Arms the flush timer for the time flush-schedule.ts gives (or keeps an earlier one). */
  private scheduleFlush(): void {
    const timing = { lastStart: this.lastFlush, cost: this.flushCost, intervalMs: this.o.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS };
    const due = flushDueAt(timing, this.agg.dirtyCount > 0);
    if (this.flushTimer) {
      if (due >= this.flushDue) return;
      clearTimeout(this.flushTimer);
    }
    this.flushDue = due;
    const wait = Math.max(0, due - Date.now());
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      try {
        this.flush();
      } catch (e) {
        this.o.log.error({ err: e }, 'flush failed; retrying');
        if (this.o.metrics) this.o.metrics.healthy = false;
        this.lastFlush = Date.now() + 1000;
        this.scheduleFlush();
      }
    }, wait);
    this.flushTimer.unref?.();
  }

  get pendingFlush(): boolean {
    return this.flushTimer !== undefined || this.agg.dirtyCount > 0 || this.checkpointDirty || this.held.size > 0;
  }

  /** Proposals first, then the state with the checkpoint (see state-store.ts for why this order). */
  flush(final = false): void {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    if (this.held.size) {
      // The checkpoint may not pass held records: settle them first (at the end: as they stand).
      if (!final) return;
      this.held.settle();
    }
    const started = Date.now();
    this.lastFlush = started;
    const dirty = this.agg.takeDirty();
    if (dirty.length === 0 && !this.checkpointDirty) return;
    const at = new Date(started).toISOString();
    for (const id of dirty) {
      this.writer.write(this.agg.get(id)!, at, this.pendingSince.get(id));
      this.pendingSince.delete(id);
    }
    this.stats.proposalWrites = this.writer.writes;
    saveState(this.o.stateDir, this.checkpoints, this.agg.snapshot(), this.unattributed, this.resolver.filterMismatches);
    this.checkpointDirty = false;
    this.flushCost = smoothFlushCost(this.flushCost, Date.now() - started);
    this.stats.flushes++;
    if (this.o.metrics) this.o.metrics.healthy = true;
  }
}

function labelOf(a: Attribution): string {
  switch (a.kind) {
    case 'container': return a.entry.id;
    case 'unregistered': return a.id;
    case 'host': return 'host';
    case 'unknown': return 'unknown';
  }
}
