// Stateful use of the pure line parser over one log: de-duplication of the same record seen
// twice (journald stores it from both its kernel and its audit transport), loss accounting, and
// counters. Still pure: the caller reads the bytes and feeds them in.
import { SCAN_EVENT, SCAN_OTHER, scanAuditdLine, type ScannedKey } from './formats/auditd.js';
import { MAX_LINE_BYTES, oversize, parseText, type LineOptions } from './parse-line.js';
import { RecentEvents } from './recent-events.js';
import type { ParseIssueKind, ParseResult, SeccompEvent } from './types.js';

export interface LineParserOptions extends LineOptions {
  /** How many recent event keys to remember for de-duplication (memory stays bounded). */
  dedupeWindow?: number;
}

export interface ParseCounters {
  lines: number;
  events: number;
  /** Events dropped as a repeat of one seen within the window. */
  duplicates: number;
  issues: Record<ParseIssueKind, number>;
  lossNotices: number;
  /** Records the kernel says it lost, summed over the notices (audit_lost deltas, suppressed callbacks). */
  lostRecords: number;
  /** Events read from syslog lines: anyone can write those (logger -t kernel), so they prove nothing. */
  fromSyslog: number;
}

export interface LineParser {
  /** `latin1`: the string is a latin1 view of raw bytes (as createLineSplitter gives). A repeat is 'other'. */
  push(line: string | Buffer, latin1?: boolean): ParseResult;
  /** A line the reader refused for its length. */
  oversize(bytes: number): ParseResult;
  /**
   * Count one line given as bytes b[start, end) (no newline), as push would, without its result:
   * what `events --count` needs. Records of an audit.log are read from the bytes; only the lines
   * that reader leaves undecided become text.
   */
  count(b: Uint8Array, start: number, end: number): void;
  readonly counters: ParseCounters;
}

const OTHER: ParseResult = { kind: 'other' };
export const DEFAULT_DEDUPE_WINDOW = 8192;

export function createLineParser(opts: LineParserOptions): LineParser {
  const window = Math.max(1, opts.dedupeWindow ?? DEFAULT_DEDUPE_WINDOW);
  const recent = new RecentEvents(window);
  let lastAuditLost: number | undefined;
  const counters: ParseCounters = {
    lines: 0, events: 0, duplicates: 0,
    issues: { truncated: 0, malformed: 0, binary: 0, oversize: 0, 'unknown-arch': 0, 'bad-field': 0, untrusted: 0 },
    lossNotices: 0, lostRecords: 0, fromSyslog: 0,
  };

  // journald's audit transport in short form has no serial: nothing to key on.
  const isRepeat = (e: SeccompEvent): boolean =>
    e.serial !== undefined && e.serial !== 0 && recent.seen(e.serial, Number.NaN, e.time, e.node, e.pid, e.syscall);

  function account(r: ParseResult): ParseResult {
    switch (r.kind) {
      case 'event':
        if (isRepeat(r.event)) { counters.duplicates++; return OTHER; }
        counters.events++;
        if (r.via === 'syslog') counters.fromSyslog++;
        break;
      case 'issue':
        counters.issues[r.issue.kind]++;
        break;
      case 'loss':
        counters.lossNotices++;
        if (r.loss.source === 'audit-lost') {
          // audit_lost is the kernel's running total since boot: downstream gets the new losses.
          const n = r.loss.count;
          const delta = lastAuditLost === undefined || n < lastAuditLost ? n : n - lastAuditLost;
          counters.lostRecords += delta;
          lastAuditLost = n;
          return { kind: 'loss', loss: { ...r.loss, count: delta } };
        } else {
          counters.lostRecords += r.loss.count;
        }
        break;
      case 'other':
        break;
    }
    return r;
  }

  const fastAuditd = opts.format === undefined || opts.format === 'auditd';
  const scanned: ScannedKey = { sec: 0, ms: 0, serial: 0, pid: 0, syscall: 0 };

  return {
    count(b, start, end) {
      if (end - start > MAX_LINE_BYTES) { this.oversize(end - start); return; }
      if (fastAuditd) {
        const r = scanAuditdLine(b, start, end, scanned);
        if (r === SCAN_OTHER) { counters.lines++; return; }
        if (r === SCAN_EVENT) {
          counters.lines++;
          const repeat = scanned.serial !== 0 && recent.seen(scanned.serial, scanned.sec * 1000 + scanned.ms, undefined, undefined, scanned.pid, scanned.syscall);
          if (repeat) counters.duplicates++;
          else counters.events++;
          return;
        }
      }
      this.push(latin1Of(b, start, end), true);
    },
    push(line, latin1 = false) {
      counters.lines++;
      if (typeof line !== 'string') {
        if (line.length > MAX_LINE_BYTES) return account(oversize(line.length));
        return account(parseText(line.toString('latin1'), opts, true));
      }
      return account(parseText(line, opts, latin1));
    },
    oversize(bytes) {
      counters.lines++;
      return account(oversize(bytes));
    },
    counters,
  };
}

function latin1Of(b: Uint8Array, start: number, end: number): string {
  return (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength)).toString('latin1', start, end);
}

