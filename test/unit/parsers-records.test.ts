// What the parsers must get exactly right, one behaviour per test, on real record text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLineParser, createLineSplitter, decodeCode, detectFormat, parseLine, type ParseResult, type SeccompEvent } from '../../parsers/index.js';
import { parseSample, readSample, resolveSyscall } from '../helpers/parser-samples.js';

const opts = { resolveSyscall, yearHint: 2026 };
const BODY = 'auid=4294967295 uid=0 gid=0 ses=4294967295 pid=5506 comm="sh" exe="/bin/busybox" sig=0 arch=c000003e syscall=63 compat=0 ip=0x460997 code=0x7ffc0000';

function event(r: ParseResult): SeccompEvent {
  assert.equal(r.kind, 'event', JSON.stringify(r));
  return (r as { event: SeccompEvent }).event;
}
const issueKind = (r: ParseResult) => (r.kind === 'issue' ? r.issue.kind : r.kind);

test('a record header is matched, never a substring: hostile comm values from a real kernel', () => {
  const { events } = parseSample(readSample('auditd-enriched.log'));
  const comms = events.map((e) => e.comm);
  for (const hostile of ['type=SECCOMP', 'code=0x80000000', 'msg=audit(1.1:1']) {
    const e = events.find((x) => x.comm === hostile);
    assert.ok(e, hostile);
    assert.equal(e.action, 'log');
    assert.equal(e.code, '0x7ffc0000');
    assert.equal(e.syscallName, 'chdir');
  }
  // Hex-encoded by the kernel because of space, newline, escape and quote; and UTF-8 text.
  assert.ok(comms.includes('a b\nc\u001b"x'));
  assert.ok(comms.includes('你好'));
  // A SYSCALL record whose comm is "type=SECCOMP" is not a SECCOMP record.
  assert.equal(parseLine('type=SYSCALL msg=audit(1.100:5): arch=c000003e syscall=59 comm="type=SECCOMP" exe="/x"', opts).kind, 'other');
});

test('actions from code: log, kill_process, errno without data, trap (real runs)', () => {
  const { events } = parseSample(readSample('kmsg.log'));
  const by = (name: string) => events.find((e) => e.syscallName === name)!;
  assert.deepEqual([by('uname').action, by('mkdir').action, by('chmod').action, by('sethostname').action], ['log', 'kill_process', 'errno', 'trap']);
  assert.equal(by('mkdir').sig, 31);
  // Since Linux 4.14 the logged code is masked to the action: no errno to report.
  assert.equal(by('chmod').code, '0x50000');
  assert.equal(by('chmod').errno, undefined);
});

test('decodeCode: every action, errno from the low bits, and impossible values refused', () => {
  assert.deepEqual(decodeCode(0x0), { action: 'kill_thread' });
  assert.deepEqual(decodeCode(0x80000000), { action: 'kill_process' });
  assert.deepEqual(decodeCode(0x7fc00000), { action: 'user_notif' });
  assert.deepEqual(decodeCode(0x7ff00000), { action: 'trace' });
  assert.deepEqual(decodeCode(0x7fff0000), { action: 'allow' });
  assert.deepEqual(decodeCode(0x5000d), { action: 'errno', errno: 13 });
  // Prefixes of real codes, as a record cut short would show them.
  for (const cut of [0x7ffc, 0x7ffc000, 0x8000000, 0x5000, 0x3000, 0x7fc0000]) assert.equal(decodeCode(cut), undefined, cut.toString(16));
});

test('arch and syscall: x86_64, i386, aarch64 (public records), x32 bit, -1', () => {
  const pub = parseSample(readSample('public-fixtures.log')).events;
  const i386 = pub.find((e) => e.arch === 'x86')!;
  assert.equal(i386.syscallName, 'getpgid');
  assert.equal(i386.action, 'kill_thread');
  const arm = pub.find((e) => e.arch === 'aarch64')!;
  assert.deepEqual([arm.syscall, arm.syscallName, arm.action], [227, 'msync', 'kill_process']);
  const x32 = event(parseLine(`type=SECCOMP msg=audit(1.000:1): ${BODY.replace('syscall=63', 'syscall=1073741825')}`, opts));
  assert.deepEqual([x32.arch, x32.syscallName], ['x32', 'write']);
  const minus = event(parseLine(`type=SECCOMP msg=audit(1.000:1): ${BODY.replace('syscall=63', 'syscall=-1')}`, opts));
  assert.deepEqual([minus.syscall, minus.syscallName], [-1, undefined]);
  assert.equal(issueKind(parseLine(`type=SECCOMP msg=audit(1.000:1): ${BODY.replace('c000003e', 'deadbeef')}`, opts)), 'unknown-arch');
});

