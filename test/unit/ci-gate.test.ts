import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkAgainst, formatGate } from '../../src/profile/against.js';
import { diffProfiles, widenings } from '../../src/profile/diff.js';
import { withFamilyRules } from '../../src/profile/families.js';
import { parseProfile, type SeccompProfile } from '../../src/profile/schema.js';

const P = (o: object): SeccompProfile => parseProfile(JSON.stringify(o), 'x');
const BASE = {
  defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86_64'],
  syscalls: [
    { names: ['read', 'write', 'exit_group', 'faccessat', 'wait4'], action: 'SCMP_ACT_ALLOW' },
    { names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0x7e020000, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }] },
    { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }] },
  ],
};
const call = (name: string, arch = 'x86_64') => ({ arch, name });
const fact = (syscall: string, argIndexes: number[], values: bigint[][], overflow = false) => ({ arch: 'x86_64', syscall, argIndexes, values, overflow });

describe('record --against: what the run needed that the profile does not allow', () => {
  const p = P(BASE);
  it('nothing when every call and value is allowed', () => {
    const r = checkAgainst(p, [call('read'), call('clone'), call('socket')], [fact('clone', [0], [[17n]]), fact('socket', [0, 2], [[1n, 0n]])], 'x86_64');
    assert.deepEqual(r.violations, []);
  });
  it('a name the profile does not allow, an arch it does not list, argument values it refuses', () => {
    const r = checkAgainst(p, [call('uname'), call('read', 'x86'), call('clone'), call('socket')],
      [fact('clone', [0], [[0x10000011n], [17n]]), fact('socket', [0, 2], [[16n, 9n]])], 'x86_64');
    const lines = formatGate(r, 'p.json', 'text');
    assert.deepEqual(r.violations.map((v) => `${v.arch}/${v.syscall}`), ['x86_64/clone', 'x86/read', 'x86_64/socket', 'x86_64/uname']);
    assert.ok(lines.some((l) => /clone \(x86_64\) with arg0=CLONE_NEWUSER/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /socket \(x86_64\) with arg0=AF_NETLINK \(0x10\), arg2=0x9/.test(l)), lines.join('\n'));
  });
  it('a newer family member the profile answers with ENOSYS is a note (libc falls back), not a failure', () => {
    const fam = P(withFamilyRules(BASE, { mode: 'enosys' }).profile);
    const r = checkAgainst(fam, [call('faccessat2'), call('clone3')], [], 'x86_64');
    assert.deepEqual(r.violations, []);
    assert.deepEqual(r.notes.map((n) => n.syscall), ['clone3', 'faccessat2']);
    // Without the family rules the same run fails the gate.
    assert.equal(checkAgainst(p, [call('faccessat2')], [], 'x86_64').violations.length, 1);
  });
  it('values it cannot settle (an overflowed set) are noted, not passed silently', () => {
    const r = checkAgainst(p, [call('clone')], [fact('clone', [0], [[17n]], true)], 'x86_64');
    assert.equal(r.violations.length, 0);
    assert.match(r.notes[0]!.why, /not checked/);
  });
  it('--format github: one ::error:: line per violation, newlines and % escaped', () => {
    const r = { violations: [{ arch: 'x86_64', syscall: 'uname', why: 'a\nb 100%' }], notes: [] };
    const [l] = formatGate(r, 'dir/p.json', 'github');
    assert.match(l!, /^::error title=seccomp-tailor: dir\/p\.json::dir\/p\.json does not allow uname \(x86_64\): a%0Ab 100%25$/);
  });
});

describe('profile diff --exit-code: B allows anything A does not', () => {
  const a = P(BASE);
  const w = (b: object) => widenings(diffProfiles(a, P(b)));
  it('equal, or narrower: nothing', () => {
    assert.deepEqual(w(BASE), []);
    assert.deepEqual(w({ ...BASE, syscalls: [BASE.syscalls[0], BASE.syscalls[1]] }), []);
  });
  it('a name, an arch, a permitting default, an argument value, clone by name alone', () => {
    assert.deepEqual(w({ ...BASE, syscalls: [{ ...BASE.syscalls[0], names: [...BASE.syscalls[0]!.names, 'uname'] }, BASE.syscalls[1], BASE.syscalls[2]] }), ['uname allowed (SCMP_ACT_ALLOW)']);
    assert.deepEqual(w({ ...BASE, architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'] }), ['architecture SCMP_ARCH_X86 added']);
    assert.match(w({ ...BASE, defaultAction: 'SCMP_ACT_LOG' })[0]!, /everything unlisted now runs/);
    assert.match(w({ ...BASE, syscalls: [...BASE.syscalls, { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 16, op: 'SCMP_CMP_EQ' }] }] }).join(), /socket: new rule allow if arg0 == AF_NETLINK/);
    assert.deepEqual(w({ ...BASE, syscalls: [{ ...BASE.syscalls[0], names: [...BASE.syscalls[0]!.names, 'clone'] }, BASE.syscalls[2]] }), ['clone allowed (SCMP_ACT_ALLOW)']);
  });
});
