import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffProfiles, formatDiff, hasChanges } from '../../src/profile/diff.js';
import { parseProfile, type SeccompProfile } from '../../src/profile/schema.js';
import { formatStats, profileStats } from '../../src/profile/stats.js';
import { fakeLib, X86, X86_64 } from '../helpers/fake-libseccomp.js';

const P = (o: object): SeccompProfile => parseProfile(JSON.stringify(o), 'x');
const ctx = { catalog: fakeLib, nativeArch: 'x86_64' };

describe('profile diff', () => {
  const a = P({ defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86_64'], syscalls: [
    { names: ['read', 'write', 'ptrace'], action: 'SCMP_ACT_ALLOW' },
    { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0, op: 'SCMP_CMP_EQ' }] },
  ] });
  const b = P({ defaultAction: 'SCMP_ACT_KILL_PROCESS', architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'], flags: ['SECCOMP_FILTER_FLAG_LOG'], syscalls: [
    { names: ['read', 'write', 'openat'], action: 'SCMP_ACT_ALLOW' },
    { names: ['ptrace'], action: 'SCMP_ACT_ERRNO' },
    { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 8, op: 'SCMP_CMP_EQ' }] },
  ] });

  it('reports names per action, arches, flags, default and conditional rules', () => {
    const d = diffProfiles(a, b, ctx);
    assert.deepEqual(d.defaultAction, { from: 'SCMP_ACT_ERRNO', to: 'SCMP_ACT_KILL_PROCESS' });
    assert.deepEqual(d.architectures, { added: ['SCMP_ARCH_X86'], removed: [] });
    assert.deepEqual(d.flags, { added: ['SECCOMP_FILTER_FLAG_LOG'], removed: [] });
    assert.deepEqual(d.actions, {
      SCMP_ACT_ALLOW: { added: ['openat'], removed: ['ptrace'] },
      SCMP_ACT_ERRNO: { added: ['ptrace'], removed: [] },
    });
    assert.deepEqual(d.allowedByArch!.x86_64, { added: ['openat'], removed: ['ptrace'] });
    // Conditionally allowed names count: the upper bound of what can run.
    assert.deepEqual(d.allowedByArch!.x86!.added.sort(), ['openat', 'personality', 'read', 'write']);
    assert.equal(d.conditionalRules.added[0]!.args![0]!.value, 8);
    assert.equal(d.conditionalRules.removed[0]!.args![0]!.value, 0);
    const text = formatDiff(d);
    assert.match(text, /^defaultAction: SCMP_ACT_ERRNO -> SCMP_ACT_KILL_PROCESS$/m);
    assert.match(text, /^SCMP_ACT_ALLOW: \+openat -ptrace$/m);
    assert.match(text, /^personality:\n {2}\+ allow if arg0 == PER_LINUX32 \(0x8\)\n {2}- allow if arg0 == PER_LINUX \(0x0\)$/m);
    assert.deepEqual(d.argRules.personality, { from: 'arguments', to: 'arguments', added: ['allow if arg0 == PER_LINUX32 (0x8)'], removed: ['allow if arg0 == PER_LINUX (0x0)'] });
  });

  it('says so when nothing differs', () => {
    const d = diffProfiles(a, a, ctx);
    assert.equal(hasChanges(d), false);
    assert.equal(formatDiff(d), 'no differences\n');
  });
});

describe('profile stats', () => {
  const reference = P({ defaultAction: 'SCMP_ACT_ERRNO', archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86'] }], syscalls: [
    { names: X86_64.filter((n) => n !== 'ptrace'), action: 'SCMP_ACT_ALLOW' },
  ] });
  const table: Array<{ what: string; profile: object; allowed: Record<string, number>; dangerous: string[] }> = [
    { what: 'a tight recorded profile', profile: { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read', 'write', 'exit_group', 'brk', 'mmap'], action: 'SCMP_ACT_ALLOW' }] },
      allowed: { x86_64: 5 }, dangerous: [] },
    { what: 'one that still allows mount and unshare', profile: { defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'], syscalls: [{ names: ['read', 'mount', 'unshare', 'socketcall'], action: 'SCMP_ACT_ALLOW' }] },
      allowed: { x86: 4, x86_64: 3 }, dangerous: ['mount', 'unshare'] },
    { what: 'a complain profile: everything but the blocked', profile: { defaultAction: 'SCMP_ACT_LOG', syscalls: [{ names: ['ptrace'], action: 'SCMP_ACT_KILL_PROCESS' }] },
      allowed: { x86_64: X86_64.length - 1 }, dangerous: ['clone', 'clone3', 'mount', 'personality', 'setns', 'unshare'] },
  ];
  for (const c of table) {
    it(c.what, () => {
      const s = profileStats(P(c.profile), { ...ctx, defaultProfile: reference });
      assert.deepEqual(Object.fromEntries(s.arches.map((x) => [x.arch, x.allowed])), c.allowed);
      assert.deepEqual(s.dangerousAllowed.map((d) => d.syscall), c.dangerous);
      const x64 = s.arches.find((x) => x.arch === 'x86_64')!;
      assert.equal(x64.total, X86_64.length);
      assert.equal(x64.defaultProfileAllowed, X86_64.length - 1);
      assert.equal(x64.reductionVsTotal, Math.round((1 - x64.allowed / X86_64.length) * 1000) / 10);
      assert.match(formatStats(s, 'f.json'), /reduction vs default/);
    });
  }
  it('counts an arch-specific name only on its arch', () => {
    const s = profileStats(P({ defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86'], syscalls: [{ names: ['socketcall', 'newfstatat'], action: 'SCMP_ACT_ALLOW' }] }), ctx);
    assert.deepEqual(s.arches.map((x) => [x.arch, x.allowed, x.total]), [['x86', 1, X86.length]]);
  });
});
