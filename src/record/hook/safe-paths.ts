// Where the hook may write a profile and read a baseline. The hook runs as root and the path
// comes from an annotation anyone who can label an image or a pod controls, so:
// - only inside directories the administrator listed (lexical containment is enough because no
//   component may be a symlink);
// - every directory is opened with O_NOFOLLOW from / down, and the file is then named through
//   the last directory's descriptor (/proc/self/fd/N/NAME — Node has no openat), so swapping a
//   directory for a symlink after the check changes nothing (the bcc hook followed any symlink);
// - a baseline is read only if it is a root-owned regular file nobody else may write, with one
//   name (no hard link to someone else's file), opened non-blocking so a FIFO cannot hang
//   container creation, and checked by fstat of what was opened before a byte is read.
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { hookPathRefused } from '../../errors.js';
import { outputsDir, sanitizePath } from '../../state/paths.js';
import { openDirNoFollow as openDirNoFollowAs, openRootOwnedFile, type HeldDir } from '../../fs/no-follow.js';

export const MAX_BASELINE_BYTES = 1 << 20;

export type { HeldDir } from '../../fs/no-follow.js';

/** Opens `dir` one component at a time from /, refusing any symlink or non-directory on the way. */
export function openDirNoFollow(dir: string): HeldDir {
  return openDirNoFollowAs(dir, hookPathRefused);
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

/** Creates the default profile directory on first use (root-owned, 0755); never any other. */
export function ensureDefaultDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
}

/** Reads a baseline profile under the rules above (src/fs/no-follow.ts); returns its text. */
export function readBaseline(file: ResolvedFile): string {
  const f = openRootOwnedFile(posix.join(file.dir, file.name), MAX_BASELINE_BYTES, (_p, why) => hookPathRefused(file.path, why));
  try {
    return f.read().toString('utf8');
  } finally {
    f.close();
  }
}

/** The checks `readBaseline` makes, without keeping the text (prestart fails early with them). */
export function checkBaseline(file: ResolvedFile): void {
  readBaseline(file);
}

export interface OutputOwner {
  stateDir: string;
  /** The container whose recording this is. */
  containerId: string;
  /** Files or directories the administrator lets any recording replace (hook.json `replaceable`). */
  replaceable: readonly string[];
}

interface OutputRecord { path: string; containerId: string; sha256: string; at: string }

const outputRecordPath = (stateDir: string, path: string): string => posix.join(outputsDir(stateDir), `${sanitizePath(path)}.json`);

function readOutputRecord(stateDir: string, path: string): OutputRecord | undefined {
  try {
    const o = JSON.parse(readFileSync(outputRecordPath(stateDir, path), 'utf8')) as Partial<OutputRecord>;
    return o.path === path && typeof o.containerId === 'string' && typeof o.sha256 === 'string' ? (o as OutputRecord) : undefined;
  } catch {
    return undefined;
  }
}

const isReplaceable = (path: string, list: readonly string[]): boolean =>
  list.some((r) => path === r || path.startsWith(r.endsWith('/') ? r : `${r}/`));

/**
 * Writes the profile atomically through the held directory (the temp file and the rename name
 * entries of that descriptor, so the directory cannot be swapped between check and write). An
 * existing file is replaced only when it is root's regular file with one name, and either this
 * container's recording wrote it (the outputs record in the state directory says so) or the
 * administrator listed it as replaceable: `of:NAME` in a shared directory names whatever file
 * another container recorded. The new file is root's, mode 0644, whatever the old one's owner
 * and mode were (a planted set-id or world-writable mode is not kept).
 */
export async function writeOutput(file: ResolvedFile, text: string, owner: OutputOwner, durability: 'durable' | 'atomic' = 'durable'): Promise<void> {
  const { writeFileAtomic } = await import('../../fs/atomic-write.js');
  const held = openDirNoFollow(file.dir);
  try {
    const st = lstatSync(held.path(file.name), { throwIfNoEntry: false });
    if (st?.isSymbolicLink()) throw hookPathRefused(file.path, 'is a symbolic link; not writing through it');
    if (st && !st.isFile()) throw hookPathRefused(file.path, 'exists and is not a regular file');
    if (st && st.uid !== 0) throw hookPathRefused(file.path, `exists and is owned by uid ${st.uid}, not root; not replacing it`);
    if (st && st.nlink !== 1) throw hookPathRefused(file.path, `exists with ${st.nlink} hard links; not replacing it`);
    if (st && !isReplaceable(file.path, owner.replaceable)) {
      const rec = readOutputRecord(owner.stateDir, file.path);
      if (rec?.containerId !== owner.containerId) {
        throw hookPathRefused(file.path, `exists and ${rec ? `was recorded by container ${rec.containerId}` : 'was not written by a recording'}; not replacing it (remove it, or list it in "replaceable" in /etc/seccomp-tailor/hook.json)`);
      }
    }
    await writeFileAtomic(held.path(file.name), text, { mode: 0o644, durability, freshOwnership: true });
    mkdirSync(outputsDir(owner.stateDir), { recursive: true, mode: 0o700 });
    const rec: OutputRecord = { path: file.path, containerId: owner.containerId, sha256: createHash('sha256').update(text).digest('hex'), at: new Date().toISOString() };
    await writeFileAtomic(outputRecordPath(owner.stateDir, file.path), JSON.stringify(rec) + '\n', { mode: 0o600, durability });
  } finally {
    held.close();
  }
}
