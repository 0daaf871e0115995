// Follow a log file across rotation the way `tail -F` does, with exact byte offsets so a caller
// can checkpoint {dev, ino, offset} and resume without loss or repeats.
//   rename + create (logrotate default, auditd's own rotation): the old inode is read to its end
//     (writers may still append until they reopen), then the new file is read from byte 0.
//   copytruncate: the same inode shrinks below our offset; reading restarts at byte 0.
// Polling (with fs.watch only as a wake-up) because inotify misses events on some filesystems
// and a rename of a watched path stops fs.watch on it.
import { open, stat, type FileHandle } from 'node:fs/promises';
import { watch, type FSWatcher } from 'node:fs';
import type { FileCheckpoint } from './state-store.js';
import { dirname } from 'node:path';

export interface FileIdentity { dev: number; ino: number }
/** Where in which file: the file part of the watcher's checkpoint (state-store's FileCheckpoint). */
export type FilePosition = Pick<FileCheckpoint, 'dev' | 'ino' | 'offset'>;

export type FollowItem =
  | { kind: 'data'; data: Buffer; /** file offset of data[0] */ offset: number; file: FileIdentity }
  | { kind: 'rotated'; reason: 'renamed' | 'truncated'; previous: FilePosition }
  | { kind: 'waiting'; path: string };

export interface FollowOptions {
  /** Where to begin: a checkpoint (used only if it names the same file and still fits), 'start' or 'end'. */
  from?: FilePosition | 'start' | 'end';
  pollMs?: number;
  chunkBytes?: number;
  signal?: AbortSignal;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() { clearTimeout(t); signal?.removeEventListener('abort', done); resolve(); }
    signal?.addEventListener('abort', done, { once: true });
  });

async function openExisting(path: string): Promise<{ fh: FileHandle; id: FileIdentity; size: number } | undefined> {
  try {
    const fh = await open(path, 'r');
    const st = await fh.stat();
    return { fh, id: { dev: st.dev, ino: st.ino }, size: st.size };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

export async function* followFile(path: string, opts: FollowOptions = {}): AsyncGenerator<FollowItem> {
  const pollMs = opts.pollMs ?? 250;
  const chunk = Buffer.allocUnsafe(opts.chunkBytes ?? 1 << 20);
  let wake: (() => void) | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(path), { persistent: false }, () => wake?.());
  } catch {
    watcher = undefined; // polling alone still works
  }
  const pause = () => new Promise<void>((resolve) => {
    wake = resolve;
    void sleep(pollMs, opts.signal).then(resolve);
  });

  let cur = await openExisting(path);
  while (cur === undefined && !opts.signal?.aborted) {
    yield { kind: 'waiting', path };
    await pause();
    cur = await openExisting(path);
  }
  if (cur === undefined) { watcher?.close(); return; }
  const from = opts.from ?? 'start';
  let pos = from === 'end' ? cur.size
    : from !== 'start' && from.dev === cur.id.dev && from.ino === cur.id.ino && from.offset <= cur.size ? from.offset : 0;

  try {
    while (!opts.signal?.aborted) {
      const { bytesRead } = await cur.fh.read(chunk, 0, chunk.length, pos);
      if (bytesRead > 0) {
        yield { kind: 'data', data: Buffer.from(chunk.subarray(0, bytesRead)), offset: pos, file: cur.id };
        pos += bytesRead;
        continue;
      }
      const now = await cur.fh.stat();
      if (now.size < pos) {
        yield { kind: 'rotated', reason: 'truncated', previous: { ...cur.id, offset: pos } };
        pos = 0;
        continue;
      }
      let renamed = false;
      try {
        const st = await stat(path);
        renamed = st.ino !== cur.id.ino || st.dev !== cur.id.dev;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      if (renamed) {
        // The old file is fully read (a read just returned 0 after the new one appeared).
        const next = await openExisting(path);
        if (next !== undefined) {
          yield { kind: 'rotated', reason: 'renamed', previous: { ...cur.id, offset: pos } };
          await cur.fh.close();
          cur = next;
          pos = 0;
          continue;
        }
      }
      await pause();
    }
  } finally {
    watcher?.close();
    await cur.fh.close().catch(() => undefined);
  }
}
