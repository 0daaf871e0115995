// Argument facts -> argument rules, from synthetic facts: what the profile allows and denies is
// asked of libseccomp's own compiled filter (run on the arguments, per arch), not of our JSON.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRecordedProfile } from '../../src/record/profile-builder.js';
import { parseProfile, serializeProfile } from '../../src/profile/schema.js';
import { architectures, compileProfile, syscallNumber } from '../../src/native/libseccomp.js';
import { runSeccompFilter, describeRet } from '../helpers/bpf-eval.js';
import { toProfileLike } from '../../src/profile/libseccomp-view.js';
import type { ArgFact, ArgSyscall } from '../../src/record/arg-facts.js';
import type { SyscallCount } from '../../src/record/tracer.js';
import type { ArchKind, Phase } from '../../src/record/tracer-layout.js';

const ARCH_OF: Record<ArchKind, string> = { native: 'x86_64', compat: 'x86', x32: 'x32' };
const nr = (kind: ArchKind, name: string) => syscallNumber(ARCH_OF[kind], name)!;
const count = (name: string, kind: ArchKind = 'native', phase: Phase = 2): SyscallCount => ({ phase, arch: kind, nr: nr(kind, name), count: 1, firstNs: 1n }) as SyscallCount;
const INDEXES: Record<ArgSyscall, number[]> = { clone: [0], unshare: [0], setns: [1], personality: [0], socket: [0, 2], socketpair: [0], prctl: [0], ioctl: [1] };
function fact(syscall: ArgSyscall, values: bigint[][], kind: ArchKind = 'native', overflow = false, phase: Phase = 2): ArgFact {
  return { phase, arch: kind, syscall, nr: nr(kind, syscall), argIndexes: INDEXES[syscall], values, overflow };
}

const BASE = ['execve', 'exit_group', 'write', 'wait4'];
// The probe's first mode: fork (clone(SIGCHLD)), personality(0xffffffff), socket(AF_UNIX), socket(AF_INET).
const PROBE_FACTS = [
  fact('clone', [[0x11n]]),
  fact('personality', [[0xffffffffn]]),
  fact('socket', [[1n, 0n], [2n, 0n]]),
];
const PROBE_COUNTS = [...BASE, 'clone', 'personality', 'socket'].map((n) => count(n));

function build(counts: SyscallCount[], facts: ArgFact[] | undefined, extra: Partial<Parameters<typeof buildRecordedProfile>[0]> = {}) {
  return buildRecordedProfile({ counts, runtimeNeeds: [], argFacts: facts, ...extra });
}

/** The compiled filter's verdict for `name(args)` on `arch` (x32 numbers carry their 0x40000000 bit). */
function verdict(text: string) {
  const p = parseProfile(text, 'recorded');
  const { bpf } = compileProfile(toProfileLike(p));
  const audit = new Map(architectures().map((a) => [a.name, a.auditArch]));
  return (arch: string, name: string, args: bigint[]): string => {
    const n = syscallNumber(arch, name);
    assert.ok(n !== undefined, `${name} on ${arch}`);
    return describeRet(runSeccompFilter(bpf, { nr: arch === 'x32' ? (n | 0x40000000) >>> 0 : n, arch: audit.get(arch)!, args }));
  };
}

