// The hook's zod-free check of a shadowed profile, and of the shadow annotation's value: what it
// takes is what the schema takes for the fields the evaluator reads; what it refuses is one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkShadowProfile } from '../../src/shadow/profile-shape.js';
import { parseProfile } from '../../src/profile/schema.js';
import { parseShadowAnnotation } from '../../src/oci/annotation.js';

const good = {
  defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 1, architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],
  syscalls: [
    { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' },
    { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 2, op: 'SCMP_CMP_EQ' }] },
    { names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 2114060288, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }], includes: { arches: ['amd64'] } },
  ],
  someOtherToolsField: { kept: true },
};

test('a profile the schema takes is taken, unchanged', () => {
  parseProfile(JSON.stringify(good), 'good.json'); // the schema agrees it is one
  assert.equal(checkShadowProfile(good), good);
  assert.equal(typeof checkShadowProfile({ defaultAction: 'SCMP_ACT_ALLOW' }), 'object', 'no syscalls at all');
});

test('what is not a profile the evaluator can read is one reason', () => {
  const cases: Array<[unknown, RegExp]> = [
    [[], /not a JSON object/],
    [{ hello: 'world' }, /defaultAction/],
    [{ defaultAction: 'ALLOW' }, /defaultAction "ALLOW"/],
    [{ defaultAction: 'SCMP_ACT_ERRNO', syscalls: {} }, /syscalls is not a list/],
    [{ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: 'read', action: 'SCMP_ACT_ALLOW' }] }, /syscalls\[0\]: names/],
    [{ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['Read;rm'], action: 'SCMP_ACT_ALLOW' }] }, /names/],
    [{ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_MAYBE' }] }, /action/],
    [{ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 6, value: 1, op: 'SCMP_CMP_EQ' }] }] }, /index is not 0-5/],
    [{ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: -1, op: 'SCMP_CMP_EQ' }] }] }, /value/],
    [{ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: '1', op: 'SCMP_CMP_EQ' }] }] }, /value/],
    [{ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'EQ' }] }] }, /op/],
    [{ defaultAction: 'SCMP_ACT_ERRNO', architectures: ['x86_64'] }, /architectures/],
  ];
  for (const [json, re] of cases) {
    const r = checkShadowProfile(json);
    assert.equal(typeof r, 'string', JSON.stringify(json));
    assert.match(r as string, re);
    assert.ok(!(r as string).includes('\n'));
  }
});

test('the shadow annotation names one file, as of: does', () => {
  assert.equal(parseShadowAnnotation('/var/lib/seccomp-tailor/profiles/app.json'), '/var/lib/seccomp-tailor/profiles/app.json');
  assert.equal(parseShadowAnnotation(' app.json '), 'app.json');
  assert.throws(() => parseShadowAnnotation('../etc/shadow'), /contains "\.\."/);
  assert.throws(() => parseShadowAnnotation('dir/app.json'), /bare file name/);
  assert.throws(() => parseShadowAnnotation('/etc/app.json\n2nd line'), /control character/);
  assert.throws(() => parseShadowAnnotation('/profiles/'), /names a directory/);
  assert.throws(() => parseShadowAnnotation(''), /empty/);
  assert.throws(() => parseShadowAnnotation('x'.repeat(5000)), /longer than/);
});
