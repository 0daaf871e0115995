// `seccomp-tailor events`: parse a log (or stdin, or a followed file) and print its SECCOMP events.
import { createLineParser, type LogFormat, type ParseCounters, type SyscallResolver } from '../../parsers/index.js';
import { eventsInputUnreadable } from '../errors.js';
import { memoResolver } from './syscall-resolver.js';
import { eventText, summaryText } from './event-format.js';
import { EventBytes } from './event-bytes.js';
import { followLines, readByteLines, readLines } from './line-source.js';

export interface EventsOptions {
  path: string;
  /** 'netlink': live events from the audit multicast socket instead of a file (until the signal). */
  source?: 'netlink';
  netlinkRcvbuf?: number;
  format?: LogFormat;
  json: boolean;
  follow: boolean;
  /** Parse and count only (the summary is still printed). */
  countOnly: boolean;
  resolveSyscall: SyscallResolver;
  yearHint?: number;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  signal?: AbortSignal;
}

export { memoResolver } from './syscall-resolver.js';

export async function runEvents(o: EventsOptions): Promise<ParseCounters> {
  const parser = createLineParser({ format: o.format, resolveSyscall: memoResolver(o.resolveSyscall), yearHint: o.yearHint });
  const out = new EventBytes();
  // Lines of a chunk are parsed synchronously; their output goes out in one write per chunk.
  const flush = async () => {
    if (out.length === 0) return;
    if (!o.out.write(out.take())) await new Promise<void>((r) => o.out.once('drain', () => r()));
  };
  const sink = {
    line(line: string) {
      const r = parser.push(line, true);
      if (r.kind !== 'event' || o.countOnly) return;
      if (o.json) out.json(r.event);
      else out.line(eventText(r.event));
    },
    oversize(bytes: number) { parser.oversize(bytes); },
  };
  if (o.source === 'netlink') {
    // Lines arrive in batches from the socket, parsed synchronously; output follows each batch.
    // Loaded here: reading a file (the common case) needs none of the netlink side.
    const [{ NetlinkSource }, { watchKernelLost }] = await Promise.all([import('./sources/netlink.js'), import('./kernel-lost.js')]);
    const source = new NetlinkSource(o.netlinkRcvbuf ? { rcvbuf: o.netlinkRcvbuf } : {});
    let writing = Promise.resolve();
    let flushQueued = false;
    const reportLoss = (src: string, count: number, detail: string) => {
      parser.counters.lossNotices++;
      parser.counters.lostRecords += count;
      o.err.write(`seccomp-tailor events: lost: ${count} (${src}): ${detail}\n`);
    };
    // Records the kernel drops before any listener leave no gap in the socket's serials.
    const stopKernelLost = watchKernelLost({
      resume: undefined,
      loss: (count, detail) => reportLoss('audit-lost', count, detail),
      checkpoint: () => {},
      note: (level, msg) => { if (level === 'warn') o.err.write(`seccomp-tailor events: ${msg}\n`); },
    });
    try {
      await source.run({
        line: (text) => {
          sink.line(text);
          if (out.length > 0 && !flushQueued) { flushQueued = true; writing = writing.then(() => { flushQueued = false; return flush(); }); }
        },
        oversize: (n) => sink.oversize(n),
        checkpoint: () => {},
        // Says when the socket listens (what a user waits for before starting the container).
        note: (_level, msg, fields) => {
          const rcvbuf = (fields as { rcvbuf?: number } | undefined)?.rcvbuf;
          if (msg === 'audit netlink socket bound') o.err.write(`seccomp-tailor events: listening on the audit netlink socket (receive buffer ${rcvbuf} bytes); interrupt to stop\n`);
        },
        loss: reportLoss,
      }, undefined, { once: false, signal: o.signal ?? new AbortController().signal });
    } finally {
      stopKernelLost();
    }
    await writing;
  } else if (o.follow) await followLines(o.path, sink, { ...(o.signal ? { signal: o.signal } : {}), afterChunk: flush });
  else if (o.countOnly) await readInput(o.path, () => readByteLines(o.path, { bytes: (b, start, end) => parser.count(b, start, end), oversize: (n) => { parser.oversize(n); } }));
  else await readInput(o.path, async () => { await readLines(o.path, sink, { ...(o.signal ? { signal: o.signal } : {}), afterChunk: flush }); });
  await flush();
  o.err.write(summaryText(parser.counters) + '\n');
  return parser.counters;
}

/** A file that is missing, unreadable or a directory is one line naming it (InputError), not a stack trace. */
async function readInput(path: string, read: () => Promise<void>): Promise<void> {
  try {
    await read();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (typeof err.code === 'string' && (err.syscall === 'open' || err.syscall === 'read')) throw eventsInputUnreadable(path, err);
    throw e;
  }
}
