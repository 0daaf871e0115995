// /dev/kmsg records: `PRI,SEQ,TS_USEC,FLAGS[,CALLER];MESSAGE`, then ` KEY=VALUE` dictionary lines
// (Documentation/ABI/testing/dev-kmsg). The kernel escapes newlines inside MESSAGE as \x0a, so a
// record never spans lines except through those continuation lines.
import type { ParseResult, SyscallResolver } from '../types.js';
import { kmsgMessageStart } from '../detect.js';
import { parseKernelMessage } from './kernel.js';

export function parseKmsgLine(s: string, resolveSyscall: SyscallResolver): ParseResult {
  const c = s.charCodeAt(0);
  if (c === 0x20 || c === 0x09) return { kind: 'other' };
  const msg = kmsgMessageStart(s);
  if (msg < 0) return { kind: 'issue', issue: { kind: 'malformed', detail: 'not a /dev/kmsg record' } };
  // PRI is (facility << 3) | level. A write to /dev/kmsg from user space gets facility user (1) and
  // cannot ask for kern (0): the kernel's devkmsg_write() keeps only a non-zero facility.
  const pri = Number(s.slice(0, s.indexOf(',')));
  if (pri >> 3 !== 0) {
    const r = parseKernelMessage(s, msg, s.length, resolveSyscall);
    if (r.kind === 'other') return r;
    return { kind: 'issue', issue: { kind: 'untrusted', detail: `a /dev/kmsg record of facility ${pri >> 3}, written by user space, not the kernel` } };
  }
  return parseKernelMessage(s, msg, s.length, resolveSyscall);
}
