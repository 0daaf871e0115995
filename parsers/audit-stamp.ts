// The `audit(EPOCH.MS:SERIAL)` stamp of ANY audit record (not only SECCOMP), for the watcher's
// serial-gap accounting: the kernel gives every audit event one serial from a single counter
// (kernel/audit.c audit_serial()), so a serial that never shows up is an event that never arrived.
import { parseStamp } from './fields.js';

export interface AuditStamp {
  sec: number;
  ms: number;
  serial: number;
}

/** The first `audit(…)` stamp in `text` within its first 200 characters (where every format puts it). */
export function findAuditStamp(text: string): AuditStamp | undefined {
  const at = text.indexOf('audit(');
  if (at < 0 || at > 200) return undefined;
  const s = parseStamp(text, at + 6, Math.min(text.length, at + 60));
  return s ? { sec: s.sec, ms: s.ms, serial: s.serial } : undefined;
}
