// Kernel ring-buffer text (kmsg, dmesg, syslog `kernel:` lines, journald's kernel transport).
// kernel/audit.c prints records with no auditd as "audit: type=%d audit(%llu.%03lu:%u): %s", and
// its losses as "audit: audit_lost=%u audit_rate_limit=%u audit_backlog_limit=%u"; printk's
// rate limiter reports "kauditd_printk_skb: N callbacks suppressed" for records it dropped.
import { parseSeccompBody } from '../audit-record.js';
import { parseDec, parseStamp } from '../fields.js';
import type { ParseResult, SyscallResolver } from '../types.js';

const OTHER: ParseResult = { kind: 'other' };
const KERNEL_HEADER = 'audit: type=1326 audit(';

/** Skip syslog's copy of the kernel timestamp and caller id: `[  270.853767]`, `[26083697.716609][   T55]`. */
export function skipKernelBrackets(s: string, i: number, end: number): number {
  for (let n = 0; n < 2 && s.charCodeAt(i) === 0x5b /* [ */; n++) {
    const close = s.indexOf(']', i);
    if (close < 0 || close >= end || close - i > 40) return i;
    i = close + 1;
    if (s.charCodeAt(i) === 0x20) { i++; break; }
  }
  return i;
}

export function parseKernelMessage(s: string, i: number, end: number, resolveSyscall: SyscallResolver): ParseResult {
  if (s.startsWith(KERNEL_HEADER, i)) {
    const stamp = parseStamp(s, i + KERNEL_HEADER.length, end);
    if (stamp === undefined || s.charCodeAt(stamp.end) !== 0x3a) {
      return { kind: 'issue', issue: { kind: 'malformed', detail: 'kernel SECCOMP record with a bad audit(EPOCH.MS:SERIAL) stamp' } };
    }
    return parseSeccompBody(s, stamp.end + 1, end, { sec: stamp.sec, ms: stamp.ms, serial: stamp.serial, resolveSyscall });
  }
  if (s.startsWith('audit: audit_lost=', i)) {
    const a = i + 18;
    let b = a;
    while (b < end && s.charCodeAt(b) >= 0x30 && s.charCodeAt(b) <= 0x39) b++;
    const n = parseDec(s, a, b);
    if (n === undefined) return OTHER;
    // A running total since boot, not a delta: the stream turns it into new losses.
    return { kind: 'loss', loss: { source: 'audit-lost', count: n, detail: s.slice(i, end) } };
  }
  if (s.startsWith('kauditd_printk_skb: ', i)) {
    const a = i + 20;
    const sp = s.indexOf(' callbacks suppressed', a);
    if (sp < 0 || sp >= end) return OTHER;
    const n = parseDec(s, a, sp);
    if (n === undefined) return OTHER;
    return { kind: 'loss', loss: { source: 'kmsg-ratelimit', count: n, detail: s.slice(i, end) } };
  }
  return OTHER;
}
