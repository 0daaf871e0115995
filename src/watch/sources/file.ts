// A log file (auditd's audit.log, or any FILE): followed across rotation by file-follower.ts, with
// a checkpoint {dev, ino, offset} after every chunk. Resuming handles what happened while the
// watcher was down: the checkpointed file may have been rotated to a sibling name (audit.log.1),
// whose rest is read first; or it may be gone, which is a reported loss.
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { LineSink } from '../../../parsers/index.js';
import { followLines, readLines } from '../line-source.js';
import type { Checkpoint, FileCheckpoint } from '../state-store.js';
import type { RunOptions, Source, SourceSink } from './source.js';

export class FileSource implements Source {
  readonly key: string;
  readonly description: string;
  private readonly path: string;
  private reopenRequested = false;
  private reopenAbort: AbortController | undefined;

  constructor(path: string, readonly pollMs = 100) {
    this.path = resolve(path);
    this.key = `file:${this.path}`;
    this.description = this.path;
  }

  reopen(): void {
    this.reopenRequested = true;
    this.reopenAbort?.abort();
  }

  async run(sink: SourceSink, resume: Checkpoint | undefined, opts: RunOptions): Promise<void> {
    let cp: FileCheckpoint | undefined = resume?.kind === 'file' ? resume : undefined;
    const current = identity(this.path);
    // Rotated while we were down: finish the old file under its new name first.
    if (cp && (!current || current.ino !== cp.ino || current.dev !== cp.dev)) {
      const old = findByIdentity(this.path, cp);
      if (old) {
        await readRange(old, cp, sink, opts.signal);
      } else {
        sink.loss('file-rotated-away', 0, `${this.path}: the file last read (inode ${cp.ino}, offset ${cp.offset}) is gone; records after that offset were not read`);
      }
      cp = undefined;
      if (current) sink.checkpoint({ kind: 'file', path: this.path, dev: current.dev, ino: current.ino, offset: 0 });
    }
    // No checkpoint: start at the end (history is not news), unless the file appears only now or
    // this is a one-shot read of a file (an import: all of it is news).
    let from: FileCheckpoint | 'start' | 'end' = cp ?? (resume === undefined && current && !opts.once ? 'end' : 'start');
    if (opts.once) {
      const id = identity(this.path);
      if (!id) return;
      const start = from === 'start' || from === 'end' ? { kind: 'file' as const, path: this.path, ...id, offset: from === 'end' ? id.size : 0 } : from;
      await readRange(this.path, start.ino === id.ino && start.offset <= id.size ? start : { ...start, ...id, offset: 0 }, sink, opts.signal, false);
      return;
    }
    // "The end" becomes a concrete position now, so a reopen before any new line does not move it.
    const now = identity(this.path);
    if (from === 'end' && now) {
      from = { kind: 'file', path: this.path, dev: now.dev, ino: now.ino, offset: now.size };
      sink.checkpoint(from);
    }
    while (!opts.signal.aborted) {
      this.reopenRequested = false;
      this.reopenAbort = new AbortController();
      const signal = AbortSignal.any([opts.signal, this.reopenAbort.signal]);
      const last = await this.follow(from, sink, signal);
      if (!this.reopenRequested) break;
      // SIGHUP: reopen by name, continuing where the last checkpoint stands.
      from = last ?? from;
    }
  }

  private async follow(from: FileCheckpoint | 'start' | 'end', sink: SourceSink, signal: AbortSignal): Promise<FileCheckpoint | undefined> {
    const at = await followLines(this.path, linesTo(sink), {
      from: from === 'start' || from === 'end' ? from : { dev: from.dev, ino: from.ino, offset: from.offset },
      pollMs: this.pollMs, signal,
      afterChunk: (p) => sink.checkpoint({ kind: 'file', path: this.path, ...p }),
    });
    return at && { kind: 'file', path: this.path, ...at };
  }
}

/** File lines are latin1 views of raw bytes. */
const linesTo = (sink: SourceSink): LineSink => ({ line: (t) => sink.line(t, true), oversize: (n) => sink.oversize(n) });

function identity(path: string): { dev: number; ino: number; size: number } | undefined {
  try {
    const s = statSync(path);
    return { dev: s.dev, ino: s.ino, size: s.size };
  } catch {
    return undefined;
  }
}

/** auditd rotates audit.log -> audit.log.1 -> ...; logrotate may add dates or .0: any sibling that starts with the name. */
function findByIdentity(path: string, cp: FileCheckpoint): string | undefined {
  const dir = dirname(path);
  const base = basename(path);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return undefined;
  }
  for (const n of names) {
    if (!n.startsWith(base) || n === base) continue;
    const id = identity(join(dir, n));
    if (id && id.ino === cp.ino && id.dev === cp.dev) return join(dir, n);
  }
  return undefined;
}

/**
 * Lines from cp.offset to the current end of `path`, with checkpoints that name cp's identity.
 * `complete`: nobody writes to it any more (a rotated file), so a last line without newline is whole.
 */
async function readRange(path: string, cp: FileCheckpoint, sink: SourceSink, signal: AbortSignal, complete = true): Promise<void> {
  await readLines(path, linesTo(sink), { start: cp.offset, complete, signal, afterChunk: (offset) => sink.checkpoint({ ...cp, offset }) });
}
