// `journalctl -o json`: one object per entry. Two transports carry a SECCOMP record:
//   _TRANSPORT=kernel  MESSAGE "audit: type=1326 audit(T:S): ..."  (the full kernel line),
//                      SYSLOG_FACILITY "0" (kern; user-space writes to /dev/kmsg have "1")
//   _TRANSPORT=audit   _AUDIT_TYPE=1326, MESSAGE "SECCOMP auid=..." (no stamp: _AUDIT_ID is the
//                      serial, _SOURCE_REALTIME_TIMESTAMP the record time in microseconds)
// A field that is not valid UTF-8 arrives as an array of byte values.
import { parseSeccompBody } from '../audit-record.js';
import { parseDec } from '../fields.js';
import type { ParseResult, SyscallResolver } from '../types.js';
import { parseKernelMessage } from './kernel.js';

const OTHER: ParseResult = { kind: 'other' };

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((b) => typeof b === 'number' && b >= 0 && b <= 255)) {
    return String.fromCharCode(...(v as number[]));
  }
  return undefined;
}

export function parseJournaldJson(line: string, resolveSyscall: SyscallResolver): ParseResult {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    const kind = line.trimEnd().endsWith('}') ? 'malformed' : 'truncated';
    return { kind: 'issue', issue: { kind, detail: 'journald JSON entry does not parse' } };
  }
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    return { kind: 'issue', issue: { kind: 'malformed', detail: 'journald JSON line is not an object' } };
  }
  const e = entry as Record<string, unknown>;
  const message = text(e.MESSAGE);
  if (message === undefined) return OTHER;
  if (e._TRANSPORT === 'audit') {
    if (e._AUDIT_TYPE !== '1326' || !message.startsWith('SECCOMP ')) return OTHER;
    const us = typeof e._SOURCE_REALTIME_TIMESTAMP === 'string' ? e._SOURCE_REALTIME_TIMESTAMP : e.__REALTIME_TIMESTAMP;
    const usec = typeof us === 'string' ? parseDec(us, 0, us.length) : undefined;
    const serial = typeof e._AUDIT_ID === 'string' ? parseDec(e._AUDIT_ID, 0, e._AUDIT_ID.length) : undefined;
    if (usec === undefined || serial === undefined) {
      return { kind: 'issue', issue: { kind: 'bad-field', detail: 'journald audit entry without _SOURCE_REALTIME_TIMESTAMP or _AUDIT_ID' } };
    }
    const ms = Math.floor(usec / 1000);
    return parseSeccompBody(message, 8, message.length, { sec: Math.floor(ms / 1000), ms: ms % 1000, serial, resolveSyscall });
  }
  const r = parseKernelMessage(message, 0, message.length, resolveSyscall);
  if (r.kind === 'other') return r;
  // Fields that start with _ are set by journald itself, not by the client: only its kernel
  // transport carries kernel lines; `logger "audit: type=1326 ..."` arrives as _TRANSPORT=syslog.
  if (e._TRANSPORT !== 'kernel') {
    return { kind: 'issue', issue: { kind: 'untrusted', detail: `a kernel-shaped SECCOMP record from journald's ${typeof e._TRANSPORT === 'string' ? e._TRANSPORT.slice(0, 20) : 'unknown'} transport, written by user space` } };
  }
  // The kernel transport is every /dev/kmsg record, user-space writes included (`echo "<0>x: audit:
  // type=1326 ..." > /dev/kmsg`, journald strips `x:` as the identifier). The kernel gives those
  // facility user (devkmsg_write keeps only a non-zero facility), journald stores the record's
  // facility as SYSLOG_FACILITY: the kernel's own lines are the ones with 0.
  const facility = text(e.SYSLOG_FACILITY);
  if (facility !== '0') {
    return { kind: 'issue', issue: { kind: 'untrusted', detail: `a SECCOMP record from journald's kernel transport with SYSLOG_FACILITY=${facility === undefined ? 'none' : facility.slice(0, 8)}, not kern (0): a user-space write to /dev/kmsg` } };
  }
  return r;
}
