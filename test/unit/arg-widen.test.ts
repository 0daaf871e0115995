// A denial of a syscall the profile allows only with argument rules: the watcher cannot know the
// values (audit records carry none), so it proposes the engine default's rule, with the reason;
// `apply` widens the rule to it, recomputed from the profile, and the filter still refuses what
// the default refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import jsonpatch from 'fast-json-patch';
import { wideningFor } from '../../src/profile/widen-args.js';
import { buildPatch, Proposal } from '../../src/profile/proposal.js';
import { parseProfile, type SeccompProfile } from '../../src/profile/schema.js';
import { permitsCall } from '../../src/profile/engine-defaults.js';
import { buildRecordedProfile } from '../../src/record/profile-builder.js';
import { renderProposal } from '../../src/watch/render-proposal.js';
import { Aggregator } from '../../src/watch/aggregator.js';
import { applyProposal } from '../../src/apply/apply.js';
import { nativeLibseccomp } from '../../src/profile/libseccomp-view.js';
import { architectures, compileProfile, syscallNumber } from '../../src/native/libseccomp.js';
import { runSeccompFilter, SECCOMP_RET_ALLOW } from '../helpers/bpf-eval.js';
import { toProfileLike } from '../../src/profile/libseccomp-view.js';
import type { ArgFact } from '../../src/record/arg-facts.js';
import type { SeccompEvent } from '../../parsers/types.js';
import { setup } from '../helpers/apply-setup.js';

const nr = (name: string) => syscallNumber('x86_64', name)!;
const count = (name: string) => ({ phase: 2 as const, arch: 'native' as const, nr: nr(name), count: 1, firstNs: 1n });
const fact = (syscall: ArgFact['syscall'], argIndexes: number[], values: bigint[][]): ArgFact => ({ phase: 2, arch: 'native', syscall, nr: nr(syscall), argIndexes, values, overflow: false });
const RECORDED = parseProfile(buildRecordedProfile({
  counts: ['execve', 'exit_group', 'clone', 'personality', 'socket', 'ioctl', 'unshare'].map(count), runtimeNeeds: [],
  argFacts: [fact('clone', [0], [[0x11n]]), fact('personality', [0], [[0xffffffffn]]), fact('socket', [0, 2], [[1n, 0n]]),
    fact('ioctl', [1], [[0x5401n]]), fact('unshare', [0], [[0x20000n]])],
}).text, 'recorded');

const patchedWith = (p: SeccompProfile, syscalls: string[]): SeccompProfile =>
  parseProfile(JSON.stringify(jsonpatch.applyPatch(structuredClone(p), buildPatch(p, syscalls.map((syscall) => ({ arch: 'x86_64', syscall, widen: true }))) as jsonpatch.Operation[]).newDocument), 'patched');

function kernel(p: SeccompProfile) {
  const { bpf } = compileProfile(toProfileLike(p));
  const arch = architectures().find((a) => a.name === 'x86_64')!.auditArch;
  return (name: string, args: bigint[]) => runSeccompFilter(bpf, { nr: nr(name), arch, args }) === SECCOMP_RET_ALLOW;
}

test('what is proposed for each syscall allowed only with arguments', () => {
  const w = (n: string, values?: bigint[][]) => wideningFor(RECORDED, n, values);
  assert.equal(w('clone')!.basis, 'engine-default');
  assert.deepEqual(w('clone')!.rules.map((r) => r.args), [[{ index: 0, value: 0x7e020000, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }]]);
  assert.match(w('clone')!.reason, /audit records carry no arguments.*docker: no namespace flags/);
  assert.deepEqual(w('personality')!.rules.map((r) => r.args![0]!.value), [0x0, 0x8, 0x20000, 0x20008], 'the default\'s values it lacks');
  assert.equal(w('socket')!.rules.length, 2, 'the default\'s two NE rules: anything but AF_NETLINK NETLINK_AUDIT');
  assert.equal(w('ioctl')!.basis, 'name', 'the engines do not filter ioctl: the name alone');
  assert.equal(w('unshare'), undefined, 'Docker refuses unshare outright: nothing is proposed');
  assert.equal(w('execve'), undefined, 'allowed by name already');
  const known = w('clone', [[0x3d0f00n]])!;
  assert.equal(known.basis, 'values');
  assert.deepEqual(known.rules[0]!.args, [{ index: 0, value: Number(0xffffff00n & ~0x3d0f00n), valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }]);
  assert.equal(w('socket', [[16n, 0n]])!.rules[0]!.args!.length, 2, 'netlink: domain and protocol');
});

