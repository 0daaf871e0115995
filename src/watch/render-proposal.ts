// One subject's tallies + the profile file as it is now -> the proposal file's content. Pure.
// Syscalls the profile already permits (e.g. after `apply`) drop out; syscalls it blocks on purpose
// are reported under blockedByRule, never proposed; rejected ones stay out until asked again.
import { buildPatch, type BlockedByRule, type Proposal, type ProposalAddition } from '../profile/proposal.js';
import { riskOf } from '../profile/risk.js';
import type { SeccompProfile } from '../profile/schema.js';
import { verdictFor } from '../profile/syscall-set.js';
import { wideningFor } from '../profile/widen-args.js';
import type { Subject } from './aggregator.js';

export interface ProfileNow {
  profile: SeccompProfile;
  sha256: string;
}

export type IsRejected = (profilePath: string, arch: string, syscall: string) => boolean;

export interface Rendered {
  proposal: Proposal;
  /** Tallies that cannot be proposed: unknown syscall numbers for their arch. */
  unnamed: string[];
}

const byArchName = (a: { arch: string; syscall: string }, b: { arch: string; syscall: string }): number =>
  a.arch === b.arch ? (a.syscall < b.syscall ? -1 : a.syscall > b.syscall ? 1 : 0) : a.arch < b.arch ? -1 : 1;

/**
 * The proposal, or undefined when there is nothing to say (every denied syscall is now permitted or
 * rejected, and none is blocked by rule). `existing` is the file on disk: its id, createdAt and the
 * operator's decisions (applied/rejected) are kept while they still describe the same profile content.
 */
export function renderProposal(s: Subject, now: ProfileNow, existing: Proposal | undefined, isRejected: IsRejected, at: string): Rendered | undefined {
  const add: ProposalAddition[] = [];
  const blockedByRule: BlockedByRule[] = [];
  const unnamed: string[] = [];
  for (const t of Object.values(s.tallies)) {
    if (t.syscall.startsWith('#')) {
      unnamed.push(`${t.arch}/${t.nr}`);
      continue;
    }
    const v = verdictFor(now.profile, t.syscall);
    if (v.kind === 'allowed') continue;
    // Allowed only with argument rules: the denied call used other values, which the record does not carry.
    const widen = v.kind === 'conditional' && !isRejected(s.profilePath, t.arch, t.syscall) ? wideningFor(now.profile, t.syscall) : undefined;
    if ((v.kind === 'blocked-by-rule' || v.kind === 'conditional') && !widen) {
      blockedByRule.push({ arch: t.arch, syscall: t.syscall, rule: v.rule, action: v.action, count: t.count, reason: v.kind === 'conditional' ? 'conditional' : 'explicit' });
      continue;
    }
    if (isRejected(s.profilePath, t.arch, t.syscall)) continue;
    const a: ProposalAddition = {
      arch: t.arch, syscall: t.syscall, count: t.count, firstSeen: t.firstSeen, lastSeen: t.lastSeen,
      comm: [...t.comm], exe: [...t.exe], actions: [...t.actions],
    };
    const r = riskOf(t.syscall);
    if (r) a.risk = { level: r.level, why: r.why };
    if (widen) a.widen = { basis: widen.basis, reason: widen.reason };
    add.push(a);
  }
  if (add.length === 0 && blockedByRule.length === 0 && !existing) return undefined;
  add.sort(byArchName);
  blockedByRule.sort(byArchName);

  // An operator's decision stands until there is something new to decide: applied syscalls are now
  // permitted and rejected ones filtered out, so any addition left is news and reopens the proposal.
  const status: Proposal['status'] = existing && existing.status !== 'open' && add.length === 0 ? existing.status : 'open';

  const proposal: Proposal = {
    ...(existing ?? {}),
    version: 1,
    id: s.id,
    container: s.container,
    profile: { path: s.profilePath, sha256: now.sha256 },
    createdAt: existing?.createdAt ?? at,
    updatedAt: at,
    add,
    blockedByRule,
    patch: buildPatch(now.profile, add),
    status,
  };
  if (s.loss) proposal.evidenceIncomplete = { lostRecords: s.loss.records, notices: s.loss.notices, from: s.loss.first, to: s.loss.last, sources: [...s.loss.sources] };
  if (status === 'open') {
    delete proposal.appliedAt;
    delete proposal.rejected;
  }
  return { proposal, unnamed };
}

/** Equal apart from updatedAt: no rewrite needed (keeps mtime meaningful and disk writes down). */
export function sameContent(a: Proposal, b: Proposal): boolean {
  return JSON.stringify({ ...a, updatedAt: '' }) === JSON.stringify({ ...b, updatedAt: '' });
}
