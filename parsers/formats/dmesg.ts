// dmesg's forms: `[  360.143869] MSG`, `-T` `[Sat Nov 28 14:49:58 2026] MSG`, `-r` `<5>[  395.359123] MSG`,
// `--time-format iso` `2026-11-28T14:49:58,359123+00:00 MSG`; with CONFIG_PRINTK_CALLER a
// `[   T55]` group follows the time. The event time is the record's own stamp, not dmesg's.
import type { ParseResult, SyscallResolver, SyslogTrust } from '../types.js';
import { parseKernelMessage, skipKernelBrackets } from './kernel.js';
import { parseSyslogLine } from './syslog.js';

export function parseDmesgLine(s: string, resolveSyscall: SyscallResolver, yearHint?: number, syslog?: SyslogTrust): ParseResult {
  let i = 0;
  if (s.charCodeAt(0) === 0x3c) {
    const gt = s.indexOf('>');
    if (gt < 0 || gt > 4) return { kind: 'issue', issue: { kind: 'malformed', detail: 'not a dmesg line' } };
    i = gt + 1;
  }
  if (s.charCodeAt(i) === 0x5b) {
    const msg = skipKernelBrackets(s, i, s.length);
    if (msg === i) return { kind: 'issue', issue: { kind: 'malformed', detail: 'not a dmesg line' } };
    const r = parseKernelMessage(s, msg, s.length, resolveSyscall);
    // `[  582.344726] host audit[9263]: ...` is journalctl -o short-monotonic, not dmesg.
    if (r.kind === 'other' && i === 0) {
      const sys = parseSyslogLine(s, { resolveSyscall, yearHint, ...(syslog ? { syslog } : {}) });
      return sys.kind === 'issue' && sys.issue.kind === 'malformed' ? r : sys;
    }
    return r;
  }
  const sp = s.indexOf(' ', i);
  if (sp < 0) return { kind: 'issue', issue: { kind: 'malformed', detail: 'not a dmesg line' } };
  return parseKernelMessage(s, sp + 1, s.length, resolveSyscall);
}
