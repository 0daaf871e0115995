// The body of a SECCOMP record (type=1326), from kernel/auditsc.c audit_seccomp():
//   auid= uid= gid= ses= [subj=] pid= comm= exe= sig= arch= syscall= compat= ip= code=
// `code` is always the last kernel field; what follows a 0x1d byte (or, once that byte was lost
// in transit, an uppercase key right after the code's hex digits) is auditd's interpretation, which
// is ignored: it is sometimes wrong (SYSCALL=unknown-syscall(-1) for a valid x86_64 number).
import { decodeCode } from './actions.js';
import { archName } from './arch.js';
import { decodeUntrusted, isoTime, lossyHex, lowerHexEnd, parseDec } from './fields.js';
import type { ParseResult, SeccompEvent, SyscallResolver } from './types.js';

export interface RecordContext {
  sec: number;
  ms: number;
  /** Absent when the line carries none (journald's short audit lines): never invented. */
  serial?: number;
  node?: string;
  resolveSyscall: SyscallResolver;
}

/** The exact bytes (as the kernel's hex) of comm/exe values that are not valid UTF-8. */
interface RawValues {
  commHex?: string | undefined;
  exeHex?: string | undefined;
}

const GS = 0x1d;
const SPACE = 0x20;
const QUOTE = 0x22;

const issue = (kind: 'truncated' | 'malformed' | 'bad-field' | 'unknown-arch', detail: string): ParseResult =>
  ({ kind: 'issue', issue: { kind, detail } });

/** Parse the body s[start, end) of one SECCOMP record into an event, or say why not. */
export function parseSeccompBody(s: string, start: number, end: number, ctx: RecordContext): ParseResult {
  return parseInKernelOrder(s, start, end, ctx) ?? parseAnyOrder(s, start, end, ctx);
}

/** Index after `key` at i, or -1. */
function expect(s: string, i: number, key: string): number {
  return s.startsWith(key, i) ? i + key.length : -1;
}

/** End of a bare value: the next space, 0x1d or the end. */
function bareEnd(s: string, i: number, end: number): number {
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c === SPACE || c === GS) return i;
    i++;
  }
  return i;
}

/**
 * The hot path: every kernel since 4.14 writes the fields in one order, so read them in that order
 * with no key lookups. Anything unexpected (older kernels, edited copies) returns undefined and
 * the general reader below takes over.
 */
function parseInKernelOrder(s: string, p: number, end: number, ctx: RecordContext): ParseResult | undefined {
  const raw: RawValues = {};
  let e: number;
  // The body starts after `audit(...):`, with the space the kernel writes before `auid=`.
  if (s.charCodeAt(p) === SPACE) p++;
  if ((p = expect(s, p, 'auid=')) < 0) return undefined;
  e = bareEnd(s, p, end); const auid = parseDec(s, p, e);
  if ((p = expect(s, e + 1, 'uid=')) < 0) return undefined;
  e = bareEnd(s, p, end); const uid = parseDec(s, p, e);
  if ((p = expect(s, e + 1, 'gid=')) < 0) return undefined;
  e = bareEnd(s, p, end);
  if ((p = expect(s, e + 1, 'ses=')) < 0) return undefined;
  e = bareEnd(s, p, end);
  p = e + 1;
  if (s.startsWith('subj=', p)) {
    e = s.indexOf(' pid=', p);
    if (e < 0 || e >= end) return undefined;
    p = e + 1;
  }
  if ((p = expect(s, p, 'pid=')) < 0) return undefined;
  e = bareEnd(s, p, end); const pid = parseDec(s, p, e);
  if ((p = expect(s, e + 1, 'comm=')) < 0) return undefined;
  let comm: string;
  if (s.charCodeAt(p) === QUOTE) {
    e = s.indexOf('"', p + 1);
    if (e < 0 || e >= end) return undefined;
    comm = s.slice(p + 1, e);
    e++;
  } else {
    e = bareEnd(s, p, end);
    comm = decodeUntrusted(s, p, e, false);
    raw.commHex = lossyHex(s, p, e);
  }
  if ((p = expect(s, e + 1, 'exe=')) < 0) return undefined;
  let exe: string;
  if (s.charCodeAt(p) === QUOTE) {
    e = s.indexOf('"', p + 1);
    if (e < 0 || e >= end) return undefined;
    exe = s.slice(p + 1, e);
    e++;
  } else {
    e = bareEnd(s, p, end);
    exe = decodeUntrusted(s, p, e, false);
    raw.exeHex = lossyHex(s, p, e);
  }
  if ((p = expect(s, e + 1, 'sig=')) < 0) return undefined;
  e = bareEnd(s, p, end); const sig = parseDec(s, p, e);
  if ((p = expect(s, e + 1, 'arch=')) < 0) return undefined;
  e = bareEnd(s, p, end); const archHex = s.slice(p, e);
  if ((p = expect(s, e + 1, 'syscall=')) < 0) return undefined;
  e = bareEnd(s, p, end); const syscall = parseDec(s, p, e);
  if ((p = expect(s, e + 1, 'compat=')) < 0) return undefined;
  e = bareEnd(s, p, end); const compat = parseDec(s, p, e);
  if ((p = expect(s, e + 1, 'ip=')) < 0) return undefined;
  e = bareEnd(s, p, end); const ip = s.slice(p, e);
  if ((p = expect(s, e + 1, 'code=0x')) < 0) return undefined;
  e = lowerHexEnd(s, p, end);
  if (pid === undefined || syscall === undefined || e === p) return undefined;
  return finish(s.slice(p - 2, e), pid, uid, auid, comm, exe, sig, archHex, syscall, compat, ip, ctx, raw);
}