test('the patch widens to exactly that: threads can clone, user namespaces still cannot', () => {
  const p = patchedWith(RECORDED, ['clone', 'personality', 'socket', 'ioctl']);
  const k = kernel(p);
  for (const [name, args, want] of [
    ['clone', [0x3d0f00n], true], ['clone', [0x11n], true], ['clone', [0x10000011n], false], ['clone', [0x40000011n], false],
    ['personality', [0x8n], true], ['personality', [0x400000n], false],
    ['socket', [2n, 1n, 0n], true], ['socket', [16n, 3n, 0n], true], ['socket', [16n, 3n, 9n], false],
    ['ioctl', [0n, 0x5412n], true],
  ] as Array<[string, bigint[], boolean]>) {
    assert.equal(k(name, args), want, `${name} ${args}`);
    assert.equal(permitsCall(p, name, args), want, `${name} ${args} (our reading)`);
  }
  // Widened once: a clone still denied used a value the engine default refuses too; nothing more is proposed.
  assert.equal(wideningFor(p, 'clone'), undefined);
  assert.throws(() => buildPatch(p, [{ arch: 'x86_64', syscall: 'clone', widen: true }]), { code: 'PATCH_CONFLICT' });
});

test('the watcher proposes it with the reason; unshare stays reported, not proposed', () => {
  const a = new Aggregator();
  const subject = { id: 'abcdef012345', container: { id: 'c1' }, profilePath: '/etc/p.json' };
  const ev = (syscallName: string, syscall: number): SeccompEvent => ({ time: '2026-01-01T00:00:01.000Z', serial: 1, pid: 7, comm: 'app', exe: '/app', arch: 'x86_64', syscall, syscallName, compat: false, action: 'errno', code: '0x50001' } as SeccompEvent);
  a.add(subject, ev('clone', nr('clone')));
  a.add(subject, ev('unshare', nr('unshare')));
  const r = renderProposal(a.get(subject.id)!, { profile: RECORDED, sha256: 'a'.repeat(64) }, undefined, () => false, 'now')!;
  assert.ok(Proposal.safeParse(r.proposal).success);
  assert.deepEqual(r.proposal.add.map((x) => [x.syscall, x.widen?.basis]), [['clone', 'engine-default']]);
  assert.deepEqual(r.proposal.blockedByRule.map((x) => [x.syscall, x.reason]), [['unshare', 'conditional']]);
  assert.deepEqual(r.proposal.patch, [{ op: 'add', path: '/syscalls/-', value: { names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0x7e020000, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }] } }]);
});

test('apply widens the rule, validated by libseccomp, and refuses a proposal file that carries rules of its own', async () => {
  const addition = { arch: 'x86_64', syscall: 'clone', count: 1, firstSeen: 't', lastSeen: 't', comm: ['app'], exe: ['/app'], actions: ['errno'], widen: { basis: 'engine-default' as const, reason: 'r' } };
  const s = setup([], RECORDED);
  s.proposal.add = [addition];
  s.proposal.patch = buildPatch(RECORDED, [addition]);
  const { writeFileSync } = await import('node:fs');
  const { proposalPath, serializeProposal } = await import('../../src/profile/proposal.js');
  writeFileSync(proposalPath(s.stateDir, s.proposal.id), serializeProposal(s.proposal));
  const lib = await nativeLibseccomp();
  const out = await applyProposal(s.proposal.id, { profileDirs: ['/'], stateDir: s.stateDir, lib });
  assert.equal(out.written, true);
  const after = parseProfile(readFileSync(s.profilePath, 'utf8'), 'after');
  assert.equal(kernel(after)('clone', [0x3d0f00n]), true);
  assert.equal(kernel(after)('clone', [0x10000011n]), false);

  const t = setup([], RECORDED);
  t.proposal.add = [addition];
  // A forged patch that opens clone to everything: not what the additions say.
  t.proposal.patch = [{ op: 'add', path: '/syscalls/-', value: { names: ['clone'], action: 'SCMP_ACT_ALLOW' } }];
  writeFileSync(proposalPath(t.stateDir, t.proposal.id), serializeProposal(t.proposal));
  await assert.rejects(applyProposal(t.proposal.id, { profileDirs: ['/'], stateDir: t.stateDir, lib }), { code: 'APPLY_PATCH_MISMATCH' });
});