test('enriched: the 0x1d part is ignored (auditd said SYSCALL=unknown-syscall(-1) for uname), also when 0x1d was lost', () => {
  const line = `type=SECCOMP msg=audit(1795877486.467:546): ${BODY}\u001dAUID="unset" UID="root" GID="root" ARCH=x86_64 SYSCALL=unknown-syscall(-1)`;
  const e = event(parseLine(Buffer.from(line, 'latin1'), opts));
  assert.deepEqual([e.time, e.serial, e.syscallName, e.code], ['2026-11-28T14:51:26.467Z', 546, 'uname', '0x7ffc0000']);
  const glued = event(parseLine(`type=SECCOMP msg=audit(1.000:1): ${BODY}AUID="unset" ARCH=x86_64`, opts));
  assert.equal(glued.code, '0x7ffc0000');
  const spaced = event(parseLine(`Nov 28 14:51:26 vm audisp-syslog: node=n1 type=SECCOMP msg=audit(1.000:1): ${BODY} AUID="unset"`, opts));
  assert.deepEqual([spaced.node, spaced.code], ['n1', '0x7ffc0000']);
});

test('subj with spaces or a leading "=" does not derail the fields after it', () => {
  const e = event(parseLine(`type=SECCOMP msg=audit(1.000:1): auid=1 uid=0 gid=0 ses=1 subj==varmor-demo//null-/bin/sleep (complain) pid=9 comm="sleep" exe="/bin/sleep" sig=0 arch=c000003e syscall=11 compat=0 ip=0x7f code=0x7ffc0000`, opts));
  assert.deepEqual([e.pid, e.comm, e.syscallName], [9, 'sleep', 'munmap']);
});

test('a record cut by the kernel mid-exe (real kmsg line) is a truncated issue, never an event', () => {
  const kmsg = readSample('kmsg.log').toString('latin1').split('\n').find((l) => l.includes('dddd'))!;
  assert.ok(kmsg.length > 1000);
  assert.equal(issueKind(parseLine(Buffer.from(kmsg, 'latin1'), opts)), 'truncated');
});

test('every source form of the same record gives the same event', () => {
  const want = event(parseLine(`audit: type=1326 audit(1795877363.731:2): ${BODY}`, opts));
  const forms = [
    `type=SECCOMP msg=audit(1795877363.731:2): ${BODY}`,
    `type=UNKNOWN[1326] msg=audit(1795877363.731:2): ${BODY}`,
    `5,344,360143869,-;audit: type=1326 audit(1795877363.731:2): ${BODY}`,
    `[  360.143869] audit: type=1326 audit(1795877363.731:2): ${BODY}`,
    `<5>[  360.143869] audit: type=1326 audit(1795877363.731:2): ${BODY}`,
    `[Sat Nov 28 14:49:23 2026] audit: type=1326 audit(1795877363.731:2): ${BODY}`,
    `2026-11-28T14:49:23,143869+00:00 audit: type=1326 audit(1795877363.731:2): ${BODY}`,
    `Nov 28 14:51:09 vm kernel: [  360.143869] audit: type=1326 audit(1795877363.731:2): ${BODY}`,
    `Dec 21 15:35:05 n57 kernel: [26083697.716609][   T55] audit: type=1326 audit(1795877363.731:2): ${BODY}`,
    `<5>Nov 28 14:51:09 vm kernel: [  360.143869] audit: type=1326 audit(1795877363.731:2): ${BODY}`,
    `2026-11-28T14:51:09.754113+00:00 vm kernel: [  360.143869] audit: type=1326 audit(1795877363.731:2): ${BODY}`,
    `<5>1 2026-11-28T14:51:09.754113+00:00 vm kernel - - - [  360.143869] audit: type=1326 audit(1795877363.731:2): ${BODY}`,
    `Nov 28 14:51:26 vm audisp-syslog: type=SECCOMP msg=audit(1795877363.731:2): ${BODY} AUID="unset"`,
    JSON.stringify({ _TRANSPORT: 'kernel', SYSLOG_FACILITY: '0', MESSAGE: `audit: type=1326 audit(1795877363.731:2): ${BODY}` }),
    JSON.stringify({ _TRANSPORT: 'audit', _AUDIT_TYPE: '1326', _AUDIT_ID: '2', _SOURCE_REALTIME_TIMESTAMP: '1795877363731000', MESSAGE: `SECCOMP ${BODY}` }),
  ];
  for (const f of forms) assert.deepEqual(event(parseLine(f, opts)), want, f.slice(0, 60));
});

