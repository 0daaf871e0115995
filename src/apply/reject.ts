// `reject`: the operator says no. The proposal is marked rejected and its syscalls are recorded per
// profile file, so the watcher does not propose them again for that profile (until `--undo`).
import { resolve } from 'node:path';
import { proposalNotOpen } from '../errors.js';
import type { Proposal } from '../profile/proposal.js';
import { readRejectionsSync, writeRejections } from '../state/rejections.js';
import { findProposal, readProposal, writeProposal } from '../profile/proposal-store.js';

export async function rejectProposal(stateDir: string, id: string, opts: { reason?: string; now?: Date } = {}): Promise<Proposal> {
  const proposal = readProposal(stateDir, id);
  if (proposal.status === 'applied') throw proposalNotOpen(id, proposal.status);
  const at = (opts.now ?? new Date()).toISOString();
  const r = readRejectionsSync(stateDir);
  const byArch = (r.profiles[resolve(proposal.profile.path)] ??= {});
  for (const a of proposal.add) {
    (byArch[a.arch] ??= {})[a.syscall] = { at, proposalId: id, ...(opts.reason ? { reason: opts.reason } : {}) };
  }
  await writeRejections(stateDir, r);
  const out: Proposal = { ...proposal, status: 'rejected', updatedAt: at, rejected: { at, ...(opts.reason ? { reason: opts.reason } : {}) } };
  writeProposal(stateDir, out);
  return out;
}

/** Forgets the rejections recorded by proposal `id`, so the watcher may propose those syscalls again. */
export async function undoRejection(stateDir: string, id: string): Promise<Array<{ arch: string; syscall: string }>> {
  const r = readRejectionsSync(stateDir);
  const forgotten: Array<{ arch: string; syscall: string }> = [];
  for (const [profile, byArch] of Object.entries(r.profiles)) {
    for (const [arch, bySyscall] of Object.entries(byArch)) {
      for (const [syscall, rej] of Object.entries(bySyscall)) {
        if (rej.proposalId !== id) continue;
        delete bySyscall[syscall];
        forgotten.push({ arch, syscall });
      }
      if (Object.keys(bySyscall).length === 0) delete byArch[arch];
    }
    if (Object.keys(byArch).length === 0) delete r.profiles[profile];
  }
  await writeRejections(stateDir, r);
  const proposal = (() => { try { return findProposal(stateDir, id); } catch { return undefined; } })();
  if (proposal?.status === 'rejected') {
    const { rejected: _r, ...rest } = proposal;
    writeProposal(stateDir, { ...rest, status: 'open', updatedAt: new Date().toISOString() });
  }
  return forgotten;
}
