// Lines of a log with their byte offsets, from a file read once, stdin, or a file followed across
// rotation. Streams with a bounded buffer: a 250 MB log is never held in memory.
import { createReadStream } from 'node:fs';
import { createLineSplitter, type LineSink } from '../../parsers/index.js';
import { followFile, type FilePosition, type FileIdentity, type FollowOptions } from './file-follower.js';

export interface LineSourceSink extends LineSink {
  /** The followed file was rotated: offsets restart in a new file (or the same, truncated). */
  rotated?(reason: 'renamed' | 'truncated', previous: FilePosition): void;
  /** Which file the following line offsets belong to (follow mode). */
  file?(id: FileIdentity): void;
}

const CHUNK = 1 << 20;

/** Read a whole file (or `-` for stdin) once. `afterChunk` runs between chunks (output backpressure). */
export async function readLines(path: string, sink: LineSourceSink, afterChunk?: () => Promise<void>, signal?: AbortSignal): Promise<void> {
  const input = path === '-' ? process.stdin : createReadStream(path, { highWaterMark: CHUNK, signal });
  const splitter = createLineSplitter(sink);
  for await (const chunk of input) {
    splitter.push(chunk as Buffer);
    if (afterChunk) await afterChunk();
  }
  splitter.end();
}

/** Follow a file like `tail -F` until the signal aborts. */
export async function followLines(path: string, sink: LineSourceSink, opts: FollowOptions = {}, afterChunk?: () => Promise<void>): Promise<void> {
  let splitter: ReturnType<typeof createLineSplitter> | undefined;
  let file: FileIdentity | undefined;
  for await (const item of followFile(path, opts)) {
    if (item.kind === 'data') {
      if (splitter === undefined || file?.ino !== item.file.ino || file.dev !== item.file.dev) {
        splitter = createLineSplitter(sink, item.offset);
        file = item.file;
        sink.file?.(item.file);
      }
      splitter.push(item.data);
      if (afterChunk) await afterChunk();
    } else if (item.kind === 'rotated') {
      // A last line without its newline belongs to the old file: hand it out now.
      splitter?.end();
      splitter = undefined;
      file = undefined;
      sink.rotated?.(item.reason, item.previous);
    }
  }
  splitter?.end();
}
