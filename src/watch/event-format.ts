// How `seccomp-tailor events` prints an event and its summary.
import type { ParseCounters, SeccompEvent } from '../../parsers/index.js';

/** The documented JSON keys, in order; undefined ones are left out. `container` is not a parser's. */
export function eventJson(e: SeccompEvent): string {
  return JSON.stringify({
    time: e.time, serial: e.serial, node: e.node, pid: e.pid, uid: e.uid, auid: e.auid,
    comm: e.comm, exe: e.exe, arch: e.arch, syscall: e.syscall, syscallName: e.syscallName,
    compat: e.compat, action: e.action, errno: e.errno, sig: e.sig, ip: e.ip, code: e.code,
  });
}

// comm and exe are chosen by the process that was denied: never let them drive a terminal
// (C0/C1 controls, DEL, bidi overrides).
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"\\]/g;
export function terminalSafe(s: string): string {
  return '"' + s.replace(UNSAFE, (c) => (c === '"' || c === '\\' ? '\\' + c : '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))) + '"';
}

export function eventText(e: SeccompEvent): string {
  const name = e.syscallName ?? '?';
  const errno = e.errno !== undefined ? ` errno=${e.errno}` : '';
  const node = e.node !== undefined ? ` node=${terminalSafe(e.node)}` : '';
  const exe = e.exe !== undefined ? ` exe=${terminalSafe(e.exe)}` : '';
  return `${e.time}${node} ${e.action}${errno} ${e.arch}${e.compat ? ' (compat)' : ''} ${name}(${e.syscall}) pid=${e.pid} comm=${terminalSafe(e.comm)}${exe} serial=${e.serial}`;
}

export function summaryText(c: ParseCounters): string {
  const issues = Object.entries(c.issues).filter(([, n]) => n > 0).map(([k, n]) => `${k}=${n}`);
  const issueTotal = Object.values(c.issues).reduce((a, b) => a + b, 0);
  return `events: ${c.events}; duplicates dropped: ${c.duplicates}; issues: ${issueTotal}${issues.length ? ` (${issues.join(', ')})` : ''}; loss notices: ${c.lossNotices} (records lost: ${c.lostRecords}); lines: ${c.lines}`;
}
