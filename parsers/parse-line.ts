// One line in, one ParseResult out. Pure: no state (see stream.ts for kmsg continuation and
// de-duplication), no clock (the year for year-less syslog stamps is a hint from the caller).
import { detectFormat, type LogFormat } from './detect.js';
import { parseAuditdRecord } from './formats/auditd.js';
import { parseDmesgLine } from './formats/dmesg.js';
import { parseJournaldJson } from './formats/journald-json.js';
import { parseKernelMessage } from './formats/kernel.js';
import { parseKmsgLine } from './formats/kmsg.js';
import { parseSyslogLine } from './formats/syslog.js';
import type { ParseResult, SyscallResolver, SyslogTrust } from './types.js';

/** Longer lines are not records (the kernel caps one at 8970 bytes): refused unread. */
export const MAX_LINE_BYTES = 64 * 1024;

export interface LineOptions {
  /** Skip detection: every line is of this format. */
  format?: LogFormat;
  resolveSyscall: SyscallResolver;
  /** Year for `Nov 28 14:53:05`-style stamps (journald audit transport in short form only). */
  yearHint?: number;
  /** Records in syslog lines (default `accept`; the watcher refuses them unless told to trust syslog). */
  syslog?: SyslogTrust;
}

const OTHER: ParseResult = { kind: 'other' };

/** Control bytes other than tab and the 0x1d separator mark a line as not text. */
function looksBinary(s: string): boolean {
  return /[\x00-\x08\x0b-\x1c\x1e\x1f]/.test(s);
}

/**
 * A Buffer is read as latin1 (one char per byte): record fields are ASCII or hex, and invalid
 * UTF-8 must not be altered before hex values are decoded. Strings are taken as they are.
 */
export function parseLine(line: string | Buffer, opts: LineOptions): ParseResult {
  if (typeof line === 'string') return parseText(line, opts, false);
  if (line.length > MAX_LINE_BYTES) return oversize(line.length);
  return parseText(line.toString('latin1'), opts, true);
}

export function oversize(bytes: number): ParseResult {
  return { kind: 'issue', issue: { kind: 'oversize', detail: `line of ${bytes} bytes (limit ${MAX_LINE_BYTES})` } };
}

/** As parseLine; `fromBytes` says s is a latin1 view of raw bytes rather than decoded text. */
export function parseText(line: string, opts: LineOptions, fromBytes: boolean): ParseResult {
  if (line.length > MAX_LINE_BYTES) return oversize(line.length);
  let s = line;
  if (s.charCodeAt(s.length - 1) === 0x0d) s = s.slice(0, -1);
  if (s.charCodeAt(s.length - 1) === 0x0a) s = s.slice(0, -1);
  const format = opts.format ?? detectFormat(s);
  const r = parseAs(s, format, opts, fromBytes);
  if (r.kind === 'issue' && r.issue.kind === 'malformed' && looksBinary(s)) {
    return { kind: 'issue', issue: { kind: 'binary', detail: 'line holds control bytes' } };
  }
  return r;
}

/** `fromBytes`: s is a latin1 view of raw bytes (see parseLine). */
export function parseAs(s: string, format: ReturnType<typeof detectFormat>, opts: LineOptions, fromBytes: boolean): ParseResult {
  switch (format) {
    case 'auditd': return parseAuditdRecord(s, 0, s.length, opts.resolveSyscall);
    case 'kernel-text': return parseKernelMessage(s, 0, s.length, opts.resolveSyscall);
    case 'kmsg': return parseKmsgLine(s, opts.resolveSyscall);
    case 'dmesg': return parseDmesgLine(s, opts.resolveSyscall, opts.yearHint, opts.syslog);
    case 'syslog': return parseSyslogLine(s, opts);
    case 'journald-json': return parseJournaldJson(fromBytes ? utf8Json(s) : s, opts.resolveSyscall);
    case 'continuation': case 'empty': return OTHER;
    case 'unknown':
      if (s.trim().length === 0) return OTHER;
      return { kind: 'issue', issue: { kind: looksBinary(s) ? 'binary' : 'malformed', detail: 'line of no known log format' } };
  }
}

/** JSON text must be real UTF-8 text; a latin1 view of a Buffer is turned back into it. */
function utf8Json(s: string): string {
  if (!/[\u0080-\u00ff]/.test(s)) return s;
  return Buffer.from(s, 'latin1').toString('utf8');
}
