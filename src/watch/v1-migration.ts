// Everything the watcher does about what version 1 left, in one place, at the state store's edge.
// Version 1 kept one subject (and wrote one proposal file) per (container or image, profile
// file); version 2 keeps one per profile file. Reading a version 1 proposal file as version 2 is
// the proposal parser's job (profile/proposal.ts, for every reader); here:
//   - a saved state's version 1 subjects are folded into their profile file's subject on load;
//   - tallies an early version kept per unknown syscall number (`#<nr>`) become the arch's one
//     UNKNOWN_SYSCALL tally;
//   - version 1 proposal files whose counts the state no longer holds are folded in at start;
//   - once the profile file's proposal is written, the folded files are removed.
// Each version 1 id is folded once (Subject.folded, saved with the state until the files are gone).
import { z } from 'zod';
import type { Logger } from 'pino';
import type { ContainerRef, Proposal } from '../profile/proposal.js';
import { isFoldable, proposalId } from '../profile/proposal.js';
import { listProposals, removeProposal } from '../profile/proposal-store.js';
import { addTally, Aggregator, noteExample, UNKNOWN_SYSCALL, type LossTally, type Subject, type SyscallTally } from './aggregator.js';
import { talliesOf } from './proposal-counts.js';

const containerRefShape = { id: z.string().optional(), name: z.string().optional(), image: z.string().optional(), runtime: z.string().optional() };

/** A version 1 state's subject, one per (container or image, profile file), with the state's tally schema. */
export const legacySubjectSchema = <T extends z.ZodType>(tally: T) => z.looseObject({
  id: z.string(),
  container: z.looseObject(containerRefShape),
  profilePath: z.string(),
  tallies: z.record(z.string(), tally),
});

interface LegacySubject {
  id: string;
  container: ContainerRef;
  profilePath: string;
  tallies: Record<string, SyscallTally>;
  loss?: LossTally;
}

const isLegacy = (s: Subject | LegacySubject): s is LegacySubject => !('containers' in s);

/**
 * The aggregator of a saved state: version 1 subjects folded per profile file, and tallies per
 * unknown number folded into one.
 */
export function aggregatorFromState(saved: Record<string, Subject | LegacySubject>): Aggregator {
  const current: Record<string, Subject> = {};
  const legacy: LegacySubject[] = [];
  for (const [key, s] of Object.entries(saved)) {
    if (isLegacy(s)) legacy.push(s);
    else current[key] = s;
  }
  const agg = new Aggregator({ subjects: current });
  for (const s of legacy) {
    const into = fold(agg, s.id, s.profilePath, s.container, Object.values(s.tallies));
    if (into && s.loss) agg.addLoss(into.id, s.loss);
  }
  for (const s of agg.all()) foldUnknownNumbers(s);
  return agg;
}

/** Adds the counts of version 1 id `legacyId` (one container's) to its profile file's subject, once. */
function fold(agg: Aggregator, legacyId: string, profilePath: string, container: ContainerRef, tallies: readonly SyscallTally[]): Subject | undefined {
  const id = proposalId(profilePath);
  if (agg.get(id)?.folded?.includes(legacyId)) return undefined;
  const s = agg.addCounts({ id, profilePath, container }, tallies);
  (s.folded ??= []).push(legacyId);
  return s;
}

/**
 * Version 1 proposal files still on disk whose counts the state does not hold (their subject was
 * pruned): folded into their profile file's subject, which `seed` first continues from its own
 * proposal file when it is not in memory.
 */
export function foldLegacyProposalFiles(stateDir: string, agg: Aggregator, seed: (ref: { id: string; profilePath: string }) => void): void {
  let listed: Proposal[];
  try {
    listed = listProposals(stateDir).proposals;
  } catch {
    return;
  }
  for (const p of listed.filter(isFoldable)) {
    const id = proposalId(p.profile.path);
    if (!agg.get(id)) seed({ id, profilePath: p.profile.path });
    fold(agg, p.id, p.profile.path, p.container, talliesOf(p));
  }
}

/** The profile file's proposal `s` was just written with the folded counts: the version 1 files go. */
export function removeFoldedFiles(stateDir: string, s: Subject, log: Logger): void {
  if (!s.folded?.length) return;
  for (const old of s.folded) if (old !== s.id) removeProposal(stateDir, old);
  log.info({ proposal: s.id, folded: s.folded }, 'version 1 proposals folded into their profile file\'s proposal');
  delete s.folded;
}

/**
 * Tallies written by versions that kept one per unknown number (`#<nr>`, without bound) become the
 * arch's one UNKNOWN_SYSCALL tally.
 */
function foldUnknownNumbers(s: Subject): void {
  for (const [key, t] of Object.entries(s.tallies)) {
    const m = /^#(\d+)$/.exec(t.syscall);
    if (!m) continue;
    delete s.tallies[key];
    addTally(s, { ...t, syscall: UNKNOWN_SYSCALL, nr: -1 });
    noteExample(s.tallies[`${t.arch}/${UNKNOWN_SYSCALL}`]!, Number(m[1]));
  }
}
