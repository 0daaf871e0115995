// What every log source gives the watcher: lines, and now and then a checkpoint that covers every
// line handed over before it. A source reads the next chunk only after the previous one was
// handled (synchronously), so a flood slows the reading down instead of growing a queue.
import type { LossNotice } from '../../../parsers/index.js';
import type { Checkpoint } from '../state-store.js';

export interface SourceSink {
  /** `latin1`: the string is a latin1 view of raw bytes (files, kmsg), not decoded text. */
  line(text: string, latin1: boolean): void;
  /** A line too long to be a record, skipped by the reader without holding it (a counted parse issue). */
  oversize(bytes: number): void;
  /** Every line handed over so far is covered by `cp` (persisted with the counts at the next flush). */
  checkpoint(cp: Checkpoint): void;
  /**
   * Records the reader itself knows it missed (ring buffer overrun, a checkpoint older than the
   * buffer, audit serials that never arrived, a full socket buffer); `window`: when, if known.
   */
  loss(source: LossNotice['source'], count: number, detail: string, window?: { from?: string; to?: string }): void;
  /** Something the operator should know about the source (logged by the watcher). */
  note?(level: 'info' | 'warn', msg: string, fields?: object): void;
}

export interface RunOptions {
  /** Read to the current end, then resolve (for tests and one-shot imports). */
  once: boolean;
  signal: AbortSignal;
}

export interface Source {
  /** Identifies the checkpoint slot in the state file. */
  readonly key: string;
  readonly description: string;
  /** Resolves at the end of input (once, or stdin), or when aborted. */
  run(sink: SourceSink, resume: Checkpoint | undefined, opts: RunOptions): Promise<void>;
  /** SIGHUP: reopen files by name (after an external rotation tool ran). */
  reopen?(): void;
}

export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
