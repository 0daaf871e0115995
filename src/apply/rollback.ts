// `rollback PROFILE`: put back the content the last apply replaced, atomically, under the same lock
// as apply. The backup is consumed, so rolling back again goes one step further back.
import { readFile } from 'node:fs/promises';
import { noBackup, rollbackModified } from '../errors.js';
import { assertReplaceable, writeFileAtomic } from '../fs/atomic-write.js';
import { sha256Hex } from '../profile/proposal.js';
import { parseProfile } from '../profile/schema.js';
import { listBackups, readBackupMeta, removeBackup } from './backups.js';
import { withProfileLock } from './lock.js';
import { readProposal, writeProposal } from './store.js';

export interface RollbackOutcome {
  profilePath: string;
  restoredFrom: string;
  proposalId?: string;
}

export async function rollbackProfile(stateDir: string, profilePath: string, opts: { force?: boolean } = {}): Promise<RollbackOutcome> {
  await assertReplaceable(profilePath);
  return withProfileLock(profilePath, async () => {
    const current = await readFile(profilePath).catch(() => undefined);
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
    await writeFileAtomic(profilePath, content, { crashTestPoint: true });
    await removeBackup(last);
    if (meta?.proposalId) {
      const p = await readProposal(stateDir, meta.proposalId).catch(() => undefined);
      if (p?.status === 'applied') {
        const { appliedAt: _a, ...rest } = p;
        await writeProposal(stateDir, { ...rest, status: 'open', updatedAt: new Date().toISOString() });
      }
    }
    return { profilePath, restoredFrom: last.path, ...(meta?.proposalId ? { proposalId: meta.proposalId } : {}) };
  });
}
