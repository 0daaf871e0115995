// One apply or rollback at a time per profile file. proper-lockfile's lock is a directory next to
// the file (mkdir is atomic) refreshed while held, so a crashed holder's lock goes stale after
// `stale` ms instead of blocking forever. An operator re-running apply right after a crash should
// not have to wait for that, so the holder also leaves its pid beside the lock: a lock whose holder
// on this host is gone is taken over at once.
import { readFileSync, rmdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import lockfile from 'proper-lockfile';
import { profileLocked } from '../errors.js';

const ownerFile = (path: string): string => `${path}.lock.owner`;

function holderIsGone(path: string): boolean {
  try {
    const o = JSON.parse(readFileSync(ownerFile(path), 'utf8')) as { pid?: unknown; host?: unknown };
    if (o.host !== hostname() || typeof o.pid !== 'number' || o.pid === process.pid) return false;
    process.kill(o.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

async function acquire(path: string): Promise<() => Promise<void>> {
  return lockfile.lock(path, {
    realpath: false,
    stale: 10_000,
    retries: { retries: 3, minTimeout: 50, maxTimeout: 200 },
    onCompromised: () => undefined,
  });
}

export async function withProfileLock<T>(profilePath: string, fn: () => Promise<T>): Promise<T> {
  let release: () => Promise<void>;
  try {
    release = await acquire(profilePath);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw e;
    if (!holderIsGone(profilePath)) throw profileLocked(profilePath);
    try {
      rmdirSync(`${profilePath}.lock`);
      release = await acquire(profilePath);
    } catch {
      throw profileLocked(profilePath);
    }
  }
  writeFileSync(ownerFile(profilePath), JSON.stringify({ pid: process.pid, host: hostname() }) + '\n', { mode: 0o600 });
  try {
    return await fn();
  } finally {
    try {
      unlinkSync(ownerFile(profilePath));
    } catch { /* already gone */ }
    await release().catch(() => undefined);
  }
}
