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
  return parseKernelMessage(s, msg, s.length, resolveSyscall);
}