test('the probe: what it did is allowed, each refused mode is denied by the compiled filter', () => {
  const b = build(PROBE_COUNTS, PROBE_FACTS);
  assert.deepEqual(b.restricted, ['clone', 'personality', 'socket']);
  assert.equal(b.text, serializeProfile(parseProfile(b.text, 'x')), 'canonical text');
  const v = verdict(b.text);
  assert.equal(v('x86_64', 'clone', [0x11n]), 'allow');
  assert.equal(v('x86_64', 'clone', [0x17n]), 'allow', 'CSIGNAL (the exit signal) is not a flag');
  assert.equal(v('x86_64', 'clone', [0x10000011n]), 'errno 1', 'CLONE_NEWUSER');
  assert.equal(v('x86_64', 'clone', [0x40000011n]), 'errno 1', 'CLONE_NEWNET');
  assert.equal(v('x86_64', 'clone', [0x00000100n | 0x11n]), 'errno 1', 'CLONE_VM was never seen');
  assert.equal(v('x86_64', 'unshare', [0x40000000n]), 'errno 1', 'unshare was never called');
  assert.equal(v('x86_64', 'personality', [0xffffffffn]), 'allow');
  assert.equal(v('x86_64', 'personality', [0x400000n]), 'errno 1', 'READ_IMPLIES_EXEC');
  assert.equal(v('x86_64', 'personality', [0n]), 'errno 1', 'not seen, though the engine default allows it: stricter');
  assert.equal(v('x86_64', 'socket', [1n, 1n, 0n]), 'allow');
  assert.equal(v('x86_64', 'socket', [2n, 0x80802n, 6n]), 'allow', 'AF_INET with any type and protocol');
  assert.equal(v('x86_64', 'socket', [16n, 3n, 9n]), 'errno 1', 'AF_NETLINK NETLINK_AUDIT');
  assert.equal(v('x86_64', 'socket', [16n, 3n, 0n]), 'errno 1', 'AF_NETLINK was never opened');
  assert.equal(v('x86_64', 'socket', [40n, 1n, 0n]), 'errno 1', 'AF_VSOCK');
  assert.equal(v('x86_64', 'write', [1n, 0n, 0n]), 'allow');
});

test('netlink: a rule per (domain, protocol); NETLINK_AUDIT only when it was seen', () => {
  const b = build([...BASE, 'socket'].map((n) => count(n)), [fact('socket', [[16n, 0n], [16n, 15n], [10n, 0n]])]);
  const v = verdict(b.text);
  assert.equal(v('x86_64', 'socket', [16n, 3n, 0n]), 'allow');
  assert.equal(v('x86_64', 'socket', [16n, 3n, 15n]), 'allow');
  assert.equal(v('x86_64', 'socket', [16n, 3n, 9n]), 'errno 1');
  assert.equal(v('x86_64', 'socket', [10n, 2n, 17n]), 'allow');
  const seen = verdict(build([...BASE, 'socket'].map((n) => count(n)), [fact('socket', [[16n, 9n]])]).text);
  assert.equal(seen('x86_64', 'socket', [16n, 3n, 9n]), 'allow', 'the recording saw it used');
});

test('threads: fork and pthread flags both allowed, any bit neither used is denied', () => {
  const FORK = 0x1200011n; // CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID|SIGCHLD (glibc fork)
  const THREAD = 0x3d0f00n; // CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT_SETTID|CHILD_CLEARTID
  const b = build([...BASE, 'clone'].map((n) => count(n)), [fact('clone', [[FORK], [THREAD]])]);
  const rules = JSON.parse(b.text).syscalls.filter((r: { names: string[] }) => r.names.includes('clone'));
  assert.equal(rules.length, 1, 'one MASKED_EQ rule for the flag word');
  assert.deepEqual(rules[0].args, [{ index: 0, value: Number(0xffffff00n & ~(FORK | THREAD)), valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }]);
  const v = verdict(b.text);
  assert.equal(v('x86_64', 'clone', [FORK]), 'allow');
  assert.equal(v('x86_64', 'clone', [THREAD]), 'allow');
  assert.equal(v('x86_64', 'clone', [THREAD | 0x10000000n]), 'errno 1', 'a thread in a new user namespace');
  assert.equal(v('x86_64', 'clone', [FORK | 0x20000000n]), 'errno 1', 'CLONE_NEWPID');
  assert.equal(v('x86_64', 'clone', [0xdead000000000000n | FORK]), 'allow', 'the kernel ignores the upper half (lower_32_bits)');
});

