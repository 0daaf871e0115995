// The one way seccomp-tailor replaces a file, so that a reader, or the machine after a crash, sees
// the old bytes or the new bytes, never a mix: a temp file in the same directory (rename is atomic
// only within one filesystem), created O_EXCL|O_NOFOLLOW, renamed over the target.
//
// Durability, stated once:
//   'durable' (default): fsync the data before the rename and the directory after it, so the
//     rename itself survives a power loss (ext4/xfs may otherwise lose it:
//     https://lwn.net/Articles/457667/). Profiles (the hook's output, apply, rollback, backups,
//     `profile` and `record -o` output), hooks.d and systemd units, proposals, rejections, the
//     container registry, the watcher's checkpoint.
//   'atomic': no fsync. Readers never see half a file, a power loss may keep the old one. For what
//     lives on tmpfs or is rebuilt anyway, on the hook's hot path: run states (/run), the hook's
//     registry writes, the runtime-version cache, the timeline beside a recorded profile.
// A symlink at the target is refused: replacing it would silently detach it from its target, and
// writing through it would modify a file the caller did not name. An existing file keeps its owner
// and mode. Synchronous underneath (the async form is for callers already in async code): the
// hook and the watcher write from synchronous paths, and one implementation serves both.
import { randomBytes } from 'node:crypto';
import {
  closeSync, constants, fchmodSync, fchownSync, fsyncSync, lstatSync, openSync, readdirSync, renameSync, unlinkSync, writeSync, type Stats,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { targetNotFile, targetSymlink } from '../errors.js';

export type Durability = 'durable' | 'atomic';

export interface AtomicWriteOptions {
  /** Permission bits for a file that does not exist yet (an existing file keeps its own). */
  mode?: number;
  durability?: Durability;
  /**
   * Marks the write the crash test targets: with SECCOMP_TAILOR_TEST_CRASH_BEFORE_RENAME=1 the process
   * SIGKILLs itself after the temp file is complete and before the rename (test/unit/apply-crash).
   */
  crashTestPoint?: boolean;
  /**
   * The new file is the writer's, with `mode`, whatever owned the old one: for a file someone
   * else may have planted (the hook's outputs in shared directories). Without it an existing
   * file keeps its owner and its permission bits, except set-id and world-write.
   */
  freshOwnership?: boolean;
}

const tempPrefix = (path: string): string => `.${basename(path)}.tmp-`;

/** Atomically replaces (or creates) `path` with `data`. */
export function writeFileAtomicSync(path: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): void {
  const durable = (opts.durability ?? 'durable') === 'durable';
  const dir = dirname(path);
  const existing = assertReplaceable(path);
  const tmp = join(dir, `${tempPrefix(path)}${process.pid}-${randomBytes(4).toString('hex')}`);
  // O_EXCL: never reuse, or write through, something already at the temp name.
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  let renamed = false;
  try {
    try {
      const buf = typeof data === 'string' ? Buffer.from(data) : data;
      for (let at = 0; at < buf.length; ) at += writeSync(fd, buf, at, buf.length - at);
      if (existing && !opts.freshOwnership) {
        // chown before chmod: chown clears set-id bits. Set-id and world-write bits are never
        // carried over: a profile has no use for them, and they may be a planter's.
        if (process.getuid?.() === 0) fchownSync(fd, existing.uid, existing.gid);
        fchmodSync(fd, existing.mode & 0o775 & ~0o002);
      } else {
        fchmodSync(fd, opts.mode ?? 0o644);
      }
      if (durable) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (opts.crashTestPoint && process.env.SECCOMP_TAILOR_TEST_CRASH_BEFORE_RENAME === '1') process.kill(process.pid, 'SIGKILL');
    renameSync(tmp, path);
    renamed = true;
    if (durable) syncDir(dir);
  } finally {
    if (!renamed) {
      try {
        unlinkSync(tmp);
      } catch {
        // already gone
      }
    }
  }
}

export async function writeFileAtomic(path: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): Promise<void> {
  writeFileAtomicSync(path, data, opts);
}

/** The file's stats when it is a regular file, undefined when absent; refuses symlinks and the rest. */
export function assertReplaceable(path: string): Stats | undefined {
  const existing = lstatSync(path, { throwIfNoEntry: false });
  if (existing?.isSymbolicLink()) throw targetSymlink(path);
  if (existing && !existing.isFile()) throw targetNotFile(path);
  return existing;
}

function syncDir(dir: string): void {
  const d = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    fsyncSync(d);
  } finally {
    closeSync(d);
  }
}

/** Removes temp files a killed writer left next to `path` (their pid is gone). Returns how many. */
export function removeStaleTemps(path: string): number {
  const prefix = tempPrefix(path);
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return 0;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (!Number.isInteger(pid) || pid === process.pid || isAlive(pid)) continue;
    try {
      unlinkSync(join(dirname(path), name));
      removed++;
    } catch {
      // someone else removed it
    }
  }
  return removed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
