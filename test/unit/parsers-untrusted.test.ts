// Lines user space can write that look like kernel SECCOMP records: syslog lines (logger -t kernel),
// /dev/kmsg writes (facility user), journald entries of another transport. Byte for byte as the
// writers produce them (logger 2.38 over TCP, printf to /dev/kmsg read back, journalctl -o json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLineParser, parseLine } from '../../parsers/index.js';
import { readFileSync } from 'node:fs';
import { packagePath } from '../../src/native/package-root.js';
import { resolveSyscall } from '../helpers/parser-samples.js';

const BODY = 'audit: type=1326 audit(1796156000.123:77): auid=1000 uid=1000 gid=1000 ses=3 pid=4242 comm="evil" exe="/tmp/evil" sig=0 arch=c000003e syscall=63 compat=0 ip=0x4011d6 code=0x7ffc0000';
const opts = { resolveSyscall, yearHint: 2026 };

test('kmsg: a record of facility user (a write to /dev/kmsg) is untrusted; facility kern is the kernel', () => {
  // `echo "audit: ..." > /dev/kmsg` reads back as PRI 12 (user.warning); the kernel's own as 4/5/6.
  const forged = parseLine(`12,1893,52000000000,-;${BODY}`, opts);
  assert.equal(forged.kind, 'issue');
  assert.equal(forged.kind === 'issue' && forged.issue.kind, 'untrusted');
  // `<0>` asked by the writer still ends as facility user: the kernel keeps only a non-zero facility.
  assert.equal(parseLine(`8,1894,52000000001,-;${BODY}`, opts).kind, 'issue');
  assert.equal(parseLine(`5,1895,52000000002,-;${BODY}`, opts).kind, 'event');
  // Other user-space lines stay what they were: not records, not issues.
  assert.equal(parseLine('12,1896,52000000003,-;hello from user space', opts).kind, 'other');
});

const SYSLOG = [
  `<13>Dec  1 20:11:12 vm kernel: ${BODY}`, // logger --rfc3164 -t kernel (user.notice)
  `<11>Dec  1 20:11:12 vm kernel: ${BODY}`, // logger -p kern.err: logger turns kern into user
  `<13>1 2026-12-01T20:11:12.662847+00:00 vm kernel - - [timeQuality tzKnown="1" isSynced="0"] ${BODY}`,
  `Dec  1 20:11:12 vm kernel: ${BODY}`, // rsyslog's traditional file format: no PRI left
];

test('syslog: records are refused, accepted only by facility kern where the line has a PRI, or accepted marked', () => {
  for (const line of SYSLOG) {
    const r = parseLine(line, { ...opts, syslog: 'refuse' });
    assert.equal(r.kind === 'issue' && r.issue.kind, 'untrusted', line);
    const a = parseLine(line, opts);
    assert.equal(a.kind === 'event' && a.via, 'syslog', line);
  }
  for (const line of SYSLOG.slice(0, 3)) assert.equal(parseLine(line, { ...opts, syslog: 'kernel-facility' }).kind, 'issue', line);
  assert.equal(parseLine(SYSLOG[3]!, { ...opts, syslog: 'kernel-facility' }).kind, 'event');
  assert.equal(parseLine(`<4>Dec  1 20:11:12 vm kernel: ${BODY}`, { ...opts, syslog: 'kernel-facility' }).kind, 'event');
  // Ordinary syslog lines are not issues whatever the trust.
  assert.equal(parseLine('<13>Dec  1 20:11:12 vm cron[12]: (root) CMD (true)', { ...opts, syslog: 'refuse' }).kind, 'other');
});

test('journald: a kernel-shaped line from the syslog transport is untrusted', () => {
  const forged = JSON.stringify({ _TRANSPORT: 'syslog', SYSLOG_IDENTIFIER: 'kernel', SYSLOG_FACILITY: '0', MESSAGE: BODY });
  const r = parseLine(forged, opts);
  assert.equal(r.kind === 'issue' && r.issue.kind, 'untrusted');
  assert.equal(parseLine(JSON.stringify({ _TRANSPORT: 'kernel', SYSLOG_FACILITY: '0', MESSAGE: BODY }), opts).kind, 'event');
});

