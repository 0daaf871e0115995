// profile translate, from data only (this machine is x86_64): the translated profile is checked by
// libseccomp's tables and its compiled filter for the target arch, never run on one.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { nativeLibseccomp } from '../../src/profile/libseccomp-view.js';
import { parseTargets, pseudoNamesByArch, translateFile } from '../../src/profile/translate-file.js';
import { EQUIVALENTS, X86_64_ONLY } from '../../src/profile/translate-table.js';
import { syscallTable, compileProfile } from '../../src/native/libseccomp.js';
import { toProfileLike } from '../../src/profile/libseccomp-view.js';
import { validateProfileText } from '../../src/profile/validate.js';
import type { SeccompProfile } from '../../src/profile/schema.js';

const dir = mkdtempSync(join(tmpdir(), 'st-translate-'));
const file = (name: string, p: object) => {
  const f = join(dir, name);
  writeFileSync(f, JSON.stringify(p));
  return f;
};
const X86 = {
  defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 1, architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],
  syscalls: [
    { names: ['open', 'stat', 'lstat', 'read', 'write', 'close', 'dup2', 'pipe', 'poll', 'select', 'epoll_wait', 'fork', 'vfork', 'access', 'arch_prctl', 'execve', 'exit_group', 'wait4'], action: 'SCMP_ACT_ALLOW' },
    { names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0x7e020000, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }] },
    { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0xffffffff, op: 'SCMP_CMP_EQ' }] },
    { names: ['creat'], action: 'SCMP_ACT_ALLOW', args: [{ index: 1, value: 0o644, op: 'SCMP_CMP_EQ' }] },
  ],
};
const allowed = (p: SeccompProfile) => new Set((p.syscalls ?? []).filter((r) => r.action === 'SCMP_ACT_ALLOW').flatMap((r) => r.names));

