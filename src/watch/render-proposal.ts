// One subject (a profile file's tallies and containers on this host) -> its proposal. Pure; the
// rules are in profile/proposal-render.ts, shared with `proposals import`.
import type { LocalEvidence } from '../profile/proposal-evidence.js';
import { renderFromEvidence, sameContent, type IsRejected, type ProfileNow, type Rendered } from '../profile/proposal-render.js';
import type { Proposal } from '../profile/proposal.js';
import type { Subject } from './aggregator.js';

export { sameContent, type IsRejected, type ProfileNow, type Rendered };

export function subjectEvidence(s: Subject): LocalEvidence {
  return {
    add: Object.values(s.tallies).map(({ nr: _nr, ...t }) => ({ ...t, comm: [...t.comm], exe: [...t.exe], actions: [...t.actions] })),
    containers: Object.values(s.containers).map((c) => ({ ...c, syscalls: [...c.syscalls] })),
    otherContainers: { containers: s.others.containers, count: s.others.count },
    ...(s.loss ? { incomplete: { lostRecords: s.loss.records, notices: s.loss.notices, from: s.loss.first, to: s.loss.last, sources: [...s.loss.sources] } } : {}),
  };
}

export function renderProposal(s: Subject, now: ProfileNow, existing: Proposal | undefined, isRejected: IsRejected, at: string): Rendered | undefined {
  return renderFromEvidence({ id: s.id, profilePath: s.profilePath }, subjectEvidence(s), now, existing, isRejected, at);
}
