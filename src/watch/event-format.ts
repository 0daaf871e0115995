// How `seccomp-tailor events` prints an event and its summary.
import type { ParseCounters, SeccompEvent } from '../../parsers/index.js';
import { quoteTerminal } from '../terminal/escape.js';

// Strings that JSON.stringify would change: quotes, backslashes, controls, lone surrogates.
const JSON_UNSAFE = /["\\\u0000-\u001f\ud800-\udfff]/;
const str = (v: string) => (JSON_UNSAFE.test(v) ? JSON.stringify(v) : '"' + v + '"');

/**
 * The documented JSON keys, in order; undefined ones are left out. `container` is not a parser's.
 * Built by hand: it is the bulk of `events --json` time, and gives the same text as JSON.stringify.
 */
export function eventJson(e: SeccompEvent): string {
  let j = '{"time":' + str(e.time);
  if (e.serial !== undefined) j += ',"serial":' + e.serial;
  if (e.node !== undefined) j += ',"node":' + str(e.node);
  j += ',"pid":' + e.pid;
  if (e.uid !== undefined) j += ',"uid":' + e.uid;
  if (e.auid !== undefined) j += ',"auid":' + e.auid;
  j += ',"comm":' + str(e.comm);
  if (e.commHex !== undefined) j += ',"commHex":' + str(e.commHex);
  if (e.exe !== undefined) j += ',"exe":' + str(e.exe);
  if (e.exeHex !== undefined) j += ',"exeHex":' + str(e.exeHex);
  j += ',"arch":' + str(e.arch) + ',"syscall":' + e.syscall;
  if (e.syscallName !== undefined) j += ',"syscallName":' + str(e.syscallName);
  j += ',"compat":' + e.compat + ',"action":"' + e.action + '"';
  if (e.errno !== undefined) j += ',"errno":' + e.errno;
  if (e.sig !== undefined) j += ',"sig":' + e.sig;
  if (e.ip !== undefined) j += ',"ip":' + str(e.ip);
  return j + ',"code":' + str(e.code) + '}';
}

export function eventText(e: SeccompEvent): string {
  const name = e.syscallName ?? '?';
  const errno = e.errno !== undefined ? ` errno=${e.errno}` : '';
  const node = e.node !== undefined ? ` node=${quoteTerminal(e.node)}` : '';
  const exe = e.exe !== undefined ? ` exe=${quoteTerminal(e.exe)}` : '';
  return `${e.time}${node} ${e.action}${errno} ${e.arch}${e.compat ? ' (compat)' : ''} ${name}(${e.syscall}) pid=${e.pid} comm=${quoteTerminal(e.comm)}${exe}${e.serial !== undefined ? ` serial=${e.serial}` : ''}`;
}

export function summaryText(c: ParseCounters): string {
  const issues = Object.entries(c.issues).filter(([, n]) => n > 0).map(([k, n]) => `${k}=${n}`);
  const issueTotal = Object.values(c.issues).reduce((a, b) => a + b, 0);
  const syslog = c.fromSyslog > 0 ? `; ${c.fromSyslog} of the events from syslog lines, which any local user can write (logger -t kernel): not proof of a kernel record` : '';
  return `events: ${c.events}; duplicates dropped: ${c.duplicates}; issues: ${issueTotal}${issues.length ? ` (${issues.join(', ')})` : ''}; loss notices: ${c.lossNotices} (records lost: ${c.lostRecords}); lines: ${c.lines}${syslog}`;
}
