import assert from 'node:assert/strict';
import fc from 'fast-check';
import { describe, it } from 'node:test';
import { mergeProfiles, nameSets } from '../../src/profile/merge.js';
import { parseProfile, serializeProfile, type SeccompProfile } from '../../src/profile/schema.js';

const P = (o: object): SeccompProfile => parseProfile(JSON.stringify(o), 'x');
const allow = (...names: string[]) => ({ names, action: 'SCMP_ACT_ALLOW' });
const block = (action: string, ...names: string[]) => ({ names, action });
const merge = (...ps: SeccompProfile[]) => mergeProfiles(ps.map((profile, i) => ({ profile, label: `p${i}` }))).profile;

describe('merge table', () => {
  const cases: Array<{ what: string; inputs: object[]; allowed: string[]; blocked: string[] }> = [
    { what: 'union of two recordings', inputs: [{ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [allow('read', 'write')] }, { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [allow('openat', 'read')] }],
      allowed: ['openat', 'read', 'write'], blocked: [] },
    { what: 'a baseline block beats a recording', inputs: [{ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [allow('read'), block('SCMP_ACT_KILL_PROCESS', 'ptrace')] }, { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [allow('ptrace', 'read')] }],
      allowed: ['read'], blocked: ['ptrace'] },
    { what: 'a block in a later input beats the baseline allow', inputs: [{ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [allow('read', 'mount')] }, { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [allow('read'), block('SCMP_ACT_ERRNO', 'mount')] }],
      allowed: ['read'], blocked: ['mount'] },
    { what: 'LOG-only names stay LOG, ALLOW wins over LOG', inputs: [{ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [allow('read'), { names: ['getpid', 'write'], action: 'SCMP_ACT_LOG' }] }, { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [allow('write')] }],
      allowed: ['getpid', 'read', 'write'], blocked: [] },
  ];
  for (const c of cases) {
    it(c.what, () => {
      const m = merge(...c.inputs.map(P));
      assert.deepEqual(nameSets(m), { allowed: c.allowed, blocked: c.blocked });
    });
  }

  it('keeps the baseline fields, args rules, and unions architectures and flags', () => {
    const base = P({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38, custom: { x: 1 }, architectures: ['SCMP_ARCH_X86_64'], syscalls: [
      allow('read'), { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 8, op: 'SCMP_CMP_EQ' }] }] });
    const rec = P({ defaultAction: 'SCMP_ACT_LOG', architectures: ['SCMP_ARCH_X86'], flags: ['SECCOMP_FILTER_FLAG_LOG'], syscalls: [allow('write')] });
    const { profile, warnings } = mergeProfiles([{ profile: base, label: 'base' }, { profile: rec, label: 'rec' }]);
    assert.equal(profile.defaultAction, 'SCMP_ACT_ERRNO');
    assert.equal(profile.defaultErrnoRet, 38);
    assert.deepEqual((profile as Record<string, unknown>).custom, { x: 1 });
    assert.deepEqual(profile.architectures, ['SCMP_ARCH_X86', 'SCMP_ARCH_X86_64']);
    assert.deepEqual(profile.flags, ['SECCOMP_FILTER_FLAG_LOG']);
    assert.ok(profile.syscalls!.some((r) => r.names[0] === 'personality' && r.args?.[0]?.value === 8));
    assert.match(warnings[0]!, /default action SCMP_ACT_LOG differs/);
  });

  it('writes provenance into comments when asked', () => {
    const { profile } = mergeProfiles([
      { profile: P({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [allow('read', 'write')] }), label: 'ci-1.json' },
      { profile: P({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [allow('read', 'openat')] }), label: 'ci-2.json' },
    ], { provenance: true });
    const byComment = Object.fromEntries(profile.syscalls!.map((r) => [r.comment, r.names]));
    assert.deepEqual(byComment, { 'seen in: ci-1.json, ci-2.json': ['read'], 'seen in: ci-1.json': ['write'], 'seen in: ci-2.json': ['openat'] });
  });
});

// Random profiles over a small alphabet, so names collide often between inputs.
const NAMES = ['read', 'write', 'openat', 'close', 'mount', 'ptrace', 'bpf', 'futex'];
const rule = fc.record({
  names: fc.uniqueArray(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 4 }),
  action: fc.constantFrom('SCMP_ACT_ALLOW', 'SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_ERRNO', 'SCMP_ACT_KILL_PROCESS'),
});
const profile = fc.array(rule, { minLength: 0, maxLength: 4 }).map((rules) =>
  P({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['exit_group'], action: 'SCMP_ACT_ALLOW' }, ...rules] }));

describe('merge properties', () => {
  it('is idempotent: merging a merge with itself changes nothing', () => {
    fc.assert(fc.property(profile, profile, (a, b) => {
      const m = merge(a, b);
      assert.equal(serializeProfile(merge(m, m)), serializeProfile(m));
      assert.deepEqual(nameSets(merge(m)), nameSets(m));
    }));
  });

  it('is commutative on the allowed and blocked sets', () => {
    fc.assert(fc.property(profile, profile, profile, (a, b, c) => {
      assert.deepEqual(nameSets(merge(a, b, c)), nameSets(merge(c, a, b)));
      assert.deepEqual(nameSets(merge(a, b)), nameSets(merge(b, a)));
    }));
  });

  it('never removes a blocked name, and never allows one', () => {
    fc.assert(fc.property(fc.array(profile, { minLength: 1, maxLength: 4 }), (ps) => {
      const m = nameSets(merge(...ps));
      for (const p of ps) for (const b of nameSets(p).blocked) {
        assert.ok(m.blocked.includes(b), `${b} lost its block`);
        assert.ok(!m.allowed.includes(b), `${b} became allowed`);
      }
    }));
  });

  it('allows exactly the union of allowed names minus the blocked ones', () => {
    fc.assert(fc.property(fc.array(profile, { minLength: 1, maxLength: 4 }), (ps) => {
      const blocked = new Set(ps.flatMap((p) => nameSets(p).blocked));
      const expected = [...new Set(ps.flatMap((p) => nameSets(p).allowed))].filter((n) => !blocked.has(n)).sort();
      assert.deepEqual(nameSets(merge(...ps)).allowed, expected);
    }));
  });
});
