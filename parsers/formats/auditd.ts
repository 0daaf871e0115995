// auditd's own text (audit.log, the audisp af_unix plugin, audisp-syslog's message part):
//   [node=HOST ]type=SECCOMP msg=audit(EPOCH.MS:SERIAL): BODY[0x1d ENRICHMENT]
// auditd writes type=UNKNOWN[1326] when its own tables lack the name; raw netlink text says 1326.
import { decodeCode } from '../actions.js';
import { archNameOfNumber } from '../arch.js';
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

// --- The same records read from bytes ---------------------------------------------------------
// `events --count` over a 250 MB audit.log spends its time making strings of lines it then throws
// away. This reader looks at a line's bytes and answers without making any: 'other' for the records
// of other types (most of an audit.log), 'event' for a SECCOMP record in the kernel's own field
// order that parseAuditdRecord turns into an event (its identity goes into `key`), and 'undecided'
// for everything else, which the caller hands to the text parser. It follows parseAuditdRecord's
// kernel-order path step by step, so both read the same lines the same way (a test compares them
// on every sample line and on edited copies of them).

export const SCAN_UNDECIDED = -1;
export const SCAN_OTHER = 0;
export const SCAN_EVENT = 1;
export type ScanResult = typeof SCAN_UNDECIDED | typeof SCAN_OTHER | typeof SCAN_EVENT;

/** What de-duplication needs of a scanned event (parseAuditdRecord would give the same values). */
export interface ScannedKey {
  sec: number;
  ms: number;
  serial: number;
  pid: number;
  syscall: number;
}

// Plain arrays of small integers: V8 reads them faster than small typed arrays in the hot loop.
const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));
const B_TYPE = ascii('type=');
const B_HEADERS = SECCOMP_HEADERS.map(ascii);
const B_AUID = ascii('auid=');
const B_UID = ascii('uid=');
const B_GID = ascii('gid=');
const B_SES = ascii('ses=');
const B_SUBJ = ascii('subj=');
const B_SPACE_PID = ascii(' pid=');
const B_PID = ascii('pid=');
const B_COMM = ascii('comm=');
const B_EXE = ascii('exe=');
const B_SIG = ascii('sig=');
const B_ARCH = ascii('arch=');
const B_SYSCALL = ascii('syscall=');
const B_COMPAT = ascii('compat=');
const B_IP = ascii('ip=');
const B_CODE = ascii('code=0x');

/** b[i, end) starts with `pat`. */
function hasAt(b: Uint8Array, i: number, end: number, pat: readonly number[]): boolean {
  if (i < 0 || i + pat.length > end) return false;
  for (let k = 0; k < pat.length; k++) if (b[i + k] !== pat[k]) return false;
  return true;
}


function byteAt(b: Uint8Array, c: number, i: number, end: number): number {
  for (; i < end; i++) if (b[i] === c) return i;
  return -1;
}

/** parseDec on bytes; NaN where parseDec says undefined. */
function decAt(b: Uint8Array, a: number, e: number): number {
  let i = a;
  let neg = false;
  if (i < e && b[i] === 0x2d) { neg = true; i++; }
  if (i >= e || e - i > 16) return Number.NaN;
  let n = 0;
  for (; i < e; i++) {
    const c = b[i]! - 0x30;
    if (c < 0 || c > 9) return Number.NaN;
    n = n * 10 + c;
  }
  if (n > Number.MAX_SAFE_INTEGER) return Number.NaN;
  return neg ? -n : n;
}

/** Exactly eight hex digits (either case) as a number, or -1. */
function archAt(b: Uint8Array, a: number, e: number): number {
  if (e - a !== 8) return -1;
  let n = 0;
  for (let i = a; i < e; i++) {
    const c = b[i]!;
    const v = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
    if (v < 0) return -1;
    n = n * 16 + v;
  }
  return n;
}

const V_BARE = 0;
const V_NUMBER = 1; // pid, syscall: parseDec must accept them
const V_TEXT = 2; // comm, exe: "quoted" or bare hex
const V_ARCH = 3;
/** The kernel's fields from `auid=` to `ip=`, each key after one separator byte (parseInKernelOrder's steps). */
const HEAD: ReadonlyArray<readonly [readonly number[], number]> = [[B_AUID, V_BARE], [B_UID, V_BARE], [B_GID, V_BARE], [B_SES, V_BARE]];
const TAIL: ReadonlyArray<readonly [readonly number[], number]> = [
  [B_PID, V_NUMBER], [B_COMM, V_TEXT], [B_EXE, V_TEXT], [B_SIG, V_BARE], [B_ARCH, V_ARCH], [B_SYSCALL, V_NUMBER], [B_COMPAT, V_BARE], [B_IP, V_BARE], [B_CODE, V_BARE],
];

