// A proposal file read back as the watcher's counts. Proposals are a rendering of the watcher's
// state; a subject pruned from memory (its containers gone) continues from its file when records
// come again, and a version 1 file is folded from its counts (v1-migration.ts). One mapping for both.
import { localEvidence } from '../profile/proposal-evidence.js';
import type { Proposal } from '../profile/proposal.js';
import type { ContainerTally, Subject, SubjectRef, SyscallTally } from './aggregator.js';
import { containerKey } from './container-shares.js';

/**
 * The tallies a proposal's additions and blocked-by-rule calls stand for. The number is not kept in
 * a proposal (-1); a blocked call's times are the proposal's own.
 */
export function talliesOf(p: Proposal, add: Proposal['add'] = p.add): SyscallTally[] {
  const tallies = new Map<string, SyscallTally>();
  for (const a of add) {
    tallies.set(`${a.arch}/${a.syscall}`, { arch: a.arch, syscall: a.syscall, nr: -1, count: a.count, firstSeen: a.firstSeen, lastSeen: a.lastSeen, comm: [...a.comm], exe: [...a.exe], actions: [...a.actions] });
  }
  for (const b of p.blockedByRule) {
    const key = `${b.arch}/${b.syscall}`;
    if (!tallies.has(key)) tallies.set(key, { arch: b.arch, syscall: b.syscall, nr: -1, count: b.count, firstSeen: p.createdAt, lastSeen: p.updatedAt, comm: [], exe: [], actions: [] });
  }
  return [...tallies.values()];
}

/**
 * This host's share of a proposal as a subject: the imported shares stay in the file and are added
 * back when it is rendered.
 */
export function subjectFromProposal(ref: Pick<SubjectRef, 'id' | 'profilePath'>, p: Proposal): Subject {
  const local = localEvidence(p);
  const containers: Record<string, ContainerTally> = {};
  for (const { host: _h, ...c } of local.containers) containers[containerKey(c)] = { ...c, syscalls: [...c.syscalls] };
  const l = local.incomplete;
  return {
    id: ref.id, profilePath: ref.profilePath,
    tallies: Object.fromEntries(talliesOf(p, local.add).map((t) => [`${t.arch}/${t.syscall}`, t])),
    containers, others: { ...local.otherContainers, ids: [] },
    ...(l ? { loss: { records: l.lostRecords, notices: l.notices, first: l.from, last: l.to, sources: [...l.sources] } } : {}),
  };
}
