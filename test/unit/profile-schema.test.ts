import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { archNameOf, archTokenOf, parseProfile, serializeProfile } from '../../src/profile/schema.js';

const PODMAN = '/usr/share/containers/seccomp.json';
const code = (fn: () => unknown): { code?: string; message: string } => {
  try {
    fn();
  } catch (e) {
    return e as { code?: string; message: string };
  }
  assert.fail('expected a ProfileError');
};

describe('profile schema', () => {
  it('reads the podman default profile and keeps fields it does not model', { skip: !existsSync(PODMAN) && 'no containers-common' }, () => {
    const p = parseProfile(readFileSync(PODMAN, 'utf8'), PODMAN);
    assert.equal(p.defaultAction, 'SCMP_ACT_ERRNO');
    assert.equal((p as Record<string, unknown>).defaultErrno, 'ENOSYS');
    const again = parseProfile(serializeProfile(p), 'round trip');
    assert.equal((again as Record<string, unknown>).defaultErrno, 'ENOSYS');
    assert.equal(again.syscalls!.length, p.syscalls!.length);
  });

  const invalid: Array<[string, unknown, RegExp]> = [
    ['unknown action, naming the rule and value', { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }, { names: ['mount', 'umount2'], action: 'SCMP_ACT_DENY' }] },
      /unknown action "SCMP_ACT_DENY".*\(rule 1: mount, umount2\)[\s\S]*syscalls\[1\]\.action/],
    ['unknown default action', { defaultAction: 'ALLOW', syscalls: [] }, /unknown action "ALLOW"[\s\S]*defaultAction/],
    ['empty allow-list under a denying default', { defaultAction: 'SCMP_ACT_KILL_PROCESS', syscalls: [{ names: ['ptrace'], action: 'SCMP_ACT_ERRNO' }] }, /no rule allows any/],
    ['no syscalls at all under a denying default', { defaultAction: 'SCMP_ACT_ERRNO' }, /no rule allows any/],
    ['an empty names list', { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: [], action: 'SCMP_ACT_ALLOW' }] }, /syscalls\[0\]\.names/],
    ['an arch token libseccomp does not have', { defaultAction: 'SCMP_ACT_LOG', architectures: ['SCMP_ARCH_AMD64'] }, /unknown architecture "SCMP_ARCH_AMD64"/],
    ['an argument value JSON cannot carry exactly', { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 2 ** 60, op: 'SCMP_CMP_EQ' }] }] }, /2\^53/],
    ['an argument index past 5', { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 6, value: 1, op: 'SCMP_CMP_EQ' }] }] }, /index/],
    ['an unknown operator', { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'EQ' }] }] }, /op/],
    ['an unknown flag', { defaultAction: 'SCMP_ACT_LOG', flags: ['SECCOMP_FILTER_FLAG_LOUD'] }, /flags/],
    ['a syscall name with a capital or space', { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['Read '], action: 'SCMP_ACT_ALLOW' }] }, /lower-case/],
  ];
  for (const [what, doc, message] of invalid) {
    it(`refuses ${what}`, () => {
      const e = code(() => parseProfile(JSON.stringify(doc), 'p.json'));
      assert.equal(e.code, 'PROFILE_INVALID');
      assert.match(e.message, /^p\.json: not a valid seccomp profile/);
      assert.match(e.message, message);
    });
  }

  it('refuses text that is not JSON', () => {
    assert.equal(code(() => parseProfile('{', 'x')).code, 'PROFILE_INVALID');
  });

  it('accepts a complain profile with no rules (default LOG permits)', () => {
    assert.equal(parseProfile('{"defaultAction":"SCMP_ACT_LOG"}', 'x').defaultAction, 'SCMP_ACT_LOG');
  });

  it('accepts Docker nulls and empty filters', () => {
    const p = parseProfile(JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: null, comment: '', includes: {}, excludes: {} }] }), 'x');
    assert.equal(p.syscalls![0]!.args, null);
  });

  it('serializes canonically: known keys first, names sorted and unique, rules by action, 2 spaces, final newline', () => {
    const p = parseProfile(JSON.stringify({
      zzz: 1, syscalls: [
        { action: 'SCMP_ACT_KILL_PROCESS', names: ['ptrace'] },
        { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ op: 'SCMP_CMP_EQ', value: 0, index: 0 }] },
        { names: ['write', 'read', 'write'], action: 'SCMP_ACT_ALLOW' },
      ], defaultAction: 'SCMP_ACT_ERRNO', aaa: 2,
    }), 'x');
    const text = serializeProfile(p);
    assert.equal(text, `{
  "defaultAction": "SCMP_ACT_ERRNO",
  "aaa": 2,
  "zzz": 1,
  "syscalls": [
    {
      "names": [
        "read",
        "write"
      ],
      "action": "SCMP_ACT_ALLOW"
    },
    {
      "names": [
        "personality"
      ],
      "action": "SCMP_ACT_ALLOW",
      "args": [
        {
          "index": 0,
          "value": 0,
          "op": "SCMP_CMP_EQ"
        }
      ]
    },
    {
      "names": [
        "ptrace"
      ],
      "action": "SCMP_ACT_KILL_PROCESS"
    }
  ]
}
`);
    assert.equal(serializeProfile(parseProfile(text, 'again')), text, 'a fixed point');
  });

  it('maps arch tokens and libseccomp names both ways', () => {
    assert.equal(archTokenOf('x86_64'), 'SCMP_ARCH_X86_64');
    assert.equal(archTokenOf('mipsel64n32'), 'SCMP_ARCH_MIPSEL64N32');
    assert.equal(archTokenOf('amd64'), undefined);
    assert.equal(archNameOf('SCMP_ARCH_AARCH64'), 'aarch64');
  });
});
