// Syslog-shaped lines: rsyslog's traditional, RFC 3339 and RFC 5424 templates, and journalctl's
// short forms (short, -precise, -iso, -iso-precise, -unix, -monotonic), all `TIME HOST TAG: MSG`.
// The message is then a kernel line (`kernel:`), an auditd record (audisp-syslog, where auditd's
// 0x1d became a space), or journald's audit transport (`audit[PID]: SECCOMP ...`, no stamp).
import { parseSeccompBody } from '../audit-record.js';
import type { ParseResult, SyscallResolver, SyslogTrust } from '../types.js';
import { isAuditdRecordStart, parseAuditdRecord } from './auditd.js';
import { parseKernelMessage, skipKernelBrackets } from './kernel.js';
import { isoTime, traditionalTime, unixTime, type WallTime } from './syslog-time.js';

const OTHER: ParseResult = { kind: 'other' };

export interface SyslogOptions {
  resolveSyscall: SyscallResolver;
  /** For `Nov 28 14:53:05` stamps, which carry no year. */
  yearHint?: number;
  /** Default `accept`. */
  syslog?: SyslogTrust;
}

type TimeKind = 'traditional' | 'iso' | 'unix' | 'monotonic' | 'rfc5424';

interface Prefix { tsStart: number; tsEnd: number; kind: TimeKind; tagStart: number; tagEnd: number; msg: number; pri?: number }

function nextSpace(s: string, i: number): number {
  const sp = s.indexOf(' ', i);
  return sp < 0 ? s.length : sp;
}

function locate(s: string): Prefix | undefined {
  const p = locateAfterPri(s);
  if (p && s.charCodeAt(0) === 0x3c) p.pri = Number(s.slice(1, s.indexOf('>')));
  return p;
}

function locateAfterPri(s: string): Prefix | undefined {
  let i = 0;
  if (s.charCodeAt(0) === 0x3c) {
    const gt = s.indexOf('>');
    if (gt < 2 || gt > 4) return undefined;
    i = gt + 1;
    if (s.charCodeAt(i) === 0x31 && s.charCodeAt(i + 1) === 0x20) return locate5424(s, i + 2);
  }
  const c = s.charCodeAt(i);
  let tsEnd: number;
  let kind: TimeKind;
  if (c >= 0x41 && c <= 0x5a) {
    // "Jul  8 10:31:23": two spaces inside; the time field starts at a fixed column.
    if (s.charCodeAt(i + 3) !== 0x20 || s.charCodeAt(i + 9) !== 0x3a) return undefined;
    tsEnd = nextSpace(s, i + 7);
    kind = 'traditional';
  } else if (c === 0x5b) {
    const close = s.indexOf(']', i);
    if (close < 0) return undefined;
    tsEnd = close + 1;
    kind = 'monotonic';
  } else {
    tsEnd = nextSpace(s, i);
    kind = s.charCodeAt(i + 4) === 0x2d ? 'iso' : 'unix';
  }
  if (s.charCodeAt(tsEnd) !== 0x20) return undefined;
  const hostEnd = nextSpace(s, tsEnd + 1);
  const tagStart = hostEnd + 1;
  const tagEnd = nextSpace(s, tagStart);
  if (tagEnd <= tagStart || s.charCodeAt(tagEnd - 1) !== 0x3a) return undefined;
  return { tsStart: i, tsEnd, kind, tagStart, tagEnd: tagEnd - 1, msg: tagEnd + 1 };
}