test('journald short forms of the audit transport: time from the line, no serial', () => {
  const precise = event(parseLine(`Nov 28 14:53:05.931000 vm audit[9263]: SECCOMP ${BODY}`, opts));
  assert.deepEqual([precise.time, precise.serial], ['2026-11-28T14:53:05.931Z', undefined]);
  assert.equal(event(parseLine(`1795877585.931000 vm audit[9263]: SECCOMP ${BODY}`, opts)).time, '2026-11-28T14:53:05.931Z');
  assert.equal(event(parseLine(`2026-11-28T14:53:05.931000+0000 vm audit[9263]: SECCOMP ${BODY}`, opts)).time, '2026-11-28T14:53:05.931Z');
  // No year, no wall clock: an issue rather than a guess.
  assert.equal(issueKind(parseLine(`Nov 28 14:53:05 vm audit[9263]: SECCOMP ${BODY}`, { resolveSyscall })), 'bad-field');
  assert.equal(issueKind(parseLine(`[  582.344726] vm audit[9263]: SECCOMP ${BODY}`, opts)), 'bad-field');
  // Another program's tag cannot pass for the audit transport.
  assert.equal(parseLine(`Nov 28 14:53:05 vm evil[1]: SECCOMP ${BODY}`, opts).kind, 'other');
});

test('journald JSON: a non-UTF-8 field arrives as bytes; the same record from two transports is reported once', () => {
  const bytes = [...Buffer.from(`SECCOMP ${BODY}`)];
  const e = event(parseLine(JSON.stringify({ _TRANSPORT: 'audit', _AUDIT_TYPE: '1326', _AUDIT_ID: '7', _SOURCE_REALTIME_TIMESTAMP: '1000000', MESSAGE: bytes }), opts));
  assert.equal(e.serial, 7);
  const { counters, events } = parseSample(readSample('journald-json.log'));
  assert.equal(counters.duplicates, 20);
  const keys = events.map((x) => `${x.time}|${x.serial}`);
  assert.equal(new Set(keys).size, keys.length);
});

test('loss notices: kmsg rate limit and audit_lost (a running total) with counts', () => {
  const { counters } = parseSample(readSample('dmesg-audit-lost.log'));
  // 1 + 1 suppressed, audit_lost 1 -> 67 -> 161: 161 lost in all.
  assert.equal(counters.lossNotices, 5);
  assert.equal(counters.lostRecords, 163);
  const r = parseLine('6,1,2,-;kauditd_printk_skb: 9 callbacks suppressed', opts);
  assert.deepEqual(r, { kind: 'loss', loss: { source: 'kmsg-ratelimit', count: 9, detail: 'kauditd_printk_skb: 9 callbacks suppressed' } });
});

test('garbage, binary and huge lines are counted issues, not exceptions', () => {
  assert.equal(issueKind(parseLine(Buffer.from([0, 1, 2, 0xff, 0x41]), opts)), 'binary');
  assert.equal(issueKind(parseLine('hello world', opts)), 'malformed');
  assert.equal(issueKind(parseLine('x'.repeat(10 * 1024 * 1024), opts)), 'oversize');
  const p = createLineParser(opts);
  const got: string[] = [];
  const sp = createLineSplitter({ line: (l) => got.push(issueKind(p.push(l, true))), oversize: (n) => got.push(issueKind(p.oversize(n))) });
  const big = Buffer.alloc(10 * 1024 * 1024, 0x61);
  sp.push(Buffer.from(`type=SECCOMP msg=audit(1.000:1): ${BODY}\n`));
  for (let i = 0; i < big.length; i += 1 << 20) sp.push(big.subarray(i, i + (1 << 20)));
  sp.push(Buffer.from(`\ntype=SECCOMP msg=audit(1.000:2): ${BODY}\n`));
  sp.end();
  assert.deepEqual(got, ['event', 'oversize', 'event']);
  assert.equal(p.counters.issues.oversize, 1);
});