function parseAnyOrder(s: string, start: number, end: number, ctx: RecordContext): ParseResult {
  const raw: RawValues = {};
  let pid: number | undefined;
  let uid: number | undefined;
  let auid: number | undefined;
  let comm: string | undefined;
  let exe: string | undefined;
  let sig: number | undefined;
  let archHex: string | undefined;
  let syscall: number | undefined;
  let compat: number | undefined;
  let ip: string | undefined;
  let code: string | undefined;

  let p = start;
  while (p < end) {
    let c = s.charCodeAt(p);
    if (c === SPACE) { p++; continue; }
    if (c === GS) break;
    const eq = s.indexOf('=', p);
    if (eq < 0 || eq >= end) return issue('truncated', `record ends inside a field name at byte ${p}`);
    const keyStart = p;
    const keyLen = eq - p;
    let v = eq + 1;
    let ve: number;
    let quoted = false;
    if (keyLen === 4 && s.startsWith('subj', keyStart)) {
      // An LSM label may hold spaces and start with `=` (AppArmor "=unconfined", "(complain)").
      ve = s.indexOf(' pid=', v);
      if (ve < 0 || ve >= end) return issue('truncated', 'record ends inside subj=');
      p = ve;
      continue;
    }
    if (v < end && s.charCodeAt(v) === QUOTE) {
      const close = s.indexOf('"', v + 1);
      if (close < 0 || close >= end) return issue('truncated', `record ends inside a quoted ${s.slice(keyStart, eq)}= value`);
      quoted = true;
      v++;
      ve = close;
      p = close + 1;
    } else {
      ve = v;
      while (ve < end) {
        c = s.charCodeAt(ve);
        if (c === SPACE || c === GS) break;
        ve++;
      }
      p = ve;
    }
    switch (keyLen) {
      case 2:
        if (s.startsWith('ip', keyStart)) ip = s.slice(v, ve);
        break;
      case 3:
        if (s.startsWith('pid', keyStart)) pid = parseDec(s, v, ve) ?? -1;
        else if (s.startsWith('uid', keyStart)) uid = parseDec(s, v, ve);
        else if (s.startsWith('exe', keyStart)) { exe = decodeUntrusted(s, v, ve, quoted); raw.exeHex = quoted ? undefined : lossyHex(s, v, ve); }
        else if (s.startsWith('sig', keyStart)) sig = parseDec(s, v, ve);
        break;
      case 4:
        if (s.startsWith('auid', keyStart)) auid = parseDec(s, v, ve);
        else if (s.startsWith('comm', keyStart)) { comm = decodeUntrusted(s, v, ve, quoted); raw.commHex = quoted ? undefined : lossyHex(s, v, ve); }
        else if (s.startsWith('arch', keyStart)) archHex = s.slice(v, ve);
        else if (s.startsWith('code', keyStart)) {
          // The hex run alone: copies that lost the 0x1d glue `AUID=` straight onto it.
          const h = s.startsWith('0x', v) ? lowerHexEnd(s, v + 2, ve) : v;
          code = s.slice(v, h);
          p = end; // the last kernel field
        }
        break;
      case 6:
        if (s.startsWith('compat', keyStart)) compat = parseDec(s, v, ve);
        break;
      case 7:
        if (s.startsWith('syscall', keyStart)) syscall = parseDec(s, v, ve) ?? Number.NaN;
        break;
    }
  }

  if (code === undefined) return issue('truncated', 'record has no code= (cut short)');
  if (pid === undefined || comm === undefined || archHex === undefined || syscall === undefined) {
    return issue('malformed', 'record lacks one of pid, comm, arch, syscall');
  }
  if (pid < 0 || Number.isNaN(syscall)) return issue('bad-field', 'pid or syscall is not a decimal number');
  return finish(code, pid, uid, auid, comm, exe, sig, archHex, syscall, compat, ip, ctx, raw);
}

function finish(
  code: string, pid: number, uid: number | undefined, auid: number | undefined, comm: string, exe: string | undefined,
  sig: number | undefined, archHex: string, syscall: number, compat: number | undefined, ip: string | undefined, ctx: RecordContext,
  raw: RawValues,
): ParseResult {
  if (code.length < 3 || code.length > 10) return issue('bad-field', `code=${code} is not a seccomp return value`);
  const codeNum = Number.parseInt(code.slice(2), 16);
  const decoded = decodeCode(codeNum);
  if (decoded === undefined) return issue('bad-field', `code=${code} is not a seccomp return value`);
  const arch = archName(archHex, syscall);
  if (arch === undefined) return issue('unknown-arch', `arch=${archHex}`);

  const event: SeccompEvent = {
    time: isoTime(ctx.sec, ctx.ms),
    serial: ctx.serial,
    node: ctx.node,
    pid,
    uid,
    auid,
    comm,
    exe,
    arch,
    syscall,
    syscallName: ctx.resolveSyscall(arch, syscall),
    compat: compat === 1,
    action: decoded.action,
    errno: decoded.errno,
    sig,
    ip,
    code,
  };
  if (ctx.serial === undefined) delete event.serial;
  if (raw.commHex !== undefined) event.commHex = raw.commHex;
  if (raw.exeHex !== undefined) event.exeHex = raw.exeHex;
  return { kind: 'event', event };
}