describe('profile translate', () => {
  it('the table: every legacy name is x86_64-only, every generic one exists on both; the rest are named as without counterpart', () => {
    const x = new Set(syscallTable('x86_64').map((e) => e.name));
    const a = new Set(syscallTable('aarch64').map((e) => e.name));
    for (const e of EQUIVALENTS) {
      assert.ok(x.has(e.legacy) && !a.has(e.legacy), `${e.legacy} is x86_64-only`);
      assert.ok(x.has(e.generic) && a.has(e.generic), `${e.generic} on both`);
    }
    const unmapped = [...x].filter((n) => !a.has(n) && !EQUIVALENTS.some((e) => e.legacy === n));
    assert.deepEqual(unmapped.filter((n) => !X86_64_ONLY.has(n)), [], 'every x86_64-only name is mapped or listed as without counterpart');
  });

  it('x86_64 -> aarch64: legacy names map, x86-only ones are reported, arg rules with the same meaning kept, others said dropped', async () => {
    const lib = await nativeLibseccomp();
    const r = await translateFile(file('x86.json', X86), ['aarch64'], lib);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.profile.architectures, ['SCMP_ARCH_AARCH64']);
    const names = allowed(r.profile);
    for (const n of ['openat', 'newfstatat', 'dup3', 'pipe2', 'ppoll', 'pselect6', 'epoll_pwait', 'faccessat']) assert.ok(names.has(n), n);
    for (const n of ['open', 'stat', 'arch_prctl', 'fork']) assert.ok(!names.has(n), `${n} left out`);
    assert.deepEqual(r.report.noCounterpart.map((x) => x.name), ['arch_prctl']);
    assert.deepEqual(r.report.keptArgs, ['clone', 'personality']);
    assert.ok(r.report.droppedArgs.some((d) => d.syscall === 'creat' && d.to === 'openat'), 'creat(path, mode) has no position in openat');
    // The clone rule still denies namespaces on aarch64: libseccomp's filter for that arch holds it.
    const pfc = compileProfile(toProfileLike(r.profile)).pfc;
    assert.match(pfc.slice(pfc.indexOf('arch aarch64')), /"clone" \(220\)/);
    assert.deepEqual(pseudoNamesByArch(pfc).get('aarch64'), []);
    assert.deepEqual(validateProfileText(r.text, 'x', lib).problems, []);
  });

  it('--arch x86_64,aarch64: one profile that compiles for both, the legacy names kept for x86_64', async () => {
    const lib = await nativeLibseccomp();
    const r = await translateFile(file('x86b.json', X86), ['x86_64', 'aarch64'], lib);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.profile.architectures, ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X86_64']);
    const names = allowed(r.profile);
    for (const n of ['open', 'openat', 'arch_prctl', 'newfstatat', 'stat']) assert.ok(names.has(n), n);
    const pseudo = pseudoNamesByArch(compileProfile(toProfileLike(r.profile)).pfc);
    assert.deepEqual(pseudo.get('x86_64'), []);
    assert.ok(pseudo.get('aarch64')!.includes('open'), 'open is x86_64-only, skipped on aarch64');
  });

  it('aarch64 -> x86_64: the legacy names x86_64 libcs call are added; fork only where clone allows its flags', async () => {
    const lib = await nativeLibseccomp();
    const a64 = { defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_AARCH64'], syscalls: [
      { names: ['openat', 'newfstatat', 'ppoll', 'read', 'exit_group'], action: 'SCMP_ACT_ALLOW' },
      { names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0x7e024100, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }] },
    ] };
    const r = await translateFile(file('a64.json', a64), ['x86_64'], lib);
    assert.deepEqual(r.problems, []);
    const names = allowed(r.profile);
    for (const n of ['open', 'stat', 'lstat', 'poll', 'fork', 'openat']) assert.ok(names.has(n), n);
    assert.ok(!names.has('vfork'), 'vfork sets CLONE_VM|CLONE_VFORK, which the clone rule denies');
  });

  it('a recorded profile\'s family ENOSYS rule gives up the names the translation allows (pipe -> pipe2)', async () => {
    const lib = await nativeLibseccomp();
    const { withFamilyRules } = await import('../../src/profile/families.js');
    const fam = withFamilyRules({ ...X86, architectures: ['SCMP_ARCH_X86_64'] }, { mode: 'enosys' }).profile;
    assert.ok(JSON.stringify(fam).includes('"pipe2"'), 'pipe2 answered ENOSYS on x86_64');
    const r = await translateFile(file('fam.json', fam), ['aarch64'], lib);
    assert.deepEqual(r.problems, []);
    assert.ok(allowed(r.profile).has('pipe2'));
    assert.ok(!(r.profile.syscalls ?? []).some((x) => x.errnoRet === 38 && x.names.includes('pipe2')));
    assert.ok((r.profile.syscalls ?? []).some((x) => x.errnoRet === 38 && x.names.includes('clone3')), 'clone3 still ENOSYS');
  });

  it('refuses an arch it has no table for', () => {
    assert.throws(() => parseTargets('riscv64'), /TRANSLATE_ARCH_UNKNOWN|cannot translate/);
    assert.deepEqual(parseTargets('x86_64, aarch64'), ['x86_64', 'aarch64']);
  });
});

describe('profile validate', () => {
  it('refuses "architectures": null, a name no listed arch has, an empty allow list', async () => {
    const lib = await nativeLibseccomp();
    const v = (p: object) => validateProfileText(JSON.stringify(p), 'x', lib).problems.filter((x) => x.severity === 'error').map((x) => x.message).join('\n');
    assert.match(v({ defaultAction: 'SCMP_ACT_ERRNO', architectures: null, syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] }), /architectures.*null/);
    assert.match(v({ defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_AARCH64'], syscalls: [{ names: ['open'], action: 'SCMP_ACT_ALLOW' }] }), /open .*none of this profile's architectures/);
    assert.match(v({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [] }), /no rule allows any|empty allow/);
  });
});