test('kmsg continuation lines belong to the record before them', () => {
  const { counters } = parseSample(Buffer.from('5,340,1,-;virtio_blk virtio1: new size\n SUBSYSTEM=virtio\n DEVICE=+virtio:virtio1\n'));
  assert.equal(counters.events + Object.values(counters.issues).reduce((a, b) => a + b, 0), 0);
});

test('splitter offsets are exact byte positions across chunk boundaries', () => {
  const text = Buffer.from('ab\ncdé\n\nlast');
  const seen: Array<[string, number, number]> = [];
  const sp = createLineSplitter({ line: (l, a, b) => seen.push([l, a, b]), oversize: () => assert.fail() }, 100);
  for (let i = 0; i < text.length; i++) sp.push(text.subarray(i, i + 1));
  assert.equal(sp.offset, 100 + 9);
  sp.end();
  assert.deepEqual(seen.map(([l, a, b]) => [Buffer.from(l, 'latin1').toString(), a, b]), [['ab', 100, 102], ['cdé', 103, 107], ['', 108, 108], ['last', 109, 113]]);
});

test('de-duplication memory is bounded: a repeat beyond the window is reported again', () => {
  const p = createLineParser({ ...opts, dedupeWindow: 4 });
  const line = (serial: number) => `type=SECCOMP msg=audit(1.000:${serial}): ${BODY}`;
  for (let i = 1; i <= 4; i++) p.push(line(i));
  assert.equal(p.push(line(1)).kind, 'other'); // still remembered
  for (let i = 5; i <= 9; i++) p.push(line(i));
  assert.equal(p.push(line(2)).kind, 'event'); // forgotten
});

test('detectFormat on one line of each source', () => {
  assert.equal(detectFormat('type=EOE msg=audit(1.1:1): '), 'auditd');
  assert.equal(detectFormat('6,1,2,-;x'), 'kmsg');
  assert.equal(detectFormat(' SUBSYSTEM=x'), 'continuation');
  assert.equal(detectFormat('[  1.0] x'), 'dmesg');
  assert.equal(detectFormat('<5>[  1.0] x'), 'dmesg');
  assert.equal(detectFormat('2026-11-28T14:49:58,359123+00:00 x'), 'dmesg');
  assert.equal(detectFormat('2026-11-28T14:49:58.359123+00:00 vm kernel: x'), 'syslog');
  assert.equal(detectFormat('<5>1 2026-11-28T14:49:58Z vm kernel - - - x'), 'syslog');
  assert.equal(detectFormat('{"MESSAGE":"x"}'), 'journald-json');
});

test('a serial the line does not carry is omitted, never invented (journald short lines of the audit transport)', async () => {
  const { eventJson } = await import('../../src/watch/event-format.js');
  // Real lines: journald's short output of the audit transport, and auditd's raw record of the same kind.
  for (const [line, serial] of [
    [`Nov 28 14:53:05.931000 vm audit[9263]: SECCOMP ${BODY}`, undefined],
    [`2026-11-28T14:53:05.931000+0000 vm audit[9263]: SECCOMP ${BODY}`, undefined],
    [`type=SECCOMP msg=audit(1795877585.931:4233): ${BODY}`, 4233],
  ] as const) {
    const e = event(parseLine(line, opts));
    assert.equal(e.serial, serial, line);
    assert.equal('serial' in e, serial !== undefined, line);
    const json = JSON.parse(eventJson(e)) as Record<string, unknown>;
    assert.equal(json.serial, serial, line);
    assert.equal('serial' in json, serial !== undefined, line);
  }
  // Two serial-less records are never taken for repeats of each other.
  const p = createLineParser(opts);
  const l = `Nov 28 14:53:05.931000 vm audit[9263]: SECCOMP ${BODY}`;
  assert.equal(p.push(l).kind, 'event');
  assert.equal(p.push(l).kind, 'event');
});

