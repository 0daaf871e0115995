// The one line reader of the watcher and `events`: lines with their byte offsets, through the
// parsers' splitter (a line past MAX_LINE_BYTES is skipped to its end and reported as oversize,
// never held), from a byte stream (standard input, journalctl's output), a file or a range of one
// (read once), or a file followed across rotation (file-follower.ts). One chunk size for all;
// a 250 MB log is never held in memory.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createByteLineSplitter, createLineSplitter, type ByteLineSink, type LineSink } from '../../parsers/index.js';
import { followFile, type FilePosition, type FileIdentity, type FollowOptions } from './file-follower.js';

/** Bytes read at a time, whatever the source. */
export const READ_CHUNK_BYTES = 1 << 20;

export interface ReadOptions {
  /** Offset of the first byte read: where a file range starts, and what line offsets count from. */
  start?: number;
  /** Offset of the last byte read, inclusive (a range of a file that is still growing). */
  end?: number;
  /**
   * Nobody appends any more (default): a last line without its newline is whole. false: it is
   * left for the next read, which starts at the offset returned.
   */
  complete?: boolean;
  /** Stops the read quietly (what was read is handed over). */
  signal?: AbortSignal;
  /** After each chunk's lines, with the offset just past the last whole one: checkpoints, output backpressure. */
  afterChunk?: (offset: number) => void | Promise<void>;
}

/** Lines of a byte stream. Returns the offset just past the last line handed out. */
export async function streamLines(input: AsyncIterable<Buffer | string>, sink: LineSink, o: ReadOptions = {}): Promise<number> {
  const splitter = createLineSplitter(sink, o.start ?? 0);
  try {
    for await (const chunk of input) {
      splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      if (o.afterChunk) await o.afterChunk(splitter.offset);
      if (o.signal?.aborted) return splitter.offset;
    }
  } catch (e) {
    if ((e as Error).name === 'AbortError') return splitter.offset;
    throw e;
  }
  if (o.complete === false) return splitter.offset;
  splitter.end();
  if (o.afterChunk) await o.afterChunk(splitter.offset);
  return splitter.offset;
}

/** Lines of a file (or `-`: standard input) from o.start to its end (or o.end). */
export function readLines(path: string, sink: LineSink, o: ReadOptions = {}): Promise<number> {
  const input = path === '-' ? process.stdin
    : createReadStream(path, { highWaterMark: READ_CHUNK_BYTES, ...(o.start ? { start: o.start } : {}), ...(o.end !== undefined ? { end: o.end } : {}), ...(o.signal ? { signal: o.signal } : {}) });
  return streamLines(input as AsyncIterable<Buffer>, sink, o);
}

/**
 * Lines of a file (or `-`) as bytes, for counting (`events --count`): most never become strings.
 * Two buffers are read into in turn, the next read running while this chunk is split (fresh memory
 * for every chunk costs more in page faults than the parsing of it).
 */
export async function readByteLines(path: string, sink: ByteLineSink): Promise<void> {
  const splitter = createByteLineSplitter(sink);
  if (path === '-') {
    for await (const chunk of process.stdin) splitter.push(chunk as Buffer);
  } else {
    const fh = await open(path, 'r');
    try {
      const bufs = [Buffer.allocUnsafe(READ_CHUNK_BYTES), Buffer.allocUnsafe(READ_CHUNK_BYTES)];
      let which = 0;
      let next = fh.read(bufs[0]!, 0, READ_CHUNK_BYTES, null);
      for (;;) {
        const { bytesRead } = await next;
        if (bytesRead === 0) break;
        const chunk = bufs[which]!.subarray(0, bytesRead);
        which ^= 1;
        next = fh.read(bufs[which]!, 0, READ_CHUNK_BYTES, null);
        splitter.push(chunk);
      }
    } finally {
      await fh.close();
    }
  }
  splitter.end();
}

export interface FollowSink extends LineSink {
  /** The followed file was rotated: offsets restart in a new file (or the same, truncated). */
  rotated?(reason: 'renamed' | 'truncated', previous: FilePosition): void;
  /** Which file the following line offsets belong to. */
  file?(id: FileIdentity): void;
}

export interface FollowLinesOptions extends Omit<FollowOptions, 'chunkBytes'> {
  /**
   * After each chunk, and after a rotated file's last line: every line of `at.ino` before
   * `at.offset` has been handed out (a checkpoint), and output can be drained.
   */
  afterChunk?: (at: FilePosition) => void | Promise<void>;
}

/** Follow a file like `tail -F` until the signal aborts. Returns the last position handed out. */
export async function followLines(path: string, sink: FollowSink, o: FollowLinesOptions = {}): Promise<FilePosition | undefined> {
  let splitter: ReturnType<typeof createLineSplitter> | undefined;
  let file: FileIdentity | undefined;
  let last: FilePosition | undefined;
  const reached = async () => {
    last = { dev: file!.dev, ino: file!.ino, offset: splitter!.offset };
    if (o.afterChunk) await o.afterChunk(last);
  };
  for await (const item of followFile(path, { ...o, chunkBytes: READ_CHUNK_BYTES })) {
    if (item.kind === 'data') {
      if (splitter === undefined || file?.ino !== item.file.ino || file.dev !== item.file.dev) {
        splitter = createLineSplitter(sink, item.offset);
        file = item.file;
        sink.file?.(item.file);
      }
      splitter.push(item.data);
      await reached();
    } else if (item.kind === 'rotated') {
      // A last line without its newline belongs to the old file: hand it out now.
      if (splitter && file) {
        splitter.end();
        await reached();
      }
      splitter = undefined;
      file = undefined;
      sink.rotated?.(item.reason, item.previous);
    }
  }
  // Stopped (or reopened): an unfinished last line is not a line yet. It stays past the position
  // returned, to be read whole from there, never handed out twice.
  return last;
}
