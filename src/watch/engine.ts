// The watcher's core: parse results in, tallies per profile file (with each container's share) up,
// proposals and the state file out. Sources and the registry feed it; it reads only its own
// proposal files (to continue a pruned subject's counts, and to fold version 1 proposals).
import type { Logger } from 'pino';
import type { ParseResult, SeccompEvent } from '../../parsers/types.js';
import { localEvidence } from '../profile/proposal-evidence.js';
import { isFoldable, proposalId, type ContainerRef, type Proposal } from '../profile/proposal.js';
import { findProposal, listProposals, removeProposal, writeProposal } from '../profile/proposal-store.js';
import { Aggregator, type ContainerTally, type SubjectRef, type SyscallTally } from './aggregator.js';
import type { Attribution, Mapper } from './mapper.js';
import type { WatchMetrics } from './metrics.js';
import type { ProfileCache } from './profile-cache.js';
import { hiddenDenials, profileFileOf } from './container-profile.js';
import type { RegistryEntry } from '../state/registry.js';
import { renderProposal, sameContent, type IsRejected } from './render-proposal.js';
import { DEFAULT_FLUSH_INTERVAL_MS } from './defaults.js';
import { flushDueAt, smoothFlushCost } from './flush-schedule.js';
import { saveState, type Checkpoint, type FilterMismatches, type UnattributedTally, type WatchState } from './state-store.js';
import { profileFingerprint } from '../state/profile-fingerprint.js';

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

/** Records held for discovery to catch up (see WatchEngine.deferred): at most this many, this long. */
const MAX_DEFERRED = 10_000;
const DEFER_MS = 1_500;
/** Only records stamped this recently: a catch-up's old records wait for nothing. */
const DEFER_FRESH_MS = 5_000;

export class WatchEngine {
  private readonly agg: Aggregator;
  private readonly checkpoints: Record<string, Checkpoint>;
  private readonly warned = new Set<string>();
  /** Status of each proposal this watcher rendered: the open-proposals gauge. */
  private readonly statuses = new Map<string, string>();
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
  /** Containers whose annotation named a file their bundle's filter is not: in the state, for `proposals list`. */
  private filterMismatches: FilterMismatches | undefined;

