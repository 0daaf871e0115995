// One apply or rollback at a time per profile file. proper-lockfile's lock is a directory next to
// the file (mkdir is atomic, and never follows a link planted at its name) refreshed while held,
// so a crashed holder's lock goes stale after `stale` ms instead of blocking forever. An operator
// re-running apply right after a crash should not have to wait for that, so the holder also
// leaves its pid inside the lock directory — which it has just created itself, so nothing can
// be planted there (a file beside the profile could be a symlink to anywhere root can write):
// a lock whose holder on this host is gone is taken over at once.
import { closeSync, constants, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import lockfile from 'proper-lockfile';
import type { HeldTarget } from '../fs/safe-target.js';
import { profileLocked } from '../errors.js';

const lockDir = (path: string): string => `${path}.lock`;
const ownerFile = (path: string): string => `${lockDir(path)}/owner`;

function holderIsGone(path: string): boolean {
  try {
    const fd = openSync(ownerFile(path), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    let text: string;
    try { text = readFileSync(fd, 'utf8').slice(0, 200); } finally { closeSync(fd); }
    const o = JSON.parse(text) as { pid?: unknown; host?: unknown };
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

/**
 * The lock lives in the held directory (safe-target.ts), named through its descriptor: a directory
 * swapped in above it cannot move the lock elsewhere.
 */
export async function withProfileLock<T>(target: HeldTarget, fn: () => Promise<T>): Promise<T> {
  const profilePath = target.via;
  let release: () => Promise<void>;
  try {
    release = await acquire(profilePath);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw e;
    if (!holderIsGone(profilePath)) throw profileLocked(target.path);
    try {
      rmSync(lockDir(profilePath), { recursive: true });
      release = await acquire(profilePath);
    } catch {
      throw profileLocked(target.path);
    }
  }
  try {
    const fd = openSync(ownerFile(profilePath), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try { writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname() }) + '\n'); } finally { closeSync(fd); }
    return await fn();
  } finally {
    try { rmSync(ownerFile(profilePath), { force: true }); } catch { /* already gone */ }
    await release().catch(() => undefined);
  }
}
