import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exportOci, exportSpo, k8sName, toYaml } from '../../src/profile/export.js';
import { complainProfile, enforceProfile } from '../../src/profile/modes.js';
import { parseRuncVersion } from '../../src/profile/runtime-flags.js';
import { parseProfile, type SeccompProfile } from '../../src/profile/schema.js';
import { validateProfileText } from '../../src/profile/validate.js';
import { fakeLib } from '../helpers/fake-libseccomp.js';

const P = (o: object): SeccompProfile => parseProfile(JSON.stringify(o), 'x');
const lines = (o: object) => validateProfileText(JSON.stringify(o), 'f.json', fakeLib).problems.map((p) => `${p.severity}: ${p.message}`);

describe('profile validate: one line per problem', () => {
  const table: Array<[string, object, RegExp[]]> = [
    ['a clean profile', { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' }] }, []],
    ['a typo', { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read', 'wrte'], action: 'SCMP_ACT_ALLOW' }] }, [/^error: unknown syscall wrte in rule 0/]],
    ['a name only another arch has', { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read', 'socketcall'], action: 'SCMP_ACT_ALLOW' }] }, [/^error: syscall socketcall in rule 0 exists on none of this profile's architectures \(x86_64\)/]],
    ['conflicting rules', { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read', 'mount'], action: 'SCMP_ACT_ALLOW' }, { names: ['mount'], action: 'SCMP_ACT_ERRNO' }] }, [/^error: conflicting rules for mount: rule 0 says SCMP_ACT_ALLOW, rule 1 says SCMP_ACT_ERRNO/]],
    ['duplicate rules', { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }, { names: ['read'], action: 'SCMP_ACT_ALLOW' }] }, [/^warning: rule 1 repeats rule 0/, /^warning: duplicate rule for read/]],
    ['a default that allows everything', { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['ptrace'], action: 'SCMP_ACT_ERRNO' }] }, [/^error: default action SCMP_ACT_ALLOW allows every syscall/]],
    ['complain mode', { defaultAction: 'SCMP_ACT_LOG' }, [/^warning: default action SCMP_ACT_LOG/]],
    ['an empty allow-list', { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['ptrace'], action: 'SCMP_ACT_ERRNO' }] }, [/^error: the default action SCMP_ACT_ERRNO denies every syscall and no rule allows any.*\(at syscalls\)/]],
    ['a schema error', { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'ALLOW' }] }, [/^error: unknown action "ALLOW".*\(rule 0: read\) \(at syscalls\[0\]\.action\)/]],
  ];
  for (const [what, doc, expected] of table) {
    it(what, () => {
      const got = lines(doc);
      assert.equal(got.length, expected.length, got.join('\n'));
      expected.forEach((re, i) => assert.match(got[i]!, re));
    });
  }
});

describe('complain and enforce', () => {
  const base = P({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38, syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }, { names: ['ptrace'], action: 'SCMP_ACT_KILL_PROCESS' }] });
  it('complain: default LOG, rules kept, no errno', () => {
    const { profile } = complainProfile(base);
    assert.equal(profile.defaultAction, 'SCMP_ACT_LOG');
    assert.equal(profile.defaultErrnoRet, undefined);
    assert.deepEqual(profile.syscalls, base.syscalls);
  });
  it('enforce errno: the log flag, the errno kept', () => {
    const { profile, warnings } = enforceProfile(complainProfile(base).profile, { mode: 'errno', runtimeSupportsFlags: true });
    assert.equal(profile.defaultAction, 'SCMP_ACT_ERRNO');
    assert.equal(profile.defaultErrnoRet, 1);
    assert.deepEqual(profile.flags, ['SECCOMP_FILTER_FLAG_LOG']);
    assert.deepEqual(warnings, []);
    assert.equal(enforceProfile(base, { mode: 'errno', runtimeSupportsFlags: true }).profile.defaultErrnoRet, 38);
  });
  it('enforce errno for old runc: no flags at all, and a warning that denials go unlogged', () => {
    const withFlags = { ...base, flags: ['SECCOMP_FILTER_FLAG_LOG' as const] };
    const { profile, warnings } = enforceProfile(withFlags, { mode: 'errno', runtimeSupportsFlags: false });
    assert.equal(profile.flags, undefined);
    assert.match(warnings[0]!, /will NOT be logged/);
  });
  it('enforce kill: KILL_PROCESS, no errno', () => {
    const { profile } = enforceProfile(base, { mode: 'kill', runtimeSupportsFlags: false });
    assert.equal(profile.defaultAction, 'SCMP_ACT_KILL_PROCESS');
    assert.equal(profile.defaultErrnoRet, undefined);
    assert.equal(profile.flags, undefined);
  });
  it('reads runc versions', () => {
    assert.deepEqual(parseRuncVersion('runc version 1.1.5\ncommit: v1.1.5-0-gf19387a\nspec: 1.0.2-dev'), [1, 1, 5]);
    assert.deepEqual(parseRuncVersion('runc version 1.2.0-rc.1\n'), [1, 2, 0]);
    assert.equal(parseRuncVersion('crun version 1.8'), undefined);
  });
});

describe('export', () => {
  const p = P({
    defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 1, extra: true,
    archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86'] }, { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] }],
    syscalls: [
      { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW', comment: '', args: null },
      { names: ['mount'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
      { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 8, valueTwo: 0, op: 'SCMP_CMP_EQ' }] },
    ],
  });
  it('OCI: spec fields only, archMap resolved for this host, capability rules left out with a warning', () => {
    const r = exportOci(p, 'x86_64');
    assert.deepEqual(JSON.parse(r.text), { linux: { seccomp: {
      defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 1, architectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X86_64'],
      syscalls: [
        { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' },
        { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 8, valueTwo: 0, op: 'SCMP_CMP_EQ' }] },
      ],
    } } });
    assert.match(r.warnings[0]!, /mount/);
    assert.match(r.warnings[1]!, /extra/);
  });
  it('SPO: a SeccompProfile resource', () => {
    const r = exportSpo(P({ defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86_64'], syscalls: [{ names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' }] }),
      { name: 'Web_App.json', namespace: 'prod', nativeArch: 'x86_64' });
    assert.equal(r.text, `apiVersion: security-profiles-operator.x-k8s.io/v1beta1
kind: SeccompProfile
metadata:
  name: web-app
  namespace: prod
spec:
  defaultAction: SCMP_ACT_ERRNO
  architectures:
    - SCMP_ARCH_X86_64
  syscalls:
    - names:
        - read
        - write
      action: SCMP_ACT_ALLOW
`);
  });
  it('YAML quotes what would not read back as the same string', () => {
    assert.equal(toYaml({ a: 'yes', b: 'on', c: '1.0', d: 'x: y', e: 'plain_word', f: '' }), 'a: "yes"\nb: "on"\nc: "1.0"\nd: "x: y"\ne: plain_word\nf: ""\n');
    assert.equal(k8sName('--My Profile!.json'), 'my-profile');
  });
});
