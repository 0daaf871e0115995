// dmesg's forms: `[  360.143869] MSG`, `-T` `[Sat Nov 28 14:49:58 2026] MSG`, `-r` `<5>[  395.359123] MSG`,
// `--time-format iso` `2026-11-28T14:49:58,359123+00:00 MSG`; with CONFIG_PRINTK_CALLER a
// `[   T55]` group follows the time. The event time is the record's own stamp, not dmesg's.
//
// A saved dmesg is not proof of a kernel record. `dmesg -S` (and klogd, rsyslog's imklog, so
// kern.log) read the ring buffer through syslog(2), which splits a record at its newlines and gives
// every piece the record's own `<PRI>`: a process with CAP_AUDIT_WRITE (in Docker's and runc's
// default set) sends an AUDIT_USER-range message whose text holds `\naudit: type=1326 ...`, and
// with no auditd the kernel prints it, so the second piece is a facility-kern `audit: type=1326`
// line. Without `<PRI>`, a dump also holds user-space writes to /dev/kmsg undistinguished. So SECCOMP
// records here follow the caller's syslog trust, and never pass without a kern `<PRI>` when it
// asks for one (`/dev/kmsg` itself escapes the newline as \x0a: read `--source kmsg` instead).
import type { ParseResult, SyscallResolver, SyslogTrust } from '../types.js';
import { parseKernelMessage, skipKernelBrackets } from './kernel.js';
import { parseSyslogLine } from './syslog.js';

const malformed: ParseResult = { kind: 'issue', issue: { kind: 'malformed', detail: 'not a dmesg line' } };

export function parseDmesgLine(s: string, resolveSyscall: SyscallResolver, yearHint?: number, syslog?: SyslogTrust): ParseResult {
  let i = 0;
  let pri: number | undefined;
  if (s.charCodeAt(0) === 0x3c) {
    const gt = s.indexOf('>');
    if (gt < 2 || gt > 4) return malformed;
    pri = Number(s.slice(1, gt));
    if (!Number.isInteger(pri)) return malformed;
    i = gt + 1;
  }
  if (s.charCodeAt(i) === 0x5b) {
    const msg = skipKernelBrackets(s, i, s.length);
    if (msg === i) return malformed;
    const r = parseKernelMessage(s, msg, s.length, resolveSyscall);
    // `[  582.344726] host audit[9263]: ...` is journalctl -o short-monotonic, not dmesg.
    if (r.kind === 'other' && i === 0) {
      const sys = parseSyslogLine(s, { resolveSyscall, yearHint, ...(syslog ? { syslog } : {}) });
      return sys.kind === 'issue' && sys.issue.kind === 'malformed' ? r : sys;
    }
    return trusted(r, pri, syslog ?? 'accept');
  }
  const sp = s.indexOf(' ', i);
  if (sp < 0) return malformed;
  return trusted(parseKernelMessage(s, sp + 1, s.length, resolveSyscall), pri, syslog ?? 'accept');
}

function trusted(r: ParseResult, pri: number | undefined, trust: SyslogTrust): ParseResult {
  if (r.kind !== 'event' && r.kind !== 'loss') return r;
  if (trust === 'refuse') {
    return { kind: 'issue', issue: { kind: 'untrusted', detail: 'a SECCOMP record in dmesg output, which syslog(2) may have split out of a container\'s audit message (CAP_AUDIT_WRITE, a Docker default): not read without --trust-syslog; read --source kmsg instead' } };
  }
  if (trust === 'kernel-facility') {
    if (pri === undefined) {
      return { kind: 'issue', issue: { kind: 'untrusted', detail: 'a SECCOMP record in dmesg output without <PRI> (dmesg -r), where user-space writes to /dev/kmsg look the same: not read' } };
    }
    if (pri >> 3 !== 0) {
      return { kind: 'issue', issue: { kind: 'untrusted', detail: `a SECCOMP record in dmesg output of facility ${pri >> 3}, not kern (0): written by user space` } };
    }
  }
  return r.kind === 'event' ? { ...r, via: 'syslog' } : r;
}
