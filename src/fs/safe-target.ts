// Whether root may write at (and beside) a path someone else may have prepared, and the directory
// to do it through. Used by `apply` and `rollback`: the profile's path comes from a container's
// annotations, and a directory above it may be a user's (/home/alice/profiles/web.json).
// - The directory is held, not named: a walk from / opens each component O_NOFOLLOW|O_DIRECTORY
//   (a symlink anywhere is refused) and keeps the last one's descriptor; every read, lock, temp
//   file, rename and backup read then goes through /proc/self/fd/N/NAME (Node has no openat), so
//   renaming a directory above it and putting a link in its place, while apply waits at its prompt,
//   cannot send the write elsewhere (issue 19). `reverify()` after the prompt refuses if the path no
//   longer leads to the held directory.
// - An ancestor writable by group or others must be sticky (/tmp): else anyone could rename it away.
// - The file's own directory must be root's and writable by its owner only: anyone else who can
//   write there can plant a link or a directory at the lock's or the temp file's name between our
//   check and our write. A sticky /tmp does not help there: it stops others from removing root's
//   files, not from creating names first.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { posix } from 'node:path';
import { targetRefused } from '../errors.js';

/** A profile's directory held open; `via` names the file through it. */
export interface HeldTarget {
  /** The path as named (for messages, backups, the registry). */
  readonly path: string;
  readonly dirFd: number;
  /** `/proc/self/fd/<dirFd>/<name>`: the file, resolved through the held directory. */
  readonly via: string;
  /** The file's bytes (O_NOFOLLOW, a regular file only), undefined when it does not exist. */
  read(): Buffer | undefined;
  /** Throws APPLY_TARGET_REFUSED unless the path still leads, link-free, to the held directory. */
  reverify(): void;
  close(): void;
}

const MAX_PROFILE_BYTES = 16 << 20;

function walk(abs: string): { fd: number; st: Stats } {
  const parts = abs.split('/').filter((p) => p !== '');
  let fd = openSync('/', constants.O_RDONLY | constants.O_DIRECTORY);
  let walked = '';
  try {
    for (const part of parts.slice(0, -1)) {
      walked += `/${part}`;
      if (part === '..' || part === '.') throw targetRefused(abs, 'the path contains "." or ".."');
      let next: number;
      try {
        next = openSync(`/proc/self/fd/${fd}/${part}`, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ELOOP' || code === 'ENOTDIR') throw targetRefused(abs, `${walked} is a symbolic link or not a directory; name the real path`);
        if (code === 'ENOENT') throw targetRefused(abs, `${walked} does not exist`);
        throw e;
      }
      closeSync(fd);
      fd = next;
      const st = fstatSync(fd);
      // Sticky: others may create names but not rename or remove ours.
      if (st.mode & 0o022 && !(st.mode & 0o1000) && walked !== posix.dirname(abs)) {
        throw targetRefused(abs, `${walked} is writable by ${st.mode & 0o002 ? 'others' : 'its group'} (mode ${(st.mode & 0o7777).toString(8)}) and not sticky: they could move the profile's directory away`);
      }
    }
    const st = fstatSync(fd);
    const dir = posix.dirname(abs);
    if (st.uid !== 0 && st.uid !== process.getuid?.()) throw targetRefused(abs, `its directory ${dir} is owned by uid ${st.uid}`);
    if (st.mode & 0o022) {
      throw targetRefused(abs, `its directory ${dir} is writable by ${st.mode & 0o002 ? 'others' : 'its group'} (mode ${(st.mode & 0o7777).toString(8)}), who could plant a link at the lock's or the new file's name; keep profiles in a directory only root can write`);
    }
    return { fd, st };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/** Holds `path`'s directory (see above); the caller closes it. */
export function holdWritableTarget(path: string): HeldTarget {
  const abs = posix.resolve(path);
  const name = posix.basename(abs);
  if (abs === '/' || name === '..' || name === '.') throw targetRefused(abs, 'not a file name');
  const { fd, st } = walk(abs);
  const via = `/proc/self/fd/${fd}/${name}`;
  let closed = false;
  return {
    path: abs, dirFd: fd, via,
    read() {
      let f: number;
      try {
        f = openSync(via, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return undefined;
        if (code === 'ELOOP') throw targetRefused(abs, 'it is a symbolic link; name the real path');
        if (code === 'ENXIO') throw targetRefused(abs, 'it is not a regular file');
        throw e;
      }
      try {
        const fst = fstatSync(f);
        if (!fst.isFile()) throw targetRefused(abs, 'it is not a regular file');
        if (fst.size > MAX_PROFILE_BYTES) throw targetRefused(abs, `it is larger than ${MAX_PROFILE_BYTES} bytes`);
        const buf = Buffer.alloc(fst.size + 1);
        let n = 0;
        for (;;) {
          const r = readSync(f, buf, n, buf.length - n, null);
          if (r === 0) break;
          n += r;
          if (n > fst.size) throw targetRefused(abs, 'it grew while being read');
        }
        return buf.subarray(0, n);
      } finally {
        closeSync(f);
      }
    },
    reverify() {
      let again: { fd: number; st: Stats };
      try {
        again = walk(abs);
      } catch (e) {
        throw targetRefused(abs, `its path changed while waiting (${(e as Error).message.replace(/^.*?: not writing there: /, '')}); nothing written`);
      }
      closeSync(again.fd);
      const now = fstatSync(fd);
      if (again.st.dev !== st.dev || again.st.ino !== st.ino) throw targetRefused(abs, 'its directory was moved or replaced while waiting; nothing written');
      if (now.uid !== st.uid || now.mode !== st.mode) throw targetRefused(abs, 'its directory\'s owner or mode changed while waiting; nothing written');
    },
    close() {
      if (!closed) closeSync(fd);
      closed = true;
    },
  };
}

/** The checks alone (the directory is not kept). */
export function checkWritableTarget(path: string): void {
  holdWritableTarget(path).close();
}