/** `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA MSG` */
function locate5424(s: string, i: number): Prefix | undefined {
  const tsEnd = nextSpace(s, i);
  const hostEnd = nextSpace(s, tsEnd + 1);
  const appEnd = nextSpace(s, hostEnd + 1);
  const procEnd = nextSpace(s, appEnd + 1);
  const msgidEnd = nextSpace(s, procEnd + 1);
  let p = msgidEnd + 1;
  if (s.charCodeAt(p) === 0x2d) p++;
  else {
    // SD-ELEMENTs: `]` inside a quoted PARAM-VALUE is escaped as `\]`.
    while (s.charCodeAt(p) === 0x5b) {
      let q = p + 1;
      while (q < s.length && !(s.charCodeAt(q) === 0x5d && s.charCodeAt(q - 1) !== 0x5c)) q++;
      p = q + 1;
    }
  }
  if (p > s.length) return undefined;
  let msg = p < s.length && s.charCodeAt(p) === 0x20 ? p + 1 : p;
  if (s.startsWith('\u00ef\u00bb\u00bf', msg)) msg += 3; // UTF-8 BOM read as latin1
  else if (s.charCodeAt(msg) === 0xfeff) msg += 1;
  return { tsStart: i, tsEnd, kind: 'rfc5424', tagStart: hostEnd + 1, tagEnd: appEnd, msg };
}

function wallTime(s: string, p: Prefix, yearHint: number | undefined): WallTime | undefined {
  switch (p.kind) {
    case 'traditional': return traditionalTime(s, p.tsStart, p.tsEnd, yearHint);
    case 'iso': case 'rfc5424': return isoTime(s, p.tsStart, p.tsEnd);
    case 'unix': return unixTime(s, p.tsStart, p.tsEnd);
    case 'monotonic': return undefined;
  }
}

/**
 * `kernel:` and `audit[PID]:` are only tags: logger(1) writes any tag, so a syslog line proves
 * nothing about the kernel. What the caller's trust allows passes, marked as read from syslog.
 */
export function parseSyslogLine(s: string, opts: SyslogOptions): ParseResult {
  const p = locate(s);
  if (p === undefined) return { kind: 'issue', issue: { kind: 'malformed', detail: 'not a syslog line' } };
  const r = parseRecord(s, p, opts);
  if (r.kind !== 'event' && r.kind !== 'loss') return r;
  const trust = opts.syslog ?? 'accept';
  if (trust === 'refuse') {
    return { kind: 'issue', issue: { kind: 'untrusted', detail: 'a SECCOMP record in a syslog line, which any local user can write (logger -t kernel): not read without --trust-syslog' } };
  }
  // glibc's syslog(3) and logger(1) replace facility kern (0) by user, so a non-kern PRI is surely
  // user space. Kern is no proof either: kern.log comes from syslog(2) (imklog, klogd), which splits
  // a container's AUDIT_USER message at its newlines into kern lines (dmesg.ts). Opt-in only.
  if (trust === 'kernel-facility' && p.pri !== undefined && p.pri >> 3 !== 0) {
    return { kind: 'issue', issue: { kind: 'untrusted', detail: `a SECCOMP record in a syslog line of facility ${p.pri >> 3}, not kern (0): written by user space` } };
  }
  return r.kind === 'event' ? { ...r, via: 'syslog' } : r;
}

function parseRecord(s: string, p: Prefix, opts: SyslogOptions): ParseResult {
  const end = s.length;
  // rsyslog keeps the message's own leading space (RFC 5424 lines from audisp-syslog have one).
  while (s.charCodeAt(p.msg) === 0x20) p.msg++;
  const tagLen = p.tagEnd - p.tagStart;
  if (tagLen === 6 && s.startsWith('kernel', p.tagStart)) {
    return parseKernelMessage(s, skipKernelBrackets(s, p.msg, end), end, opts.resolveSyscall);
  }
  if (isAuditdRecordStart(s, p.msg)) return parseAuditdRecord(s, p.msg, end, opts.resolveSyscall);
  if (s.startsWith('SECCOMP ', p.msg) && s.startsWith('audit', p.tagStart) && (tagLen === 5 || s.charCodeAt(p.tagStart + 5) === 0x5b)) {
    const t = wallTime(s, p, opts.yearHint);
    if (t === undefined) {
      return { kind: 'issue', issue: { kind: 'bad-field', detail: 'journald audit record whose line time has no wall clock or year' } };
    }
    // journald's audit transport drops the serial: the event has none (and is never de-duplicated).
    return parseSeccompBody(s, p.msg + 8, end, { sec: t.sec, ms: t.ms, resolveSyscall: opts.resolveSyscall });
  }
  return OTHER;
}
