import assert from 'node:assert/strict';
import jsonpatch from 'fast-json-patch';
import { describe, it } from 'node:test';
import { ENOSYS, FAMILY_COMMENT, withFamilyRules, type FamilyProfile } from '../../src/profile/families.js';
import { FAMILIES, familyOf } from '../../src/profile/families-table.js';
import { buildPatch, type PatchOperation } from '../../src/profile/proposal.js';
import { parseProfile, serializeProfile, type SeccompProfile } from '../../src/profile/schema.js';
import { verdictFor } from '../../src/profile/syscall-set.js';
import { parseHookConfig } from '../../src/record/hook/config.js';

const recorded = (): FamilyProfile => ({
  defaultAction: 'SCMP_ACT_ERRNO',
  architectures: ['SCMP_ARCH_X86_64'],
  syscalls: [
    { names: ['close', 'exit_group', 'faccessat', 'openat', 'read', 'write'], action: 'SCMP_ACT_ALLOW' },
    { names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0x7e020000, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }] },
  ],
});
const enosysNames = (p: FamilyProfile): string[] =>
  (p.syscalls ?? []).filter((r) => r.action === 'SCMP_ACT_ERRNO' && r.errnoRet === ENOSYS).flatMap((r) => r.names);
const allowedNames = (p: FamilyProfile): string[] =>
  (p.syscalls ?? []).filter((r) => r.action === 'SCMP_ACT_ALLOW').flatMap((r) => r.names);

