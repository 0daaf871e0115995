// Numbered backups of profile files, kept in <stateDir>/backups/<sanitized path>.<N>.json with a
// <...>.<N>.meta.json beside each. In the state directory rather than next to the profile: the
// profile's directory is often scanned by the engine (every *.json a profile), and the state
// directory is root-only, like the profiles the backups hold.
import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { backupsDir, sanitizePath } from '../state/paths.js';

export const BackupMeta = z.looseObject({
  profilePath: z.string(),
  /** sha256 of the content apply wrote after taking this backup: rollback checks it is still there. */
  replacedBySha256: z.string().optional(),
  proposalId: z.string().optional(),
  at: z.string(),
});
export type BackupMeta = z.infer<typeof BackupMeta>;

export interface Backup {
  n: number;
  path: string;
  metaPath: string;
}

export async function listBackups(stateDir: string, profilePath: string): Promise<Backup[]> {
  const dir = backupsDir(stateDir);
  const prefix = `${sanitizePath(profilePath)}.`;
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .filter((n) => n.startsWith(prefix) && /^\d+\.json$/.test(n.slice(prefix.length)))
    .map((n) => {
      const num = Number(n.slice(prefix.length, -'.json'.length));
      return { n: num, path: join(dir, n), metaPath: join(dir, `${prefix}${num}.meta.json`) };
    })
    .sort((a, b) => a.n - b.n);
}

/** Stores `content` (the profile's bytes before a change) as the next numbered backup. */
export async function saveBackup(stateDir: string, profilePath: string, content: Uint8Array, meta: Omit<BackupMeta, 'profilePath'>): Promise<Backup> {
  const dir = backupsDir(stateDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const existing = await listBackups(stateDir, profilePath);
  const n = (existing.at(-1)?.n ?? 0) + 1;
  const base = `${sanitizePath(profilePath)}.${n}`;
  const b: Backup = { n, path: join(dir, `${base}.json`), metaPath: join(dir, `${base}.meta.json`) };
  await writeFileAtomic(b.path, content, { mode: 0o600 });
  await writeFileAtomic(b.metaPath, JSON.stringify({ profilePath: resolve(profilePath), ...meta }, null, 2) + '\n', { mode: 0o600 });
  return b;
}

export async function readBackupMeta(b: Backup): Promise<BackupMeta | undefined> {
  try {
    const r = BackupMeta.safeParse(JSON.parse(await readFile(b.metaPath, 'utf8')));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

export async function removeBackup(b: Backup): Promise<void> {
  await unlink(b.path).catch(() => undefined);
  await unlink(b.metaPath).catch(() => undefined);
}