test('multi-arch: compat and x32 facts are named by their own numbers and their values unioned (noted)', () => {
  const counts = [...BASE.map((n) => count(n)), count('clone', 'native'), count('clone', 'compat'), count('exit_group', 'compat'),
    count('personality', 'compat'), count('socket', 'x32'), count('exit_group', 'x32')];
  const facts = [
    fact('clone', [[0x11n]], 'native'),
    fact('clone', [[0x3d0f00n]], 'compat'),
    fact('personality', [[0x8n]], 'compat'), // PER_LINUX32, as 32-bit programs ask
    fact('socket', [[1n, 0n]], 'x32'),
  ];
  assert.notEqual(nr('compat', 'clone'), nr('native', 'clone'), 'i386 clone is 120, x86_64 clone 56');
  const b = build(counts, facts);
  const p = JSON.parse(b.text);
  assert.deepEqual(p.architectures, ['SCMP_ARCH_X32', 'SCMP_ARCH_X86', 'SCMP_ARCH_X86_64']);
  assert.ok(b.argNotes.some((n) => n.syscall === 'clone' && /x86: .*x86_64: /.test(n.note)), JSON.stringify(b.argNotes));
  const v = verdict(b.text);
  for (const arch of ['x86_64', 'x86', 'x32']) {
    assert.equal(v(arch, 'clone', [0x11n]), 'allow', arch);
    assert.equal(v(arch, 'clone', [0x3d0f00n]), 'allow', arch);
    assert.equal(v(arch, 'clone', [0x10000011n]), 'errno 1', `${arch} CLONE_NEWUSER`);
    assert.equal(v(arch, 'personality', [0x8n]), 'allow', arch);
    assert.equal(v(arch, 'personality', [0x400008n]), 'errno 1', `${arch} READ_IMPLIES_EXEC`);
    assert.equal(v(arch, 'socket', [1n, 1n, 0n]), 'allow', arch);
    assert.equal(v(arch, 'socket', [16n, 3n, 9n]), 'errno 1', arch);
  }
});

test('x86: libseccomp lets socketcall(SYS_SOCKET) through for a socket rule (noted in the profile\'s notes)', () => {
  const b = build([...BASE.map((n) => count(n)), count('socket'), count('exit_group', 'compat')], [fact('socket', [[1n, 0n]])]);
  assert.match(b.argNotes.find((n) => n.syscall === 'socket' && /socketcall/.test(n.note))!.note, /direct socket syscall only/);
  const p = parseProfile(b.text, 'x');
  const { bpf } = compileProfile(toProfileLike(p));
  const x86 = architectures().find((a) => a.name === 'x86')!.auditArch;
  assert.equal(describeRet(runSeccompFilter(bpf, { nr: 359, arch: x86, args: [16n, 3n, 9n] })), 'errno 1', 'direct socket: the rule holds');
  assert.equal(describeRet(runSeccompFilter(bpf, { nr: 102, arch: x86, args: [1n, 0x1000n] })), 'allow', 'socketcall(SYS_SOCKET, ptr): libseccomp cannot look behind the pointer');
  assert.equal(build([...BASE, 'socket'].map((n) => count(n)), [fact('socket', [[1n, 0n]])]).argNotes.some((n) => /socketcall/.test(n.note)), false, 'no note without x86');
});

test('an overflowed set, too many ioctl requests, no facts, a runtime need: the name alone, with the reason', () => {
  const many = Array.from({ length: 33 }, (_, i) => [BigInt(0x5401 + i)]);
  const b = build([...BASE, 'clone', 'ioctl', 'personality', 'prctl'].map((n) => count(n)),
    [fact('clone', [[0x11n]], 'native', true), fact('ioctl', many), fact('prctl', [[15n]])], { runtimeNeeds: ['prctl'] });
  assert.deepEqual(b.restricted, []);
  const p = JSON.parse(b.text);
  assert.equal(p.syscalls.length, 1, 'one plain allow rule');
  const why = Object.fromEntries(b.argNotes.map((n) => [n.syscall, n.note]));
  assert.match(why.clone!, /more distinct values than the tracer keeps/);
  assert.match(why.ioctl!, /33 distinct values, more than 32/);
  assert.match(why.personality!, /no argument facts/);
  assert.match(why.prctl!, /runtime calls it after installing the filter/);
  const v = verdict(b.text);
  assert.equal(v('x86_64', 'clone', [0x10000011n]), 'allow', 'name alone: as loose as today, never a wrong rule');
});

