// Where the hook may write a profile and read a baseline. The hook runs as root and the path
// comes from an annotation anyone who can label an image or a pod controls, so:
// - only inside directories the administrator listed (lexical containment is enough because no
//   component may be a symlink);
// - every directory is opened with O_NOFOLLOW from / down, and the file is then named through
//   the last directory's descriptor (/proc/self/fd/N/NAME — Node has no openat), so swapping a
//   directory for a symlink after the check changes nothing (the bcc hook followed any symlink);
// - a baseline is read only if it is a root-owned regular file nobody else may write, opened
//   non-blocking so a FIFO cannot hang container creation.
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readSync } from 'node:fs';
import { posix } from 'node:path';
import { hookPathRefused } from '../../errors.js';

export const MAX_BASELINE_BYTES = 1 << 20;

/** A directory held open; `path(name)` names an entry of it without re-resolving its path. */
export interface HeldDir {
  readonly fd: number;
  readonly dir: string;
  path(name: string): string;
  close(): void;
}

export interface ResolvedFile {
  /** The absolute path as the user named it. */
  path: string;
  dir: string;
  name: string;
}

/** `requested` (absolute, or a bare name for `defaultDir`) checked against the allowed dirs. */
export function resolveAllowed(requested: string, allowedDirs: readonly string[], defaultDir: string): ResolvedFile {
  const path = requested.startsWith('/') ? posix.normalize(requested) : posix.join(defaultDir, requested);
  if (path.split('/').includes('..')) throw hookPathRefused(requested, 'a path may not contain ".."');
  const dir = posix.dirname(path);
  const name = posix.basename(path);
  if (name === '' || name === '.' || name === '..') throw hookPathRefused(requested, 'not a file name');
  const inside = allowedDirs.some((a) => {
    const d = posix.normalize(a).replace(/\/+$/, '') || '/';
    return dir === d || dir.startsWith(d === '/' ? '/' : `${d}/`);
  });
  if (!inside) throw hookPathRefused(requested, `outside the directories the administrator allows (${allowedDirs.join(', ') || 'none'}); see /etc/seccomp-tailor/hook.json`);
  return { path, dir, name };
}

/** Opens `dir` one component at a time from /, refusing any symlink or non-directory on the way. */
export function openDirNoFollow(dir: string): HeldDir {
  if (!dir.startsWith('/')) throw hookPathRefused(dir, 'not an absolute path');
  let fd = openSync('/', constants.O_RDONLY | constants.O_DIRECTORY);
  let walked = '';
  try {
    for (const part of dir.split('/').filter((p) => p !== '' && p !== '.')) {
      walked += `/${part}`;
      let next: number;
      try {
        next = openSync(`/proc/self/fd/${fd}/${part}`, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        // O_NOFOLLOW|O_DIRECTORY on a symlink gives ELOOP (or ENOTDIR on older kernels).
        if (code === 'ELOOP') throw hookPathRefused(walked, 'is a symbolic link; name the real directory');
        if (code === 'ENOTDIR') throw hookPathRefused(walked, 'is not a directory (or is a symbolic link)');
        if (code === 'ENOENT') throw hookPathRefused(walked, 'does not exist');
        throw e;
      }
      closeSync(fd);
      fd = next;
    }
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  const held = fd;
  let closed = false;
  return {
    fd: held, dir,
    path: (name: string) => `/proc/self/fd/${held}/${name}`,
    close: () => {
      if (!closed) closeSync(held);
      closed = true;
    },
  };
}

/** Creates the default profile directory on first use (root-owned, 0755); never any other. */
export function ensureDefaultDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
}

/** Reads a baseline profile under the rules above; returns its text. */
export function readBaseline(file: ResolvedFile): string {
  const held = openDirNoFollow(file.dir);
  try {
    let fd: number;
    try {
      fd = openSync(held.path(file.name), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') throw hookPathRefused(file.path, 'is a symbolic link; a baseline must be a regular file');
      if (code === 'ENOENT') throw hookPathRefused(file.path, 'does not exist');
      // ENXIO: a FIFO without a writer; never block on it.
      if (code === 'ENXIO') throw hookPathRefused(file.path, 'is not a regular file');
      throw e;
    }
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) throw hookPathRefused(file.path, 'is not a regular file');
      if (st.uid !== 0) throw hookPathRefused(file.path, `is owned by uid ${st.uid}; a baseline must be owned by root`);
      if (st.mode & 0o022) throw hookPathRefused(file.path, `is writable by group or others (mode ${(st.mode & 0o777).toString(8)}); a baseline must not be`);
      if (st.size > MAX_BASELINE_BYTES) throw hookPathRefused(file.path, `is larger than ${MAX_BASELINE_BYTES} bytes`);
      const buf = Buffer.alloc(MAX_BASELINE_BYTES + 1);
      let n = 0;
      for (;;) {
        const r = readSync(fd, buf, n, buf.length - n, null);
        if (r === 0) break;
        n += r;
        if (n > MAX_BASELINE_BYTES) throw hookPathRefused(file.path, `is larger than ${MAX_BASELINE_BYTES} bytes`);
      }
      return buf.subarray(0, n).toString('utf8');
    } finally {
      closeSync(fd);
    }
  } finally {
    held.close();
  }
}

/** The checks `readBaseline` makes, without keeping the text (prestart fails early with them). */
export function checkBaseline(file: ResolvedFile): void {
  readBaseline(file);
}

/**
 * Writes the profile atomically through the held directory. An existing file at the name must be
 * root's: the atomic writer keeps an existing file's owner, and in a sticky shared directory like
 * /tmp that would hand a profile the sticky bit protects to whoever planted the file first.
 */
export async function writeOutput(file: ResolvedFile, text: string, durability: 'durable' | 'atomic' = 'durable'): Promise<void> {
  const { writeFileAtomic } = await import('../../fs/atomic-write.js');
  const held = openDirNoFollow(file.dir);
  try {
    const st = lstatSync(held.path(file.name), { throwIfNoEntry: false });
    if (st?.isSymbolicLink()) throw hookPathRefused(file.path, 'is a symbolic link; not writing through it');
    if (st && !st.isFile()) throw hookPathRefused(file.path, 'exists and is not a regular file');
    if (st && st.uid !== 0) throw hookPathRefused(file.path, `exists and is owned by uid ${st.uid}, not root; not replacing it`);
    await writeFileAtomic(held.path(file.name), text, { mode: 0o644, durability });
  } finally {
    held.close();
  }
}
