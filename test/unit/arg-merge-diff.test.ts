// if: merges, `profile merge` and `diff` with argument rules: a union of values, never a rule lost
// by accident, and a widening to the name alone said out loud.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeProfiles } from '../../src/profile/merge.js';
import { diffProfiles, formatDiff } from '../../src/profile/diff.js';
import { parseProfile, type SeccompProfile } from '../../src/profile/schema.js';
import { permitsCall } from '../../src/profile/engine-defaults.js';
import { buildRecordedProfile, mergeWithBaseline } from '../../src/record/profile-builder.js';
import { architectures, compileProfile, syscallNumber } from '../../src/native/libseccomp.js';
import { runSeccompFilter, SECCOMP_RET_ALLOW } from '../helpers/bpf-eval.js';
import { toProfileLike } from '../../src/profile/libseccomp-view.js';
import type { ArgFact } from '../../src/record/arg-facts.js';

const nr = (name: string) => syscallNumber('x86_64', name)!;
const count = (name: string) => ({ phase: 2 as const, arch: 'native' as const, nr: nr(name), count: 1, firstNs: 1n });
const fact = (syscall: ArgFact['syscall'], values: bigint[][]): ArgFact => ({ phase: 2, arch: 'native', syscall, nr: nr(syscall), argIndexes: syscall === 'socket' ? [0, 2] : [0], values, overflow: false });
const record = (facts: ArgFact[], namesOnly = false): SeccompProfile => parseProfile(buildRecordedProfile({
  counts: ['execve', 'exit_group', 'clone', 'personality'].map(count), runtimeNeeds: [], argFacts: facts, namesOnly,
}).text, 'rec');
const A = record([fact('clone', [[0x1200011n]]), fact('personality', [[0xffffffffn]])]);
const B = record([fact('clone', [[0x3d0f00n]]), fact('personality', [[0x8n]])]);

function kernel(p: SeccompProfile) {
  const { bpf } = compileProfile(toProfileLike(p));
  const arch = architectures().find((a) => a.name === 'x86_64')!.auditArch;
  return (name: string, args: bigint[]) => runSeccompFilter(bpf, { nr: nr(name), arch, args }) === SECCOMP_RET_ALLOW;
}

test('profile merge: the union of the values, and nothing either input refused', () => {
  const { profile, warnings } = mergeProfiles([{ profile: A, label: 'a' }, { profile: B, label: 'b' }]);
  assert.deepEqual(warnings, []);
  const k = kernel(profile);
  for (const [name, args, want] of [
    ['clone', [0x1200011n], true], ['clone', [0x3d0f00n], true], ['clone', [0x3d0f00n | 0x10000000n], false],
    ['personality', [0xffffffffn], true], ['personality', [0x8n], true], ['personality', [0x400000n], false],
  ] as Array<[string, bigint[], boolean]>) {
    assert.equal(k(name, args), want, `${name} ${args}`);
    assert.equal(permitsCall(profile, name, args), want, `${name} ${args} (our reading)`);
  }
  const again = mergeProfiles([{ profile, label: 'm' }, { profile: A, label: 'a' }]).profile;
  assert.deepEqual(again.syscalls, profile.syscalls, 'merging a recording in twice changes nothing');
});

test('if: a names-only baseline keeps the name (a union), with a warning; a blocking baseline keeps it blocked', async () => {
  const namesOnly = record([], true);
  const m = mergeProfiles([{ profile: namesOnly, label: 'base.json' }, { profile: A, label: 'recording' }]);
  assert.equal(permitsCall(m.profile, 'clone', [0x10000011n]), true);
  assert.ok(m.warnings.some((w) => /^clone: allowed by name in base\.json/.test(w)), m.warnings.join('\n'));
  assert.ok(!(m.profile.syscalls ?? []).some((r) => (r.args?.length ?? 0) > 0 && r.names.includes('clone')), 'its redundant argument rules dropped');
  const blocking = { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['exit_group'], action: 'SCMP_ACT_ALLOW' }, { names: ['clone'], action: 'SCMP_ACT_KILL_PROCESS' }] } as SeccompProfile;
  const b = mergeProfiles([{ profile: blocking, label: 'base' }, { profile: A, label: 'rec' }]).profile;
  assert.equal(permitsCall(b, 'clone', [0x1200011n]), false);
  assert.ok(!(b.syscalls ?? []).some((r) => r.action === 'SCMP_ACT_ALLOW' && r.names.includes('clone')));
  // The hook's own if: path keeps the recording's argument rules on top of an argument baseline.
  const hook = parseProfile((await mergeWithBaseline(JSON.stringify(A), JSON.stringify(B), 'base.json')).text, 'merged');
  assert.equal(kernel(hook)('clone', [0x3d0f00n]), true);
  assert.equal(kernel(hook)('clone', [0x40000011n]), false);
});

test('profile diff: rules per syscall, and a widening to the name alone called WIDER', () => {
  const d = diffProfiles(A, B);
  assert.deepEqual(Object.keys(d.argRules), ['clone', 'personality']);
  assert.deepEqual(d.argRules.personality, { from: 'arguments', to: 'arguments', added: ['allow if arg0 == PER_LINUX32 (0x8)'], removed: ['allow if arg0 == query (0xffffffff)'] });
  const wider = formatDiff(diffProfiles(A, record([], true)));
  assert.match(wider, /^clone: WIDER: now allowed by name alone \(was only with arguments\)$/m);
  assert.match(wider, /^ {2}- allow if arg0 has only flags from CLONE_CHILD_CLEARTID\|CLONE_CHILD_SETTID \(any exit signal\)$/m);
  assert.doesNotMatch(wider, /conditional rule/);
  const tighter = formatDiff(diffProfiles(record([], true), A));
  assert.match(tighter, /^personality: now allowed only with arguments \(was by name alone\)$/m);
});
