// One apply or rollback at a time per profile file. proper-lockfile's lock is a directory next to
// the file (mkdir is atomic on every filesystem, NFS included) refreshed while held, so a crashed
// holder's lock goes stale after `stale` ms instead of blocking forever.
import lockfile from 'proper-lockfile';
import { profileLocked } from '../errors.js';

export async function withProfileLock<T>(profilePath: string, fn: () => Promise<T>): Promise<T> {
  let compromised: Error | undefined;
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(profilePath, {
      realpath: false,
      stale: 10_000,
      retries: { retries: 3, minTimeout: 50, maxTimeout: 200 },
      onCompromised: (e) => {
        compromised = e;
      },
    });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOCKED') throw profileLocked(profilePath);
    throw e;
  }
  try {
    const out = await fn();
    if (compromised) throw profileLocked(profilePath);
    return out;
  } finally {
    await release().catch(() => undefined);
  }
}
