// Properties over generated input (fast-check): the parser never throws, survives every prefix a
// log source adds, and never turns a cut-short record into an event that differs from the whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createLineParser, createLineSplitter, parseLine, type SeccompEvent } from '../../parsers/index.js';
import { readSample, resolveSyscall } from '../helpers/parser-samples.js';

const opts = { resolveSyscall, yearHint: 2026 };
const RUNS = 300;

// Every SECCOMP record line of the real samples, as bytes.
const realLines: Buffer[] = ['auditd-enriched.log', 'auditd-raw.log', 'kmsg.log', 'dmesg-T.log', 'syslog-rfc5424.log', 'journald-json.log', 'public-fixtures.log']
  .flatMap((f) => readSample(f).toString('latin1').split('\n'))
  .filter((l) => /SECCOMP|type=1326/.test(l))
  .map((l) => Buffer.from(l, 'latin1'));

test('arbitrary bytes never throw, through parseLine and through the stream', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
    const b = Buffer.from(bytes);
    parseLine(b, opts);
    parseLine(b.toString('utf8'), opts);
    const p = createLineParser(opts);
    const sp = createLineSplitter({ line: (l) => { p.push(l, true); }, oversize: (n) => { p.oversize(n); } }, 0, 256);
    sp.push(b);
    sp.end();
  }), { numRuns: 2000 });
});

test('mutations of real records (a byte changed, inserted or removed) never throw', () => {
  fc.assert(fc.property(fc.constantFrom(...realLines), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'delete'), (line, at, byte, how) => {
    const i = at % line.length;
    const b = how === 'set' ? Buffer.from(line).fill(byte, i, i + 1)
      : how === 'insert' ? Buffer.concat([line.subarray(0, i), Buffer.from([byte]), line.subarray(i)])
        : Buffer.concat([line.subarray(0, i), line.subarray(i + 1)]);
    const r = parseLine(b, opts);
    assert.ok(['event', 'issue', 'other', 'loss'].includes(r.kind));
  }), { numRuns: 3000 });
});

const body = fc.record({
  sec: fc.integer({ min: 0, max: 4_000_000_000 }),
  ms: fc.integer({ min: 0, max: 999 }),
  serial: fc.integer({ min: 1, max: 2 ** 32 - 1 }),
  pid: fc.integer({ min: 1, max: 4_194_304 }),
  // Printable comm goes in quotes; anything else is hex, as the kernel does.
  comm: fc.string({ minLength: 1, maxLength: 15, unit: 'binary' }),
  syscall: fc.constantFrom(0, 1, 63, 80, 439),
  code: fc.constantFrom('0x0', '0x80000000', '0x30000', '0x50000', '0x7fc00000', '0x7ff00000', '0x7ffc0000', '0x7fff0000'),
  subj: fc.option(fc.constantFrom('unconfined', '=unconfined', 'system_u:system_r:spc_t:s0:c1,c2', '=cri-containerd.apparmor.d (enforce)'), { nil: undefined }),
});

function kernelValue(s: string): string {
  const bytes = Buffer.from(s, 'utf8');
  const plain = bytes.every((b) => b > 0x20 && b < 0x7f && b !== 0x22);
  return plain ? `"${s}"` : bytes.toString('hex').toUpperCase();
}

type Body = typeof body extends fc.Arbitrary<infer T> ? T : never;

function recordBody(r: Body): string {
  const subj = r.subj === undefined ? '' : ` subj=${r.subj}`;
  return `auid=4294967295 uid=0 gid=0 ses=4294967295${subj} pid=${r.pid} comm=${kernelValue(r.comm)} exe="/bin/busybox" sig=0 arch=c000003e syscall=${r.syscall} compat=0 ip=0x460997 code=${r.code}`;
}

const stamp = (r: { sec: number; ms: number; serial: number }) => `audit(${r.sec}.${String(r.ms).padStart(3, '0')}:${r.serial})`;

test('a valid record survives any prefix the sources add', () => {
  const host = fc.stringMatching(/^[a-z][a-z0-9.-]{0,20}$/);
  fc.assert(fc.property(body, host, fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 99_999_999 }), (r, h, pri, usec) => {
    const b = recordBody(r);
    const kernel = `audit: type=1326 ${stamp(r)}: ${b}`;
    const ts = `${Math.floor(usec / 1e6)}.${String(usec % 1e6).padStart(6, '0')}`;
    const forms = [
      `type=SECCOMP msg=${stamp(r)}: ${b}`,
      `type=SECCOMP msg=${stamp(r)}: ${b}\u001dAUID="unset" ARCH=x86_64 SYSCALL=x`,
      `${pri},${usec},${usec},-;${kernel}`,
      `[${ts.padStart(12)}] ${kernel}`,
      `<${pri}>[${ts.padStart(12)}] ${kernel}`,
      `[Sat Nov 28 14:49:58 2026] ${kernel}`,
      `2026-11-28T14:49:58,359123+00:00 ${kernel}`,
      `Nov 28 14:51:09 ${h} kernel: [${ts.padStart(12)}] ${kernel}`,
      `<${pri}>Nov  8 14:51:09 ${h} kernel: ${kernel}`,
      `2026-11-28T14:51:09.754113+00:00 ${h} kernel: [${ts}] ${kernel}`,
      `<${pri}>1 2026-11-28T14:51:09.754113+00:00 ${h} kernel - - - [${ts}] ${kernel}`,
      `Nov 28 14:51:26 ${h} audisp-syslog: type=SECCOMP msg=${stamp(r)}: ${b} AUID="unset"`,
      JSON.stringify({ _TRANSPORT: 'kernel', SYSLOG_FACILITY: '0', MESSAGE: kernel }),
    ];
    const want = parseLine(forms[0]!, opts);
    assert.equal(want.kind, 'event', forms[0]);
    // Syslog forms say so (anyone can write a syslog line); the event is the same.
    const same = (got: ReturnType<typeof parseLine>) => { const { via: _via, ...rest } = got as { via?: string }; return rest; };
    for (const f of forms) {
      assert.deepEqual(same(parseLine(f, opts)), want, f);
      assert.deepEqual(same(parseLine(Buffer.from(f, 'utf8'), opts)), want, f);
    }
    // node= keeps the event and adds the node.
    const withNode = parseLine(`node=${h} type=SECCOMP msg=${stamp(r)}: ${b}`, opts);
    assert.deepEqual(withNode, { kind: 'event', event: { ...(want as { event: SeccompEvent }).event, node: h } });
  }), { numRuns: RUNS });
});

test('truncation at any byte never gives a half event', () => {
  for (const line of realLines) {
    const whole = parseLine(line, opts);
    for (let cut = 0; cut < line.length; cut++) {
      const r = parseLine(line.subarray(0, cut), opts);
      if (r.kind === 'event') {
        // Only a cut inside auditd's own enrichment (after the last kernel field) may still parse.
        assert.deepEqual(r, whole, `${line.toString('latin1')} cut at ${cut}`);
      }
    }
  }
});

test('comm round-trips: what the kernel hex-encodes comes back as the same text', () => {
  fc.assert(fc.property(body, (r) => {
    const e = parseLine(`type=SECCOMP msg=${stamp(r)}: ${recordBody(r)}`, opts);
    assert.equal(e.kind, 'event');
    const comm = (e as { event: SeccompEvent }).event.comm;
    const bytes = Buffer.from(r.comm, 'utf8');
    // Lone surrogates do not survive UTF-8; such comm values stay in hex.
    if (Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes) && bytes.toString('utf8') === r.comm) assert.equal(comm, r.comm);
  }), { numRuns: RUNS });
});