export interface LineSink {
  /** `line` is a latin1 view of the bytes without the newline; [start, end) are its byte offsets. */
  line(line: string, start: number, end: number): void;
  /** A line longer than maxLineBytes, skipped without being held in memory. */
  oversize(bytes: number, start: number): void;
}

export interface LineSplitter {
  push(chunk: Buffer): void;
  /** Flush a last line that has no newline (a file cut short, or read to its end). */
  end(): void;
  /** Byte offset just after the last complete line handed out: a safe resume point. */
  readonly offset: number;
}

/**
 * Split a byte stream into lines with their byte offsets, holding at most maxLineBytes of a
 * partial line. latin1 keeps one char per byte, so offsets stay exact and decoding is cheap.
 */
export function createLineSplitter(sink: LineSink, startOffset = 0, maxLineBytes = MAX_LINE_BYTES): LineSplitter {
  let partial = '';
  let partialStart = startOffset;
  let skipping = 0; // >0: inside an oversize line, this many bytes seen so far
  let pos = startOffset; // byte offset of the next chunk's first byte
  let safe = startOffset;

  return {
    push(chunk) {
      const s = chunk.toString('latin1');
      const base = pos;
      pos += s.length;
      let from = 0;
      for (;;) {
        const nl = s.indexOf('\n', from);
        if (nl < 0) break;
        if (skipping > 0) {
          sink.oversize(skipping + nl - from, partialStart);
          skipping = 0;
        } else if (partial.length > 0) {
          const line = partial + s.slice(from, nl);
          partial = '';
          if (line.length > maxLineBytes) sink.oversize(line.length, partialStart);
          else sink.line(line, partialStart, base + nl);
        } else if (nl - from > maxLineBytes) {
          sink.oversize(nl - from, base + from);
        } else {
          sink.line(s.slice(from, nl), base + from, base + nl);
        }
        from = nl + 1;
        safe = base + from;
        partialStart = safe;
      }
      if (from < s.length) {
        if (skipping > 0) skipping += s.length - from;
        else {
          partial = partial.length > 0 ? partial + s.slice(from) : s.slice(from);
          if (partial.length > maxLineBytes) { skipping = partial.length; partial = ''; }
        }
      }
    },
    end() {
      if (skipping > 0) sink.oversize(skipping, partialStart);
      else if (partial.length > 0) sink.line(partial, partialStart, pos);
      skipping = 0;
      partial = '';
      safe = pos;
      partialStart = pos;
    },
    get offset() { return safe; },
  };
}

export interface ByteLineSink {
  /** One line without its newline: b[start, end), valid only during the call. */
  bytes(b: Uint8Array, start: number, end: number): void;
  /** A line longer than maxLineBytes, skipped without being held in memory (`start`: its offset). */
  oversize(bytes: number, start: number): void;
}

/**
 * createLineSplitter's twin that hands out lines as byte ranges of the chunk itself, making no
 * string: for readers that decide from the bytes whether a line is worth text at all. The same
 * rules (offsets, the line cut short at the end, oversize lines).
 */
export function createByteLineSplitter(sink: ByteLineSink, startOffset = 0, maxLineBytes = MAX_LINE_BYTES): LineSplitter {
  let partial: Uint8Array | undefined; // a copy: the caller may reuse its chunk
  let partialStart = startOffset;
  let skipping = 0;
  let pos = startOffset;
  let safe = startOffset;
  const join = (a: Uint8Array, b: Uint8Array) => {
    const j = new Uint8Array(a.length + b.length);
    j.set(a, 0);
    j.set(b, a.length);
    return j;
  };

  return {
    push(chunk) {
      const base = pos;
      const n = chunk.length;
      pos += n;
      let from = 0;
      for (;;) {
        const nl = chunk.indexOf(0x0a, from);
        if (nl < 0) break;
        if (skipping > 0) {
          sink.oversize(skipping + nl - from, partialStart);
          skipping = 0;
        } else if (partial !== undefined) {
          const len = partial.length + nl - from;
          if (len > maxLineBytes) sink.oversize(len, partialStart);
          else {
            const line = join(partial, chunk.subarray(from, nl));
            sink.bytes(line, 0, line.length);
          }
          partial = undefined;
        } else if (nl - from > maxLineBytes) {
          sink.oversize(nl - from, base + from);
        } else {
          sink.bytes(chunk, from, nl);
        }
        from = nl + 1;
        safe = base + from;
        partialStart = safe;
      }
      if (from < n) {
        if (skipping > 0) skipping += n - from;
        else {
          partial = partial !== undefined ? join(partial, chunk.subarray(from)) : new Uint8Array(chunk.subarray(from));
          if (partial.length > maxLineBytes) { skipping = partial.length; partial = undefined; }
        }
      }
    },
    end() {
      if (skipping > 0) sink.oversize(skipping, partialStart);
      else if (partial !== undefined && partial.length > 0) sink.bytes(partial, 0, partial.length);
      skipping = 0;
      partial = undefined;
      safe = pos;
      partialStart = pos;
    },
    get offset() { return safe; },
  };
}
