// THE owner of <stateDir>/proposals/: the watcher, `apply`, `reject`, `rollback` and `proposals
// import` all read and write proposal files here and nowhere else. The files carry what containers
// did (comm, exe, image names), so the directory is root-only (0700) and each file 0600; a directory
// an older version created 0755 is tightened on first use. Synchronous: the files are a few KiB and
// the watcher writes them from a timer that must finish before the state file is saved.
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { proposalNotFound } from '../errors.js';
import { parseProposal, proposalPath, serializeProposal, type Proposal } from './proposal.js';
import { proposalsDir } from '../state/paths.js';
import { writeFileAtomicSync } from '../fs/atomic-write.js';

export const PROPOSALS_DIR_MODE = 0o700;
export const PROPOSAL_FILE_MODE = 0o600;

const isId = (id: string): boolean => /^[0-9a-f]{12}$/.test(id);
const ensured = new Set<string>();

function ensureDir(stateDir: string): void {
  const dir = proposalsDir(stateDir);
  if (ensured.has(dir)) return;
  mkdirSync(dir, { recursive: true, mode: PROPOSALS_DIR_MODE });
  if ((statSync(dir).mode & 0o777) !== PROPOSALS_DIR_MODE) chmodSync(dir, PROPOSALS_DIR_MODE);
  ensured.add(dir);
}

/** The proposal, or undefined when there is no such file; a file that is not a proposal throws PROPOSAL_INVALID. */
export function findProposal(stateDir: string, id: string): Proposal | undefined {
  // The id names a file: anything but the 12-hex form could walk out of the directory.
  if (!isId(id)) return undefined;
  const path = proposalPath(stateDir, id);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  return parseProposal(text, path);
}

/** The proposal; APPLY_PROPOSAL_NOT_FOUND when there is none, PROPOSAL_INVALID when the file is not one. */
export function readProposal(stateDir: string, id: string): Proposal {
  const p = findProposal(stateDir, id);
  if (!p) throw proposalNotFound(id, proposalsDir(stateDir));
  return p;
}

/** Every readable proposal, newest update first; unreadable files are reported, not fatal. */
export function listProposals(stateDir: string): { proposals: Proposal[]; problems: string[] } {
  const dir = proposalsDir(stateDir);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { proposals: [], problems: [] };
    throw e;
  }
  const proposals: Proposal[] = [];
  const problems: string[] = [];
  for (const name of names.filter((n) => /^[0-9a-f]{12}\.json$/.test(n)).sort()) {
    try {
      const p = findProposal(stateDir, name.slice(0, 12));
      if (p) proposals.push(p);
    } catch (e) {
      problems.push((e as Error).message.split('\n')[0]!);
    }
  }
  proposals.sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0));
  return { proposals, problems };
}

/** Replaces the proposal's file durably (src/fs/atomic-write.ts), always the store's own 0600 file. */
export function writeProposal(stateDir: string, p: Proposal): void {
  ensureDir(stateDir);
  writeFileAtomicSync(proposalPath(stateDir, p.id), serializeProposal(p), { mode: PROPOSAL_FILE_MODE, freshOwnership: true });
}

/** Removes a proposal file (one folded into its profile's proposal); absent is fine. */
export function removeProposal(stateDir: string, id: string): void {
  if (!isId(id)) return;
  try {
    unlinkSync(proposalPath(stateDir, id));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}