describe('withFamilyRules', () => {
  it('enosys: the newer member of every family whose older member is allowed, clone allowed only with arguments included', () => {
    const r = withFamilyRules(recorded(), { mode: 'enosys' });
    assert.deepEqual(r.enosys, ['clone3', 'close_range', 'faccessat2', 'openat2']);
    assert.deepEqual(enosysNames(r.profile).sort(), r.enosys);
    assert.equal(r.profile.defaultErrnoRet, 1, 'defaultErrnoRet set explicitly');
    const rule = r.profile.syscalls!.find((x) => x.errnoRet === ENOSYS)!;
    assert.equal(rule.comment, FAMILY_COMMENT);
    assert.equal(rule.args, undefined, 'an explicit rule with no condition');
    // The seen members keep their rules (clone's argument rule untouched).
    assert.deepEqual(r.profile.syscalls!.slice(0, 2), recorded().syscalls);
    assert.ok(parseProfile(serializeProfile(r.profile as SeccompProfile), 'x'), 'schema-valid');
  });

  it('a member the recording saw is allowed as it was, and gets no ENOSYS rule', () => {
    const p = recorded();
    (p.syscalls as Array<{ names: string[]; action: string }>)[0]!.names.push('faccessat2', 'clone3');
    const r = withFamilyRules(p, { mode: 'enosys' });
    assert.ok(!r.enosys.includes('faccessat2') && !r.enosys.includes('clone3'), r.enosys.join());
    assert.ok(allowedNames(r.profile).includes('faccessat2'));
  });

  it('idempotent: applied twice, the second adds nothing', () => {
    const once = withFamilyRules(recorded(), { mode: 'enosys' });
    const twice = withFamilyRules(once.profile, { mode: 'enosys' });
    assert.deepEqual(twice.enosys, []);
    assert.equal(serializeProfile(twice.profile as SeccompProfile), serializeProfile(once.profile as SeccompProfile));
  });

  it('allow: the newer members are allowed by name with a note, clone3 stays ENOSYS unless asked', () => {
    const r = withFamilyRules(recorded(), { mode: 'allow' });
    assert.deepEqual(r.allowed, ['close_range', 'faccessat2', 'openat2']);
    assert.deepEqual(r.enosys, ['clone3']);
    for (const n of r.allowed) assert.ok(allowedNames(r.profile).includes(n));
    assert.ok(r.notes.some((n) => n.syscall === 'faccessat2' && /never seen/.test(n.note)));
    const all = withFamilyRules(recorded(), { mode: 'allow', allowClone3: true });
    assert.deepEqual(all.enosys, []);
    assert.ok(allowedNames(all.profile).includes('clone3'));
    assert.ok(all.notes.some((n) => n.syscall === 'clone3' && /pointer/.test(n.note)));
  });

  it('off adds no rule (but still sets defaultErrnoRet); a permitting default is left alone', () => {
    const off = withFamilyRules(recorded(), { mode: 'off' });
    assert.deepEqual(enosysNames(off.profile), []);
    assert.equal(off.profile.defaultErrnoRet, 1);
    const complain = { ...recorded(), defaultAction: 'SCMP_ACT_LOG' };
    assert.equal(withFamilyRules(complain, { mode: 'enosys' }).profile, complain);
  });

  it('32-bit time64 members only where the profile has a 32-bit arch; names an arch lacks are left out', () => {
    const p: FamilyProfile = { defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86_64'], syscalls: [{ names: ['ppoll', 'clock_gettime', 'exit'], action: 'SCMP_ACT_ALLOW' }] };
    assert.deepEqual(withFamilyRules(p, { mode: 'enosys' }).enosys, []);
    const both = withFamilyRules({ ...p, architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'] }, { mode: 'enosys' });
    assert.deepEqual(both.enosys, ['clock_gettime64', 'ppoll_time64']);
    const none = withFamilyRules(recorded(), { mode: 'enosys', exists: (n) => n !== 'openat2' });
    assert.ok(!none.enosys.includes('openat2'));
  });
});

describe('the family table', () => {
  it('members are ordered oldest first by kernel version, and no name is in two families', () => {
    const v = (s: string) => s.split('.').map(Number).reduce((a, x, i) => a + x * 1000 ** (2 - i), 0);
    const seen = new Set<string>();
    for (const f of FAMILIES) {
      const last = f.members[f.members.length - 1]!;
      for (const m of f.members.slice(0, -1)) assert.ok(v(m.since) <= v(last.since), `${f.id}: ${m.name} ${m.since} after ${last.name} ${last.since}`);
      for (const m of f.members) {
        assert.ok(!seen.has(m.name), `${m.name} twice`);
        seen.add(m.name);
      }
    }
    assert.equal(familyOf('clone3')?.family.id, 'clone');
    assert.equal(familyOf('statx')?.index, 3);
  });
});

describe('proposals keep family rules coherent', () => {
  const P = (o: object): SeccompProfile => parseProfile(JSON.stringify(o), 'x');
  const apply = (p: SeccompProfile, ops: PatchOperation[]) =>
    jsonpatch.applyPatch(jsonpatch.deepClone(p), ops as unknown as jsonpatch.Operation[], true, false).newDocument as SeccompProfile;
  const enforced = P(withFamilyRules(recorded(), { mode: 'enosys' }).profile);
  const add = (...names: string[]) => names.map((syscall) => ({ arch: 'x86_64', syscall }));

  it('a name under the family ENOSYS rule is the default\'s to decide, so the watcher proposes it', () => {
    assert.equal(verdictFor(enforced, 'faccessat2').kind, 'default');
    // A hand-written ENOSYS block (no family comment) stays a deliberate block.
    const hand = P({ ...enforced, syscalls: [...enforced.syscalls!, { names: ['openat2'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 }] });
    assert.equal(verdictFor(hand, 'openat2').kind, 'blocked-by-rule');
  });

  it('allowing clone3 takes it out of the ENOSYS rule; allowing every member there removes the rule', () => {
    const one = apply(enforced, buildPatch(enforced, add('clone3')));
    assert.ok(allowedNames(one).includes('clone3'));
    assert.deepEqual(enosysNames(one).sort(), ['close_range', 'faccessat2', 'openat2']);
    const all = apply(enforced, buildPatch(enforced, add('clone3', 'close_range', 'faccessat2', 'openat2', 'uname')));
    assert.deepEqual(enosysNames(all), []);
    assert.ok(allowedNames(all).includes('uname'));
    assert.ok(!all.syscalls!.some((r) => r.comment === FAMILY_COMMENT));
  });

  it('allowing an older member adds ENOSYS for its newer ones; a profile without family rules gets none', () => {
    const p = apply(enforced, buildPatch(enforced, add('pipe', 'dup2')));
    assert.deepEqual(enosysNames(p).sort(), ['clone3', 'close_range', 'dup3', 'faccessat2', 'openat2', 'pipe2']);
    const plain = P(recorded());
    const q = apply(plain, buildPatch(plain, add('pipe')));
    assert.deepEqual(enosysNames(q), []);
  });
});

describe('merge of recordings', () => {
  it('one recording saw clone3, another answers it with ENOSYS: the merge allows it, and keeps the rest of the family rule', async () => {
    const { mergeProfiles } = await import('../../src/profile/merge.js');
    const P = (o: object): SeccompProfile => parseProfile(JSON.stringify(o), 'x');
    const a = P(withFamilyRules(recorded(), { mode: 'enosys' }).profile);
    const seen = recorded();
    (seen.syscalls as Array<{ names: string[]; action: string }>)[0]!.names.push('clone3');
    const b = P(withFamilyRules(seen, { mode: 'enosys' }).profile);
    const { profile } = mergeProfiles([{ profile: a, label: 'a' }, { profile: b, label: 'b' }]);
    assert.ok(allowedNames(profile).includes('clone3'));
    assert.deepEqual(enosysNames(profile).sort(), ['close_range', 'faccessat2', 'openat2']);
    assert.ok(profile.syscalls!.some((r) => r.comment === FAMILY_COMMENT), 'still recognised as the family rule');
    // A deliberate block still wins over an allow.
    const hand = P({ ...recorded(), syscalls: [...recorded().syscalls!, { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 }] });
    assert.ok(!allowedNames(mergeProfiles([{ profile: hand, label: 'h' }, { profile: b, label: 'b' }]).profile).includes('clone3'));
  });
});

describe('hook config "families"', () => {
  it('defaults to enosys, takes allow and off, refuses anything else', () => {
    assert.equal(parseHookConfig({}, 'x').families, 'enosys');
    assert.equal(parseHookConfig({ families: 'off' }, 'x').families, 'off');
    assert.throws(() => parseHookConfig({ families: 'yes' }, 'x'), /families: expected/);
  });
});