test('a hex comm cut mid-character by the kernel decodes with U+FFFD, and keeps its exact bytes in commHex', async () => {
  const { eventJson } = await import('../../src/watch/event-format.js');
  // The kernel keeps 15 bytes of comm: nine "ñ" (C3 B1) become seven and a lone C3. A real record
  // (from the audit netlink socket, this kernel, a program named ñññññññññ under a LOG filter),
  // in its netlink/kmsg form and in audit.log's.
  const cut = 'C3B1C3B1C3B1C3B1C3B1C3B1C3B1C3';
  const real = 'audit(1796159832.072:5883446): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=18489 comm=C3B1C3B1C3B1C3B1C3B1C3B1C3B1C3 exe=2F746D702F612D782FC3B1C3B1C3B1C3B1C3B1C3B1C3B1C3B1C3B1 sig=0 arch=c000003e syscall=63 compat=0 ip=0x7f28ccc67b07 code=0x7ffc0000';
  for (const [line, comm, commHex] of [
    [`audit: type=1326 ${real}`, 'ñññññññ\ufffd', cut],
    [`type=SECCOMP msg=${real}`, 'ñññññññ\ufffd', cut],
    // Valid UTF-8 in hex (the kernel hex-encodes anything with a space or non-ASCII): no commHex.
    ['type=SECCOMP msg=audit(1795877486.467:552): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=7073 comm=E4BDA0E5A5BD exe="/bin/busybox" sig=0 arch=c000003e syscall=80 compat=0 ip=0x47bdb7 code=0x7ffc0000', '你好', undefined],
    ['type=SECCOMP msg=audit(1795877486.467:551): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=7073 comm=6120620A631B2278 exe="/bin/busybox" sig=0 arch=c000003e syscall=80 compat=0 ip=0x47bdb7 code=0x7ffc0000', 'a b\nc\u001b"x', undefined],
    // A quoted comm that happens to look like hex is the text itself.
    ['type=SECCOMP msg=audit(1795877486.467:553): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=7073 comm="C3" exe="/bin/busybox" sig=0 arch=c000003e syscall=80 compat=0 ip=0x47bdb7 code=0x7ffc0000', 'C3', undefined],
  ] as const) {
    const e = event(parseLine(line, opts));
    assert.equal(e.comm, comm, line);
    assert.equal(e.commHex, commHex, line);
    const json = JSON.parse(eventJson(e)) as Record<string, unknown>;
    assert.equal(json.comm, comm);
    assert.equal(json.commHex, commHex);
    assert.equal('commHex' in json, commHex !== undefined);
  }
  // Its exe is valid UTF-8 in hex: decoded, no exeHex.
  const r = event(parseLine(`type=SECCOMP msg=${real}`, opts));
  assert.deepEqual([r.exe, r.exeHex], ['/tmp/a-x/ñññññññññ', undefined]);
  // exe gets the same treatment.
  const e = event(parseLine(`type=SECCOMP msg=audit(1796157000.120:20002): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=7073 comm="sh" exe=2F746D702FC3 sig=0 arch=c000003e syscall=1 compat=0 ip=0x47bdb7 code=0x7ffc0000`, opts));
  assert.deepEqual([e.exe, e.exeHex], ['/tmp/\ufffd', '2F746D702FC3']);
});

test('a stamp past the last instant Date can hold is a malformed record, not an exception (one ms past it threw)', () => {
  const last = event(parseLine(`type=SECCOMP msg=audit(8640000000000.000:1): ${BODY}`, opts));
  assert.equal(last.time, '+275760-09-13T00:00:00.000Z');
  for (const stamp of ['8640000000000.001:1', '8640000000001.000:1']) {
    assert.equal(issueKind(parseLine(`type=SECCOMP msg=audit(${stamp}): ${BODY}`, opts)), 'malformed');
    assert.equal(issueKind(parseLine(`audit: type=1326 audit(${stamp}): ${BODY}`, opts)), 'malformed');
  }
});
