// Opening what someone else named, as root, without being steered: every directory from / down
// with O_NOFOLLOW, the file through the last directory's descriptor (/proc/self/fd/N/NAME — Node
// has no openat), so a directory swapped for a symlink after a check changes nothing; and a file
// is trusted only as what fstat says of the descriptor actually opened, before a byte is read.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';

/** A directory held open; `path(name)` names an entry of it without re-resolving its path. */
export interface HeldDir {
  readonly fd: number;
  readonly dir: string;
  path(name: string): string;
  close(): void;
}

export type Refuse = (path: string, why: string) => Error;

/** Opens `dir` one component at a time from /, refusing any symlink or non-directory on the way. */
export function openDirNoFollow(dir: string, refuse: Refuse): HeldDir {
  if (!dir.startsWith('/')) throw refuse(dir, 'not an absolute path');
  let fd = openSync('/', constants.O_RDONLY | constants.O_DIRECTORY);
  let walked = '';
  try {
    for (const part of dir.split('/').filter((p) => p !== '' && p !== '.')) {
      walked += `/${part}`;
      if (part === '..') throw refuse(walked, 'a path may not contain ".."');
      let next: number;
      try {
        next = openSync(`/proc/self/fd/${fd}/${part}`, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        // O_NOFOLLOW|O_DIRECTORY on a symlink gives ELOOP (or ENOTDIR on older kernels).
        if (code === 'ELOOP') throw refuse(walked, 'is a symbolic link; name the real directory');
        if (code === 'ENOTDIR') throw refuse(walked, 'is not a directory (or is a symbolic link)');
        if (code === 'ENOENT') throw refuse(walked, 'does not exist');
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

export interface TrustedFile {
  fd: number;
  st: Stats;
  /** The file's bytes (at most maxBytes; more is refused). */
  read(): Buffer;
  close(): void;
}

/**
 * Opens a file only root can have written: a regular file (a FIFO would block, /dev/zero never
 * end), owned by root, not writable by group or others, with one name only (a hard link to a
 * root-only file, made by someone who could not read it, is not that someone's file to show),
 * at most `maxBytes`. Non-blocking, no controlling tty, no symlink anywhere on the path.
 */
export function openRootOwnedFile(path: string, maxBytes: number, refuse: Refuse): TrustedFile {
  const slash = path.lastIndexOf('/');
  const dir = path.slice(0, slash) || '/';
  const name = path.slice(slash + 1);
  if (name === '' || name === '.' || name === '..') throw refuse(path, 'not a file name');
  const held = openDirNoFollow(dir, refuse);
  let fd: number;
  try {
    fd = openSync(held.path(name), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw refuse(path, 'is a symbolic link; it must be a regular file');
    if (code === 'ENOENT') throw refuse(path, 'does not exist');
    // ENXIO: a FIFO without a writer (or a socket); never block on it.
    if (code === 'ENXIO') throw refuse(path, 'is not a regular file');
    throw e;
  } finally {
    held.close();
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw refuse(path, 'is not a regular file');
    // Root's, or (for a process not running as root, such as a test) its own.
    if (st.uid !== 0 && st.uid !== process.geteuid?.()) throw refuse(path, `is owned by uid ${st.uid}; it must be owned by root`);
    if (st.mode & 0o022) throw refuse(path, `is writable by group or others (mode ${(st.mode & 0o777).toString(8)}); it must not be`);
    if (st.nlink !== 1) throw refuse(path, `has ${st.nlink} hard links; it must have one name only`);
    if (st.size > maxBytes) throw refuse(path, `is larger than ${maxBytes} bytes`);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  const opened = fd;
  let closed = false;
  return {
    fd: opened,
    st: fstatSync(opened),
    read: () => {
      const buf = Buffer.alloc(maxBytes + 1);
      let n = 0;
      for (;;) {
        const r = readSync(opened, buf, n, buf.length - n, null);
        if (r === 0) break;
        n += r;
        if (n > maxBytes) throw refuse(path, `is larger than ${maxBytes} bytes`);
      }
      return buf.subarray(0, n);
    },
    close: () => {
      if (!closed) closeSync(opened);
      closed = true;
    },
  };
}