test('enumerations: one EQ rule per value; a sign-extended int compares its low half', () => {
  const b = build([...BASE, 'ioctl', 'prctl', 'setns', 'socketpair', 'unshare'].map((n) => count(n)), [
    fact('ioctl', [[0x5401n], [0xffffffff80045430n]]), // TCGETS; TIOCGPTN passed as a negative int
    fact('prctl', [[15n], [38n]]),
    fact('setns', [[0x40000000n]]),
    fact('socketpair', [[1n]]),
    fact('unshare', [[0x20000n]]),
  ]);
  const ioctl = JSON.parse(b.text).syscalls.filter((r: { names: string[] }) => r.names[0] === 'ioctl').map((r: { args: unknown }) => r.args);
  assert.deepEqual(ioctl, [
    [{ index: 1, value: 0x5401, valueTwo: 0, op: 'SCMP_CMP_EQ' }],
    [{ index: 1, value: 0xffffffff, valueTwo: 0x80045430, op: 'SCMP_CMP_MASKED_EQ' }],
  ]);
  const v = verdict(b.text);
  assert.equal(v('x86_64', 'ioctl', [0n, 0x5401n]), 'allow');
  assert.equal(v('x86_64', 'ioctl', [0n, 0x80045430n]), 'allow');
  assert.equal(v('x86_64', 'ioctl', [0n, 0x5412n]), 'errno 1', 'TIOCSTI');
  assert.equal(v('x86_64', 'prctl', [38n]), 'allow');
  assert.equal(v('x86_64', 'prctl', [22n]), 'errno 1', 'PR_SET_SECCOMP');
  assert.equal(v('x86_64', 'setns', [3n, 0x40000000n]), 'allow');
  assert.equal(v('x86_64', 'setns', [3n, 0n]), 'errno 1', 'setns(fd, 0) joins whatever the fd is');
  assert.equal(v('x86_64', 'socketpair', [1n, 1n, 0n]), 'allow');
  assert.equal(v('x86_64', 'socketpair', [2n, 1n, 0n]), 'errno 1');
  assert.equal(v('x86_64', 'unshare', [0x20000n]), 'allow', 'CLONE_NEWNS, as seen');
  assert.equal(v('x86_64', 'unshare', [0x10000000n]), 'errno 1', 'CLONE_NEWUSER');
  assert.equal(v('x86_64', 'unshare', [0x80n]), 'errno 1', 'CLONE_NEWTIME (unshare has no exit signal byte)');
});

test('clone3: a risk note by default; --clone3-enosys returns ENOSYS and opens clone to all but the namespace bits', () => {
  const counts = [...BASE, 'clone3'].map((n) => count(n));
  const plain = build(counts, []);
  assert.ok(plain.names.includes('clone3'));
  assert.match(plain.argNotes.find((n) => n.syscall === 'clone3')!.note, /cannot read/);
  const b = build(counts, [], { clone3: 'enosys' });
  assert.ok(!b.names.includes('clone3') && b.names.includes('clone'), 'clone added for the fallback');
  const v = verdict(b.text);
  assert.equal(v('x86_64', 'clone3', [0n, 88n]), 'errno 38');
  assert.equal(v('x86_64', 'clone', [0x3d0f00n]), 'allow', 'pthread_create after the fallback');
  assert.equal(v('x86_64', 'clone', [0x10000011n]), 'errno 1');
  const withClone = verdict(build([...counts, count('clone')], [fact('clone', [[0x11n]])], { clone3: 'enosys' }).text);
  assert.equal(withClone('x86_64', 'clone', [0x3d0f00n]), 'allow', 'clone3 flags were unseen: widened');
  assert.equal(withClone('x86_64', 'clone', [0x40000011n]), 'errno 1');
  const noClone3 = verdict(build([...BASE, 'clone'].map((n) => count(n)), [fact('clone', [[0x11n]])], { clone3: 'enosys' }).text);
  assert.equal(noClone3('x86_64', 'clone3', [0n, 88n]), 'errno 38', 'ENOSYS even when clone3 was not called');
  assert.equal(noClone3('x86_64', 'clone', [0x3d0f00n]), 'errno 1', 'clone stays exact when clone3 was never called');
});

