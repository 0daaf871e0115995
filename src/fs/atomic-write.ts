// Replace a file so that a reader, or the machine after a crash, sees the old bytes or the new bytes,
// never a mix: temp file in the same directory (rename is atomic only within one filesystem), fsync
// the data, rename over the target, fsync the directory so the rename itself is durable (ext4/xfs
// may otherwise lose it on power loss: https://lwn.net/Articles/457667/).
// write-file-atomic does most of this but resolves symlinks and never fsyncs the directory.
import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { lstat, open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ApplyError } from '../errors.js';

export interface AtomicWriteOptions {
  /** Permission bits for a file that does not exist yet (an existing file keeps its own). */
  mode?: number;
  /**
   * Marks the write the crash test targets: with SECCOMP_TAILOR_TEST_CRASH_BEFORE_RENAME=1 the process
   * SIGKILLs itself after the temp file is complete and before the rename (test/unit/apply-crash).
   */
  crashTestPoint?: boolean;
}

const tempPrefix = (path: string): string => `.${basename(path)}.tmp-`;

/**
 * Atomically replaces (or creates) `path` with `data`, keeping an existing file's owner and mode.
 * A symlink at `path` is refused: replacing it would silently detach it from its target, and
 * writing through it would modify a file the caller did not name.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): Promise<void> {
  const dir = dirname(path);
  const existing = await assertReplaceable(path);

  const tmp = join(dir, `${tempPrefix(path)}${process.pid}-${randomBytes(4).toString('hex')}`);
  // O_EXCL: never reuse, or write through, something already at the temp name.
  const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  let renamed = false;
  try {
    try {
      await fh.writeFile(data);
      if (existing) {
        // chown before chmod: chown clears set-id bits.
        if (process.getuid?.() === 0) await fh.chown(existing.uid, existing.gid);
        await fh.chmod(existing.mode & 0o7777);
      } else {
        await fh.chmod(opts.mode ?? 0o644);
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (opts.crashTestPoint && process.env.SECCOMP_TAILOR_TEST_CRASH_BEFORE_RENAME === '1') process.kill(process.pid, 'SIGKILL');
    await rename(tmp, path);
    renamed = true;
    await syncDir(dir);
  } finally {
    if (!renamed) await unlink(tmp).catch(() => undefined);
  }
}

/** The file's stats when it is a regular file, undefined when absent; refuses symlinks and the rest. */
export async function assertReplaceable(path: string): Promise<Stats | undefined> {
  const existing = await lstat(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  });
  if (existing?.isSymbolicLink()) {
    throw new ApplyError('TARGET_SYMLINK', `${path} is a symbolic link: name the file it points to instead`);
  }
  if (existing && !existing.isFile()) throw new ApplyError('TARGET_NOT_FILE', `${path} is not a regular file`);
  return existing;
}

async function syncDir(dir: string): Promise<void> {
  const d = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

/** Removes temp files a killed writer left next to `path` (their pid is gone). Returns how many. */
export async function removeStaleTemps(path: string): Promise<number> {
  const prefix = tempPrefix(path);
  let removed = 0;
  for (const name of await readdir(dirname(path)).catch(() => [] as string[])) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (!Number.isInteger(pid) || pid === process.pid || isAlive(pid)) continue;
    await unlink(join(dirname(path), name)).then(() => removed++, () => undefined);
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
