// Evidence + the profile file as it is now -> the proposal file's content. Pure. Used by the watcher
// (this host's containers) and by `proposals import` (another host's share). Syscalls the profile
// already permits (e.g. after `apply`) drop out; syscalls it blocks on purpose are reported under
// blockedByRule, never proposed; rejected ones stay out until asked again.
import { boundContainers, sumEvidence, type LocalEvidence } from './proposal-evidence.js';
import { buildPatch, type BlockedByRule, type ContainerEvidence, type ImportedContribution, type Proposal, type ProposalAddition } from './proposal.js';
import { riskOf } from './risk.js';
import { canonicalJson, type SeccompProfile } from './schema.js';
import { verdictFor } from './syscall-set.js';
import { wideningFor } from './widen-args.js';

export interface ProfileNow {
  profile: SeccompProfile;
  sha256: string;
}

export type IsRejected = (profilePath: string, arch: string, syscall: string) => boolean;

export interface Rendered {
  proposal: Proposal;
  /** Evidence that cannot be proposed: syscall numbers unknown for their arch (`arch/nr`). */
  unnamed: string[];
}

export interface ProposalTarget {
  id: string;
  profilePath: string;
}

const byArchName = (a: { arch: string; syscall: string }, b: { arch: string; syscall: string }): number =>
  a.arch === b.arch ? (a.syscall < b.syscall ? -1 : a.syscall > b.syscall ? 1 : 0) : a.arch < b.arch ? -1 : 1;

const latestContainer = (cs: readonly ContainerEvidence[]): ContainerEvidence | undefined =>
  cs.reduce<ContainerEvidence | undefined>((a, c) => (!a || c.lastSeen > a.lastSeen ? c : a), undefined);

/**
 * The proposal, or undefined when there is nothing to say (every denied syscall is now permitted or
 * rejected, and none is blocked by rule). `local` is this host's evidence (unnamed syscalls as
 * `#<nr>`); `imported` (default: what `existing` holds) other hosts'. `existing` is the file on disk:
 * its createdAt and the operator's decisions (applied/rejected) are kept while they still hold.
 */
export function renderFromEvidence(
  target: ProposalTarget, local: LocalEvidence, now: ProfileNow, existing: Proposal | undefined, isRejected: IsRejected, at: string,
  imported: readonly ImportedContribution[] = existing?.imported ?? [],
): Rendered | undefined {
  const add: ProposalAddition[] = [];
  const blockedByRule: BlockedByRule[] = [];
  const unnamed: string[] = [];
  for (const t of sumEvidence(local.add, ...imported.map((c) => c.add))) {
    if (t.syscall.startsWith('#')) {
      unnamed.push(`${t.arch}/${t.syscall.slice(1)} (${t.count})`);
      continue;
    }
    const v = verdictFor(now.profile, t.syscall);
    if (v.kind === 'allowed') continue;
    // Allowed only with argument rules: the denied call used other values, which the record does not carry.
    const widen = v.kind === 'conditional' && !isRejected(target.profilePath, t.arch, t.syscall) ? wideningFor(now.profile, t.syscall) : undefined;
    if ((v.kind === 'blocked-by-rule' || v.kind === 'conditional') && !widen) {
      blockedByRule.push({ arch: t.arch, syscall: t.syscall, rule: v.rule, action: v.action, count: t.count, reason: v.kind === 'conditional' ? 'conditional' : 'explicit' });
      continue;
    }
    if (isRejected(target.profilePath, t.arch, t.syscall)) continue;
    const a: ProposalAddition = { ...t };
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

  const bounded = boundContainers([local.containers, ...imported.map((c) => c.containers.map((x) => ({ ...x, host: c.host })))], [local.otherContainers, ...imported.map((c) => c.otherContainers)]);
  const { host: _h, count: _n, firstSeen: _f, lastSeen: _l, syscalls: _s, ...latest } = latestContainer(local.containers) ?? latestContainer(bounded.containers) ?? { ...(existing?.container ?? {}), count: 0, firstSeen: '', lastSeen: '', syscalls: [] };
  const evidence = { add, blockedByRule, containers: bounded.containers, otherContainers: bounded.otherContainers, imported: [...imported] };
  const sameEvidence = existing !== undefined && canonicalJson(evidence) === canonicalJson({
    add: existing.add, blockedByRule: existing.blockedByRule, containers: existing.containers, otherContainers: existing.otherContainers, imported: existing.imported ?? [],
  });

  const proposal: Proposal = {
    ...(existing ?? {}),
    version: 2,
    id: target.id,
    profile: { path: target.profilePath, sha256: now.sha256 },
    container: latest,
    containers: bounded.containers,
    otherContainers: bounded.otherContainers,
    revision: sameEvidence ? existing.revision : (existing?.revision ?? 0) + 1,
    createdAt: existing?.createdAt ?? at,
    updatedAt: at,
    add,
    blockedByRule,
    patch: buildPatch(now.profile, add),
    status,
  };
  if (imported.length) proposal.imported = [...imported];
  else delete proposal.imported;
  if (local.incomplete) proposal.evidenceIncomplete = { ...local.incomplete, sources: [...local.incomplete.sources] };
  if (status === 'open') {
    delete proposal.appliedAt;
    delete proposal.rejected;
  }
  return { proposal, unnamed };
}

/** Equal apart from updatedAt: no rewrite needed (keeps mtime meaningful and disk writes down). */
export function sameContent(a: Proposal, b: Proposal): boolean {
  return canonicalJson({ ...a, updatedAt: '' }) === canonicalJson({ ...b, updatedAt: '' });
}
