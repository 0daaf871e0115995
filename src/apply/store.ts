// Proposal files in <stateDir>/proposals/: read, list, rewrite (atomically, as the watcher does).
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { proposalNotFound } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { parseProposal, proposalPath, serializeProposal, type Proposal } from '../profile/proposal.js';
import { proposalsDir } from '../state/paths.js';

export async function readProposal(stateDir: string, id: string): Promise<Proposal> {
  // The id names a file: anything but the 12-hex form could walk out of the directory.
  if (!/^[0-9a-f]{12}$/.test(id)) throw proposalNotFound(id, proposalsDir(stateDir));
  const path = proposalPath(stateDir, id);
  const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') throw proposalNotFound(id, proposalsDir(stateDir));
    throw e;
  });
  return parseProposal(text, path);
}

/** Every readable proposal, newest update first; unreadable files are reported, not fatal. */
export async function listProposals(stateDir: string): Promise<{ proposals: Proposal[]; problems: string[] }> {
  const dir = proposalsDir(stateDir);
  const names = await readdir(dir).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [] as string[];
    throw e;
  });
  const proposals: Proposal[] = [];
  const problems: string[] = [];
  for (const name of names.filter((n) => /^[0-9a-f]{12}\.json$/.test(n)).sort()) {
    try {
      proposals.push(parseProposal(await readFile(`${dir}/${name}`, 'utf8'), `${dir}/${name}`));
    } catch (e) {
      problems.push((e as Error).message.split('\n')[0]!);
    }
  }
  proposals.sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0));
  return { proposals, problems };
}

export async function writeProposal(stateDir: string, p: Proposal): Promise<void> {
  await mkdir(proposalsDir(stateDir), { recursive: true, mode: 0o700 });
  await writeFileAtomic(proposalPath(stateDir, p.id), serializeProposal(p), { mode: 0o600 });
}
