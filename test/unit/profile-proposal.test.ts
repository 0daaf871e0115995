import assert from 'node:assert/strict';
import jsonpatch from 'fast-json-patch';
import { describe, it } from 'node:test';
import { buildPatch, Proposal, proposalId, proposalPath, type PatchOperation } from '../../src/profile/proposal.js';
import { parseProfile, type SeccompProfile } from '../../src/profile/schema.js';
import { verdictFor } from '../../src/profile/syscall-set.js';

const P = (o: object): SeccompProfile => parseProfile(JSON.stringify(o), 'x');
const apply = (p: SeccompProfile, ops: PatchOperation[]) =>
  jsonpatch.applyPatch(jsonpatch.deepClone(p), ops as unknown as jsonpatch.Operation[], true, false).newDocument as SeccompProfile;
const add = (...names: string[]) => names.map((syscall) => ({ arch: 'x86_64', syscall }));

describe('buildPatch', () => {
  const base = P({ defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86_64'], syscalls: [
    { names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0, op: 'SCMP_CMP_EQ' }] },
    { names: ['close', 'read', 'write'], action: 'SCMP_ACT_ALLOW' },
    { names: ['ptrace'], action: 'SCMP_ACT_KILL_PROCESS' },
  ] });

  it('inserts into the first unconditional allow rule at sorted places', () => {
    const ops = buildPatch(base, add('openat', 'aaa_first', 'zzz_last', 'write'));
    assert.deepEqual(ops, [
      { op: 'add', path: '/syscalls/1/names/0', value: 'aaa_first' },
      { op: 'add', path: '/syscalls/1/names/2', value: 'openat' },
      { op: 'add', path: '/syscalls/1/names/-', value: 'zzz_last' },
    ]);
    assert.deepEqual(apply(base, ops).syscalls![1]!.names, ['aaa_first', 'close', 'openat', 'read', 'write', 'zzz_last']);
  });

  it('appends to an unsorted rule', () => {
    const p = P({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['write', 'read'], action: 'SCMP_ACT_ALLOW' }] });
    assert.deepEqual(apply(p, buildPatch(p, add('close'))).syscalls![0]!.names, ['write', 'read', 'close']);
  });

  it('adds a rule when no unconditional allow rule exists, and the array when there is none', () => {
    const p = P({ defaultAction: 'SCMP_ACT_LOG', syscalls: [{ names: ['ptrace'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }] });
    assert.deepEqual(buildPatch(p, add('read')), [{ op: 'add', path: '/syscalls/-', value: { names: ['read'], action: 'SCMP_ACT_ALLOW' } }]);
    const q = P({ defaultAction: 'SCMP_ACT_LOG' });
    assert.deepEqual(apply(q, buildPatch(q, add('b', 'a'))).syscalls, [{ names: ['a', 'b'], action: 'SCMP_ACT_ALLOW' }]);
  });

  it('adds an arch the profile does not cover', () => {
    const ops = buildPatch(base, [{ arch: 'x86', syscall: 'socketcall' }]);
    assert.deepEqual(ops[0], { op: 'add', path: '/architectures/-', value: 'SCMP_ARCH_X86' });
  });

  it('returns nothing for names already allowed', () => {
    assert.deepEqual(buildPatch(base, add('close', 'write')), []);
  });

  it('refuses names blocked by rule or allowed only conditionally', () => {
    assert.throws(() => buildPatch(base, add('ptrace')), { code: 'PATCH_CONFLICT' });
    // Conditional on a capability: not ours to widen. (Argument rules are widened: arg-widen.test.ts.)
    const cond = P({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }, { names: ['personality'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } }] });
    assert.throws(() => buildPatch(cond, add('personality')), { code: 'PATCH_CONFLICT' });
    const unshare = P({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }, { names: ['unshare'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0xffffffff, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }] }] });
    assert.throws(() => buildPatch(unshare, add('unshare')), { code: 'PATCH_CONFLICT' }, 'the engine default refuses unshare: no widening');
  });
});

describe('verdictFor', () => {
  const p = P({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [
    { names: ['read', 'mount'], action: 'SCMP_ACT_ALLOW' },
    { names: ['mount'], action: 'SCMP_ACT_ERRNO' },
    { names: ['socket'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_NET_RAW'] } },
  ] });
  const table: Array<[string, string]> = [['read', 'allowed'], ['mount', 'blocked-by-rule'], ['socket', 'conditional'], ['openat', 'default']];
  for (const [name, kind] of table) it(`${name} -> ${kind}`, () => assert.equal(verdictFor(p, name).kind, kind));
});

describe('proposal identity', () => {
  it('is 12 hex, stable, one per profile file whatever the container or image', () => {
    const a = proposalId('/etc/p.json');
    assert.match(a, /^[0-9a-f]{12}$/);
    assert.equal(a, proposalId('/etc/../etc/p.json'));
    assert.notEqual(a, proposalId('/etc/q.json'));
    assert.equal(proposalPath('/s', a), `/s/proposals/${a}.json`);
  });

  it('the schema takes a full proposal and rejects a bad id or sha', () => {
    const good = {
      version: 1, id: 'abcdef012345', container: { id: 'c' }, profile: { path: '/p.json', sha256: 'a'.repeat(64) },
      createdAt: 't', updatedAt: 't', add: [], blockedByRule: [], patch: [], status: 'open',
    };
    assert.ok(Proposal.safeParse(good).success);
    assert.ok(!Proposal.safeParse({ ...good, id: '../../etc' }).success);
    assert.ok(!Proposal.safeParse({ ...good, profile: { path: '/p', sha256: 'x' } }).success);
    assert.ok(!Proposal.safeParse({ ...good, status: 'done' }).success);
  });
});