test('journald: a user-space write to /dev/kmsg (kernel transport, facility user) is untrusted (issue 19)', () => {
  // `echo "<0>x: audit: type=1326 ..." > /dev/kmsg`: journald stores _TRANSPORT=kernel, strips `x:`
  // as SYSLOG_IDENTIFIER, and keeps the facility the kernel forced (user, 1).
  const forged = { _TRANSPORT: 'kernel', SYSLOG_FACILITY: '1', SYSLOG_IDENTIFIER: 'x', PRIORITY: '0', MESSAGE: BODY };
  const r = parseLine(JSON.stringify(forged), opts);
  assert.equal(r.kind === 'issue' && r.issue.kind, 'untrusted');
  assert.match(r.kind === 'issue' ? r.issue.detail : '', /SYSLOG_FACILITY=1/);
  // No facility at all (an older journalctl asked for fewer fields) is no proof either.
  const { SYSLOG_FACILITY: _f, ...bare } = forged;
  assert.equal(parseLine(JSON.stringify({ ...bare, SYSLOG_IDENTIFIER: 'kernel' }), opts).kind, 'issue');
  // The kernel's own line, as journald stored it (samples/logs/journald-json.log, captured):
  // SYSLOG_FACILITY "0", SYSLOG_IDENTIFIER "kernel".
  const real = readFileSync(packagePath('samples', 'logs', 'journald-json.log'), 'utf8').split('\n').find((l) => l.includes('"MESSAGE":"audit: type=1326'))!;
  assert.equal(parseLine(real, opts).kind, 'event');
  assert.equal(parseLine(real.replace('"SYSLOG_FACILITY":"0"', '"SYSLOG_FACILITY":"1"'), opts).kind, 'issue');
});

// What `dmesg -S -r` printed for a container's AUDIT_USER message (type 1107) whose text held a
// newline: syslog(2) split it and gave the second half the record's own `<5>` (kern.notice).
const SPLIT = [
  `<5>[ 2703.282107] audit: type=1107 audit(1796156000.123:76): pid=4300 uid=0 auid=4294967295 ses=4294967295 msg='x`,
  `<5>[ 2703.282107] ${BODY}'`,
];

test('dmesg: records are refused unless trusted, and then only with a kern <PRI> (issue 19)', () => {
  const lines = [SPLIT[1]!, `[ 2703.282107] ${BODY}`, `2026-12-01T20:11:12,662847+00:00 ${BODY}`, `<5>[ 2703.282107][   T55] ${BODY}`];
  for (const line of lines) {
    const r = parseLine(line, { ...opts, syslog: 'refuse' });
    assert.equal(r.kind === 'issue' && r.issue.kind, 'untrusted', line);
    assert.match(r.kind === 'issue' ? r.issue.detail : '', /--trust-syslog/);
    const a = parseLine(line, opts);
    assert.equal(a.kind === 'event' && a.via, 'syslog', line);
  }
  // Trusting syslog(2) text: a kern PRI passes (the forged half does too: that is the risk the flag
  // names), no PRI (user-space /dev/kmsg writes look the same there) or facility user does not.
  assert.equal(parseLine(SPLIT[1]!, { ...opts, syslog: 'kernel-facility' }).kind, 'event');
  for (const line of lines.slice(1, 3)) assert.equal(parseLine(line, { ...opts, syslog: 'kernel-facility' }).kind, 'issue', line);
  assert.equal(parseLine(`<12>[ 2703.282107] ${BODY}`, { ...opts, syslog: 'kernel-facility' }).kind, 'issue');
  // The first half is not a SECCOMP record at all; losses follow the same trust.
  assert.equal(parseLine(SPLIT[0]!, { ...opts, syslog: 'refuse' }).kind, 'other');
  assert.equal(parseLine('<4>[ 1.0] kauditd_printk_skb: 3 callbacks suppressed', { ...opts, syslog: 'refuse' }).kind, 'issue');
});

test('the stream counts untrusted lines and the events read from syslog', () => {
  const p = createLineParser({ resolveSyscall });
  // Distinct serials: the same record twice is de-duplicated.
  [...SYSLOG, `12,1,1,-;${BODY}`].forEach((l, i) => p.push(l.replace(':77)', `:${100 + i})`)));
  assert.equal(p.counters.fromSyslog, 4);
  assert.equal(p.counters.issues.untrusted, 1);
});