/** Read one line of bytes b[start, end) (no newline) as parseText would read its latin1 text. */
export function scanAuditdLine(b: Uint8Array, start: number, end: number, key: ScannedKey): ScanResult {
  if (end > start && b[end - 1] === 0x0d) end--;
  // `node=` lines are rare and their node name goes into the event: the text reader takes them.
  if (!hasAt(b, start, end, B_TYPE)) return SCAN_UNDECIDED;
  const t = start + 5 < end ? b[start + 5] : -1;
  if (t !== 0x53 && t !== 0x55 && t !== 0x31) return SCAN_OTHER;
  let h = -1;
  for (let i = 0; i < B_HEADERS.length; i++) {
    if (hasAt(b, start, end, B_HEADERS[i]!)) { h = start + B_HEADERS[i]!.length; break; }
  }
  if (h < 0) return SCAN_OTHER;
  // parseStamp, with its bounds.
  const dot = byteAt(b, 0x2e, h, end);
  if (dot < 0) return SCAN_UNDECIDED;
  const colon = byteAt(b, 0x3a, dot, end);
  if (colon < 0) return SCAN_UNDECIDED;
  const close = byteAt(b, 0x29, colon, end);
  if (close < 0) return SCAN_UNDECIDED;
  const sec = decAt(b, h, dot);
  const ms = decAt(b, dot + 1, colon);
  const serial = decAt(b, colon + 1, close);
  if (!(sec >= 0 && ms >= 0 && ms <= 999 && serial >= 0 && sec * 1000 + ms <= 8.64e15)) return SCAN_UNDECIDED;
  if (close + 1 >= end || b[close + 1] !== 0x3a) return SCAN_UNDECIDED;
  // parseInKernelOrder, field by field: a key, then its value up to a space or 0x1d.
  let p = close + 2;
  if (p < end && b[p] === 0x20) p++;
  let e = p - 1;
  for (let f = 0; f < HEAD.length; f++) {
    p = e + 1;
    const pat = HEAD[f]![0];
    if (p + pat.length > end) return SCAN_UNDECIDED;
    for (let k = 0; k < pat.length; k++) if (b[p + k] !== pat[k]) return SCAN_UNDECIDED;
    for (e = p + pat.length; e < end; e++) { const c = b[e]; if (c === 0x20 || c === 0x1d) break; }
  }
  p = e + 1;
  if (hasAt(b, p, end, B_SUBJ)) {
    let at = -1;
    for (let i = p; i + B_SPACE_PID.length <= end; i++) if (hasAt(b, i, end, B_SPACE_PID)) { at = i; break; }
    if (at < 0) return SCAN_UNDECIDED;
    p = at + 1;
  }
  let pid = Number.NaN;
  let syscall = Number.NaN;
  let arch = -1;
  for (let f = 0; f < TAIL.length; f++) {
    if (f > 0) p = e + 1;
    const pat = TAIL[f]![0]; // not `const [pat, kind] =`: array destructuring runs the iterator protocol
    const kind = TAIL[f]![1];
    if (p + pat.length > end) return SCAN_UNDECIDED;
    for (let k = 0; k < pat.length; k++) if (b[p + k] !== pat[k]) return SCAN_UNDECIDED;
    p += pat.length;
    if (kind === V_TEXT && p < end && b[p] === 0x22) {
      e = byteAt(b, 0x22, p + 1, end);
      if (e < 0) return SCAN_UNDECIDED;
      e++;
      continue;
    }
    if (f === TAIL.length - 1) break; // code=0x: its hex run, below
    for (e = p; e < end; e++) { const c = b[e]; if (c === 0x20 || c === 0x1d) break; }
    if (kind === V_NUMBER) {
      if (f === 0) pid = decAt(b, p, e);
      else syscall = decAt(b, p, e);
    } else if (kind === V_ARCH) arch = archAt(b, p, e);
  }
  let code = 0;
  for (e = p; e < end; e++) {
    const c = b[e]!;
    if (c >= 0x30 && c <= 0x39) code = code * 16 + (c - 0x30);
    else if (c >= 0x61 && c <= 0x66) code = code * 16 + (c - 0x57);
    else break;
  }
  if (Number.isNaN(pid) || Number.isNaN(syscall) || e === p) return SCAN_UNDECIDED;
  // finish(): what would make it an issue instead of an event is left to the text reader.
  if (e - p > 8 || decodeCode(code) === undefined) return SCAN_UNDECIDED;
  if (arch < 0 || archNameOfNumber(arch, syscall) === undefined) return SCAN_UNDECIDED;
  key.sec = sec;
  key.ms = ms;
  key.serial = serial;
  key.pid = pid;
  key.syscall = syscall;
  return SCAN_EVENT;
}