  constructor(private readonly o: EngineOptions, state: WatchState) {
    this.agg = new Aggregator(state.aggregate as ConstructorParameters<typeof Aggregator>[0]);
    if (state.filterMismatches) this.filterMismatches = { ...state.filterMismatches, containers: [...state.filterMismatches.containers] };
    if (state.unattributed) this.unattributed = { ...state.unattributed, byReason: { ...state.unattributed.byReason } };
    this.checkpoints = { ...state.checkpoints };
    this.foldLegacyFiles();
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
        if (r.issue.kind === 'untrusted') this.warnOnce(`untrusted:${r.issue.detail.slice(0, 40)}`, { detail: r.issue.detail }, 'dropped a SECCOMP record user space wrote (counted in seccomp_tailor_watch_parse_issues_total{kind="untrusted"})');
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
  private readonly subjects = new WeakMap<RegistryEntry, SubjectRef | null>();

  /**
   * Fresh records of a live process no known container holds: a runtime writes its state file only
   * after its init has set up (runc's init logs its chdir under the new filter before `create`
   * saves state.json), so the record can be read before discovery can know the container. Held
   * (bounded, briefly) and attributed again, then reported if still nobody's. Flushes wait for
   * them, so the checkpoint never passes a record that is neither counted nor reported.
   */
  private readonly deferred: Array<{ e: SeccompEvent; until: number }> = [];
  private deferTimer: NodeJS.Timeout | undefined;

  private onEvent(e: SeccompEvent): void {
    this.stats.events++;
    const a = this.o.mapper.attribute(e);
    if (notYetKnown(a) && this.deferred.length < MAX_DEFERRED && Date.now() - Date.parse(e.time) < DEFER_FRESH_MS) {
      this.deferred.push({ e, until: Date.now() + DEFER_MS });
      this.deferTimer ??= setTimeout(() => this.retryDeferred(), 100);
      return;
    }
    this.route(e, a);
  }

  private retryDeferred(): void {
    this.deferTimer = undefined;
    const now = Date.now();
    for (const d of this.deferred.splice(0)) {
      const a = this.o.mapper.attribute(d.e);
      if (notYetKnown(a) && now < d.until) this.deferred.push(d);
      else this.route(d.e, a);
    }
    if (this.deferred.length) this.deferTimer = setTimeout(() => this.retryDeferred(), 100);
    this.scheduleFlush();
  }

  private retryDeferredFinal(): void {
    this.deferTimer = undefined;
    // Re-attributed once more with discovery up to date; whatever is still nobody's is reported.
    const held = this.deferred.splice(0);
    for (const d of held) this.route(d.e, this.o.mapper.attribute(d.e));
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
    const subject = a.kind === 'container' ? this.subjectOfCached(a.entry) : undefined;
    if (!subject) {
      const reason = a.kind === 'container' ? 'no-profile' : a.kind;
      if (m) this.counter(`u\0${reason}`, () => m.unattributed.labels(reason)).inc();
      this.warnOnce(`${reason}:${label}`, { attribution: a, eventPid: e.pid, comm: e.comm, syscall: e.syscallName ?? e.syscall, arch: e.arch },
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
    const p = this.readOwn(ref.id);
    if (!p) return;
    const local = localEvidence(p);
    const tallies: Record<string, SyscallTally> = {};
    for (const a of local.add) {
      tallies[`${a.arch}/${a.syscall}`] = { arch: a.arch, syscall: a.syscall, nr: -1, count: a.count, firstSeen: a.firstSeen, lastSeen: a.lastSeen, comm: [...a.comm], exe: [...a.exe], actions: [...a.actions] };
    }
    for (const b of p.blockedByRule) {
      tallies[`${b.arch}/${b.syscall}`] ??= { arch: b.arch, syscall: b.syscall, nr: -1, count: b.count, firstSeen: p.createdAt, lastSeen: p.updatedAt, comm: [], exe: [], actions: [] };
    }
    const containers: Record<string, ContainerTally> = {};
    for (const { host: _h, ...c } of local.containers) containers[c.id ?? c.name ?? c.image ?? '?'] = { ...c, syscalls: [...c.syscalls] };
    const l = local.incomplete;
    this.agg.seed({
      id: ref.id, profilePath: ref.profilePath, tallies, containers, others: { ...local.otherContainers, ids: [] },
      ...(l ? { loss: { records: l.lostRecords, notices: l.notices, first: l.from, last: l.to, sources: [...l.sources] } } : {}),
    });
  }

  private readOwn(id: string): Proposal | undefined {
    try {
      return findProposal(this.o.stateDir, id);
    } catch (e) {
      // Hand-edited into something invalid: replaced by a fresh rendering rather than kept broken.
      this.warnOnce(`invalid:${id}`, { proposal: id, error: (e as Error).message.split('\n')[0] }, 'proposal file is not valid; it will be rewritten from the watcher\'s counts');
      return undefined;
    }
  }

  /**
   * Version 1 wrote one proposal per (container or image, profile file). Each such file still on
   * disk whose counts the state does not hold (its subject was pruned) is folded into its profile
   * file's proposal; the next write of that proposal removes the old files.
   */
  private foldLegacyFiles(): void {
    let listed: Proposal[];
    try {
      listed = listProposals(this.o.stateDir).proposals;
    } catch {
      return;
    }
    for (const p of listed.filter(isFoldable)) {
      const id = proposalId(p.profile.path);
      if (!this.agg.get(id)) this.seedFromDisk({ id, profilePath: p.profile.path });
      const tallies: SyscallTally[] = [
        ...p.add.map((a) => ({ arch: a.arch, syscall: a.syscall, nr: -1, count: a.count, firstSeen: a.firstSeen, lastSeen: a.lastSeen, comm: a.comm, exe: a.exe, actions: a.actions })),
        ...p.blockedByRule.map((b) => ({ arch: b.arch, syscall: b.syscall, nr: -1, count: b.count, firstSeen: p.createdAt, lastSeen: p.updatedAt, comm: [], exe: [], actions: [] })),
      ];
      this.agg.foldLegacy(p.id, p.profile.path, p.container, tallies);
    }
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

  /** Registry entries are replaced, never mutated, so the entry object itself is the cache key. */
  private counter(key: string, make: () => { inc(): void }): { inc(): void } {
    let c = this.eventCounters.get(key);
    if (!c) {
      if (this.eventCounters.size > 10_000) this.eventCounters.clear();
      c = make();
      this.eventCounters.set(key, c);
    }
    return c;
  }

  private subjectOfCached(entry: RegistryEntry): SubjectRef | undefined {
    let s = this.subjects.get(entry);
    if (s === undefined) {
      s = this.subjectOf(entry) ?? null;
      this.subjects.set(entry, s);
    }
    return s ?? undefined;
  }

  /**
   * The annotation is whatever the container's author wrote; the filter in its bundle (Docker,
   * containerd, kubelet and podman all put it in config.json) is what the kernel runs. When both are
   * there and the named file is not that filter (by the fingerprint the profile index keeps), the
   * denials belong to the filter that runs: the named file's proposal never sees them, and the
   * mismatch is reported (metric, log, `proposals list`).
   */
  private runningFilterOf(entry: RegistryEntry): RegistryEntry {
    if (!entry.profilePath || entry.profile === undefined || this.o.profiles.refusal(entry.profilePath)) return entry;
    const named = this.o.profiles.read(entry.profilePath);
    if ('error' in named) return entry;
    const runs = profileFingerprint(entry.profile);
    if (runs === undefined || runs === profileFingerprint(named.profile)) return entry;
    if (this.mismatchCounted.has(entry.id)) return this.withoutAnnotation(entry);
    if (this.mismatchCounted.size >= 10_000) this.mismatchCounted.clear();
    this.mismatchCounted.add(entry.id);
    this.o.metrics?.filterMismatches.inc();
    const f = (this.filterMismatches ??= { count: 0, containers: [] });
    f.count++;
    if (f.containers.length < 20) f.containers.push(entry.id);
    this.checkpointDirty = true;
    this.o.log.warn({ container: entry.id, annotated: entry.profilePath, runs: runs.slice(0, 12), named: profileFingerprint(named.profile)?.slice(0, 12) },
      'the container\'s annotation names a profile file that is not the filter it runs: its denials go to the filter it runs, never to that file');
    return this.withoutAnnotation(entry);
  }

  private withoutAnnotation(entry: RegistryEntry): RegistryEntry {
    const { profilePath: _named, ...running } = entry;
    return running;
  }
  private readonly mismatchCounted = new Set<string>();

  private subjectOf(named: RegistryEntry): SubjectRef | undefined {
    const entry = this.runningFilterOf(named);
    const profilePath = profileFileOf(this.o.stateDir, entry);
    if (!profilePath) return undefined;
    const refused = this.o.profiles.refusal(profilePath);
    if (refused) {
      this.warnOnce(`refused:${profilePath}`, { container: entry.id, profile: profilePath, why: refused }, 'the container\'s annotation names a profile file proposals may not target: not read, no proposal');
      return undefined;
    }
    const container: ContainerRef = { id: entry.id, runtime: entry.runtime };
    if (entry.name) container.name = entry.name;
    if (entry.image) container.image = entry.image;
    return { id: proposalId(profilePath), profilePath, container };
  }

  /** Warns once per profile that would keep a container's denials out of the log. */
  noticeContainer(entry: RegistryEntry): void {
    const path = profileFileOf(this.o.stateDir, entry);
    if (!path) return;
    if (this.o.profiles.refusal(path)) {
      this.subjectOfCached(entry); // reports it
      return;
    }
    const p = this.o.profiles.read(path);
    if ('error' in p) {
      this.warnOnce(`profile:${path}`, { container: entry.id, profile: path, error: p.error }, 'cannot read the container\'s profile');
      return;
    }
    const silent = hiddenDenials(p.profile);
    if (silent) this.warnOnce(`silent:${path}`, { container: entry.id, profile: path, defaultAction: p.profile.defaultAction }, silent);
  }

  private warnOnce(key: string, fields: object, msg: string): void {
    if (this.warned.has(key)) return;
    if (this.warned.size > 10_000) this.warned.clear();
    this.warned.add(key);
    this.o.log.warn(fields, msg);
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
    return this.flushTimer !== undefined || this.agg.dirtyCount > 0 || this.checkpointDirty || this.deferred.length > 0;
  }

  /** Proposals first, then the state with the checkpoint (see state-store.ts for why this order). */
  flush(final = false): void {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    if (this.deferred.length) {
      // The checkpoint may not pass held records: settle them first (at the end: as they stand).
      if (!final) return;
      clearTimeout(this.deferTimer);
      this.retryDeferredFinal();
    }
    const started = Date.now();
    this.lastFlush = started;
    const dirty = this.agg.takeDirty();
    if (dirty.length === 0 && !this.checkpointDirty) return;
    const at = new Date(started).toISOString();
    for (const id of dirty) this.writeOne(id, at);
    saveState(this.o.stateDir, this.checkpoints, this.agg.snapshot(), this.unattributed, this.filterMismatches);
    this.checkpointDirty = false;
    this.flushCost = smoothFlushCost(this.flushCost, Date.now() - started);
    this.stats.flushes++;
    if (this.o.metrics) this.o.metrics.healthy = true;
  }

  private writeOne(id: string, at: string): void {
    const s = this.agg.get(id)!;
    const since = this.pendingSince.get(id);
    this.pendingSince.delete(id);
    const profile = this.o.profiles.read(s.profilePath);
    if ('error' in profile) {
      this.warnOnce(`profile:${s.profilePath}`, { profile: s.profilePath, error: profile.error }, 'cannot read the profile a proposal is for; proposal not updated');
      return;
    }
    const existing = this.readOwn(id);
    const r = renderProposal(s, profile, existing, this.o.isRejected, at);
    if (!r) return;
    this.statuses.set(id, r.proposal.status);
    if (this.statuses.size > 100_000) this.statuses.clear();
    this.o.metrics?.proposalsOpen.set([...this.statuses.values()].filter((x) => x === 'open').length);
    if (r.unnamed.length) this.warnOnce(`unnamed:${id}`, { proposal: id, syscalls: r.unnamed }, 'denied syscall numbers unknown to libseccomp for their arch: not proposed');
    if (!existing || !sameContent(existing, r.proposal)) {
      writeProposal(this.o.stateDir, r.proposal);
      this.stats.proposalWrites++;
      this.o.metrics?.proposalWrites.inc();
      if (since !== undefined) this.o.metrics?.latency.observe((Date.now() - since) / 1000);
      if (!existing) this.o.log.info({ proposal: id, profile: s.profilePath, containers: r.proposal.containers.length + r.proposal.otherContainers.containers, add: r.proposal.add.map((a) => a.syscall) }, 'new proposal');
    }
    // Their counts are in the proposal just written (and in the state saved next): the old files go.
    if (s.folded?.length) {
      for (const old of s.folded) if (old !== id) removeProposal(this.o.stateDir, old);
      this.o.log.info({ proposal: id, folded: s.folded }, 'version 1 proposals folded into their profile file\'s proposal');
      this.agg.clearFolded(id);
    }
  }

}

/** No container the registry knows holds it (yet): discovery may not have handed it over. */
const notYetKnown = (a: Attribution): boolean => (a.kind === 'unknown' && a.reason === 'no-container') || a.kind === 'unregistered';

function labelOf(a: Attribution): string {
  switch (a.kind) {
    case 'container': return a.entry.id;
    case 'unregistered': return a.id;
    case 'host': return 'host';
    case 'unknown': return 'unknown';
  }
}
