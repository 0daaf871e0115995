// auditd's own text (audit.log, the audisp af_unix plugin, audisp-syslog's message part):
//   [node=HOST ]type=SECCOMP msg=audit(EPOCH.MS:SERIAL): BODY[0x1d ENRICHMENT]
// auditd writes type=UNKNOWN[1326] when its own tables lack the name; raw netlink text says 1326.
import { parseSeccompBody } from '../audit-record.js';
import { parseStamp } from '../fields.js';
import type { ParseResult, SyscallResolver } from '../types.js';

const SECCOMP_HEADERS = ['type=SECCOMP msg=audit(', 'type=UNKNOWN[1326] msg=audit(', 'type=1326 msg=audit('];
const OTHER: ParseResult = { kind: 'other' };

export function isAuditdRecordStart(s: string, i: number): boolean {
  return s.startsWith('type=', i) || s.startsWith('node=', i);
}

/** Parse an auditd-style record starting at s[i]; anything but a SECCOMP record is 'other'. */
export function parseAuditdRecord(s: string, i: number, end: number, resolveSyscall: SyscallResolver): ParseResult {
  let node: string | undefined;
  if (s.startsWith('node=', i)) {
    const sp = s.indexOf(' ', i + 5);
    if (sp < 0 || sp >= end) return OTHER;
    node = s.slice(i + 5, sp);
    i = sp + 1;
  }
  // Most lines of an audit.log are other types: reject them on one character.
  const t = s.charCodeAt(i + 5);
  if (t !== 0x53 /* S */ && t !== 0x55 /* U */ && t !== 0x31 /* 1 */) return OTHER;
  let h = -1;
  for (const header of SECCOMP_HEADERS) {
    if (s.startsWith(header, i)) { h = i + header.length; break; }
  }
  if (h < 0) return OTHER;
  const stamp = parseStamp(s, h, end);
  if (stamp === undefined || s.charCodeAt(stamp.end) !== 0x3a /* : */) {
    return { kind: 'issue', issue: { kind: 'malformed', detail: 'SECCOMP record with a bad audit(EPOCH.MS:SERIAL) stamp' } };
  }
  return parseSeccompBody(s, stamp.end + 1, end, { sec: stamp.sec, ms: stamp.ms, serial: stamp.serial, node, resolveSyscall });
}
