// A subject's proposal on disk: rendered from the counts against the profile file as it is now and
// the proposal as last written (decisions kept), written only when its content changed. Also reads
// the watcher's own proposal back (to continue a pruned subject's counts).
import type { Logger } from 'pino';
import { findProposal, writeProposal } from '../profile/proposal-store.js';
import type { Proposal } from '../profile/proposal.js';
import type { Subject } from './aggregator.js';
import type { WatchMetrics } from './metrics.js';
import type { ProfileCache } from './profile-cache.js';
import { renderProposal, sameContent, type IsRejected } from './render-proposal.js';
import { removeFoldedFiles } from './v1-migration.js';
import type { WarnOnce } from './warn-once.js';

export interface ProposalWriterOptions {
  stateDir: string;
  profiles: ProfileCache;
  isRejected: IsRejected;
  log: Logger;
  warn: WarnOnce;
  metrics?: WatchMetrics;
}

/** Statuses kept for the open-proposals gauge. */
const MAX_STATUSES = 100_000;

export class ProposalWriter {
  /** Status of each proposal this watcher rendered: the open-proposals gauge. */
  private readonly statuses = new Map<string, string>();
  writes = 0;

  constructor(private readonly o: ProposalWriterOptions) {}

  /** The watcher's own proposal `id`, or undefined (none, or hand-edited into something invalid). */
  readOwn(id: string): Proposal | undefined {
    try {
      return findProposal(this.o.stateDir, id);
    } catch (e) {
      // Hand-edited into something invalid: replaced by a fresh rendering rather than kept broken.
      this.o.warn.warn(`invalid:${id}`, { proposal: id, error: (e as Error).message.split('\n')[0] }, 'proposal file is not valid; it will be rewritten from the watcher\'s counts');
      return undefined;
    }
  }

  /**
   * Renders and writes `s`'s proposal as of `at`. `pendingSince`: when its oldest unwritten record
   * was stamped (the latency metric).
   */
  write(s: Subject, at: string, pendingSince?: number): void {
    const profile = this.o.profiles.read(s.profilePath);
    if ('error' in profile) {
      this.o.warn.warn(`profile:${s.profilePath}`, { profile: s.profilePath, error: profile.error }, 'cannot read the profile a proposal is for; proposal not updated');
      return;
    }
    const existing = this.readOwn(s.id);
    const r = renderProposal(s, profile, existing, this.o.isRejected, at);
    if (!r) return;
    this.statuses.set(s.id, r.proposal.status);
    if (this.statuses.size > MAX_STATUSES) this.statuses.clear();
    const m = this.o.metrics;
    m?.proposalsOpen.set([...this.statuses.values()].filter((x) => x === 'open').length);
    if (r.unnamed.length) this.o.warn.warn(`unnamed:${s.id}`, { proposal: s.id, syscalls: r.unnamed }, 'denied syscall numbers unknown to libseccomp for their arch: not proposed');
    if (!existing || !sameContent(existing, r.proposal)) {
      writeProposal(this.o.stateDir, r.proposal);
      this.writes++;
      m?.proposalWrites.inc();
      if (pendingSince !== undefined) m?.latency.observe((Date.now() - pendingSince) / 1000);
      if (!existing) this.o.log.info({ proposal: s.id, profile: s.profilePath, containers: r.proposal.containers.length + r.proposal.otherContainers.containers, add: r.proposal.add.map((a) => a.syscall) }, 'new proposal');
    }
    // Their counts are in the proposal just written (and in the state saved next): the old files go.
    removeFoldedFiles(this.o.stateDir, s, this.o.log);
  }
}