test('--names-only: today\'s profile, byte for byte', () => {
  const b = build(PROBE_COUNTS, PROBE_FACTS, { namesOnly: true });
  const names = [...BASE, 'clone', 'personality', 'socket'].sort();
  assert.equal(b.text, JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 1, architectures: ['SCMP_ARCH_X86_64'], syscalls: [{ names, action: 'SCMP_ACT_ALLOW' }] }, null, 2) + '\n');
});

test('determinism: 20 orders of the same facts and counts give one profile, arguments included', () => {
  const facts = [...PROBE_FACTS, fact('clone', [[0x3d0f00n]], 'compat'), fact('ioctl', [[0x5401n], [0x5413n], [0x541bn]]), fact('socket', [[16n, 0n], [10n, 0n]], 'native', false, 1)];
  const counts = [...PROBE_COUNTS, count('clone', 'compat'), count('ioctl')];
  const texts = new Set<string>();
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const shuffle = <T>(xs: T[]): T[] => xs.map((x) => [rnd(), x] as const).sort((a, b) => a[0] - b[0]).map(([, x]) => x);
  for (let i = 0; i < 20; i++) {
    const fs = shuffle(facts).map((f) => ({ ...f, values: shuffle(f.values) }));
    texts.add(build(shuffle(counts), fs).text);
  }
  assert.equal(texts.size, 1);
});

test('hook config: namesOnly and clone3, checked', async () => {
  const { parseHookConfig } = await import('../../src/record/hook/config.js');
  const c = parseHookConfig({ namesOnly: true, clone3: 'enosys' }, 'hook.json');
  assert.equal(c.namesOnly, true);
  assert.equal(c.clone3, 'enosys');
  assert.deepEqual([parseHookConfig({}, 'h').namesOnly, parseHookConfig({}, 'h').clone3], [false, 'allow']);
  assert.throws(() => parseHookConfig({ clone3: 'ENOSYS' }, 'hook.json'), /clone3: expected "allow" or "enosys"/);
  assert.throws(() => parseHookConfig({ namesOnly: 'yes' }, 'hook.json'), /namesOnly: expected true or false/);
});

test('every note carries a code, and the operator hears the noteworthy ones by code, not by wording', async () => {
  const { argRulesFromFacts } = await import('../../src/record/arg-rules.js');
  const f = (syscall: 'socket' | 'ioctl' | 'prctl', values: bigint[][], extra: Partial<import('../../src/record/arg-facts.js').ArgFact> = {}) =>
    ({ phase: 2 as const, arch: 'native' as const, syscall, nr: 0, argIndexes: syscall === 'socket' ? [0, 2] : syscall === 'ioctl' ? [1] : [0], values, overflow: false, ...extra });
  const r = argRulesFromFacts([
    f('socket', [[16n]]), // AF_NETLINK without its protocol
    f('ioctl', [[1n]], { overflow: true }),
    f('prctl', [[1n]], { overflow: true, lost: true }),
  ], { names: new Set(['socket', 'ioctl', 'prctl', 'clone3']), archName: () => 'x86_64' });
  const codes = Object.fromEntries(r.notes.map((n) => [n.syscall, n.code]));
  assert.deepEqual(codes, { clone3: 'CLONE3_BY_NAME', ioctl: 'SET_OVERFLOW', prctl: 'SET_LOST', socket: 'NETLINK_NO_PROTOCOL' });
  for (const n of r.notes) assert.ok(n.note.length > 10 && !n.note.includes('\n'));
});
