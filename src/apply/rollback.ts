// `rollback PROFILE`: put back the content the last apply replaced, atomically, under the same lock
// as apply. The backup is consumed, so rolling back again goes one step further back.
import { readFile } from 'node:fs/promises';
import { noBackup, rollbackModified } from '../errors.js';
import { assertReplaceable, writeFileAtomic } from '../fs/atomic-write.js';
import { proposalId, sha256Hex } from '../profile/proposal.js';
import { parseProfile } from '../profile/schema.js';
import { listBackups, readBackupMeta, removeBackup } from './backups.js';
import { withProfileLock } from './lock.js';
import { holdWritableTarget, type HeldTarget } from '../fs/safe-target.js';
import { findProposal, writeProposal } from '../profile/proposal-store.js';

export interface RollbackOutcome {
  profilePath: string;
  restoredFrom: string;
  proposalId?: string;
}

export async function rollbackProfile(stateDir: string, profilePath: string, opts: { force?: boolean } = {}): Promise<RollbackOutcome> {
  // Read and written through the held directory (safe-target.ts), as apply does.
  const target = holdWritableTarget(profilePath);
  try {
    assertReplaceable(target.via);
    return await withProfileLock(target, () => restore(stateDir, target, opts));
  } finally {
    target.close();
  }
}

async function restore(stateDir: string, target: HeldTarget, opts: { force?: boolean }): Promise<RollbackOutcome> {
    const profilePath = target.path;
    const current = target.read();
    const backups = await listBackups(stateDir, profilePath);
    // An apply killed after taking its backup but before its rename leaves a backup equal to the
    // file as it still is: nothing to roll back to there, so drop it and look one further back.
    while (current && backups.length && sha256Hex(await readFile(backups.at(-1)!.path)) === sha256Hex(current)) {
      await removeBackup(backups.pop()!);
    }
    const last = backups.at(-1);
    if (!last) throw noBackup(profilePath);
    const meta = await readBackupMeta(last);
    if (!opts.force && current && meta?.replacedBySha256 && sha256Hex(current) !== meta.replacedBySha256) throw rollbackModified(profilePath);
    const content = await readFile(last.path);
    // A backup is what a runtime accepted before; still, never write something that is not a profile.
    parseProfile(content.toString('utf8'), last.path);
    await writeFileAtomic(target.via, content, { crashTestPoint: true });
    await removeBackup(last);
    const reopened = meta?.proposalId ? reopen(stateDir, meta.proposalId, profilePath) : undefined;
    return { profilePath, restoredFrom: last.path, ...(reopened ? { proposalId: reopened } : {}) };
}

/**
 * The applied proposal is open again: the profile lacks its syscalls once more. A backup taken by
 * an older version names a per-container proposal that the watcher has since folded into the
 * profile file's own one: that one is reopened instead.
 */
function reopen(stateDir: string, id: string, profilePath: string): string | undefined {
  const find = (x: string) => { try { return findProposal(stateDir, x); } catch { return undefined; } };
  const p = find(id) ?? find(proposalId(profilePath));
  if (p?.status !== 'applied') return undefined;
  const { appliedAt: _a, ...rest } = p;
  writeProposal(stateDir, { ...rest, status: 'open', updatedAt: new Date().toISOString() });
  return p.id;
}
