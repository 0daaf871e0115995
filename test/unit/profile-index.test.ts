// The embedded copy of a profile leads back to its file: the fingerprint survives what Docker's
// conversion changes, and the index refuses a file that no longer holds that profile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { profileFingerprint } from '../../src/state/profile-fingerprint.js';
import { findProfileFile, indexProfileFile } from '../../src/state/profile-index.js';

const file = {
  defaultAction: 'SCMP_ACT_LOG', defaultErrnoRet: 1, architectures: ['SCMP_ARCH_X86_64'],
  syscalls: [
    { names: ['read', 'write', 'close'], action: 'SCMP_ACT_ALLOW', comment: 'workload' },
    { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 8, op: 'SCMP_CMP_EQ' }] },
  ],
};
// What moby's profiles/seccomp puts into config.json: arches expanded, one rule per input rule,
// valueTwo filled in, comments gone, keys in Go struct order.
const dockerEmbedded = {
  defaultAction: 'SCMP_ACT_LOG', defaultErrnoRet: 1, architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
  syscalls: [
    { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 8, valueTwo: 0, op: 'SCMP_CMP_EQ' }] },
    { names: ['close', 'read'], action: 'SCMP_ACT_ALLOW' },
    { names: ['write'], action: 'SCMP_ACT_ALLOW', args: [] },
  ],
};

test('the fingerprint survives the engine conversion and tells different profiles apart', () => {
  assert.equal(profileFingerprint(dockerEmbedded), profileFingerprint(file));
  assert.notEqual(profileFingerprint({ ...file, defaultAction: 'SCMP_ACT_ERRNO' }), profileFingerprint(file));
  assert.notEqual(profileFingerprint({ ...file, syscalls: [file.syscalls[0]] }), profileFingerprint(file));
  const otherArg = { ...file, syscalls: [file.syscalls[0], { ...file.syscalls[1], args: [{ index: 0, value: 9, op: 'SCMP_CMP_EQ' }] }] };
  assert.notEqual(profileFingerprint(otherArg), profileFingerprint(file));
  assert.equal(profileFingerprint('x'), undefined);
  assert.equal(profileFingerprint({ syscalls: [] }), undefined);
});

test('the index finds the file while it holds the profile, never a changed file or a symlink', () => {
  const dir = mkdtempSync(join(tmpdir(), 'st-pindex-'));
  try {
    const state = join(dir, 'state');
    const path = join(dir, 'p.json');
    writeFileSync(path, JSON.stringify(file, null, 2));
    assert.equal(findProfileFile(state, dockerEmbedded), undefined, 'nothing noted yet');
    assert.ok(indexProfileFile(state, path, JSON.stringify(file)));
    assert.equal(findProfileFile(state, dockerEmbedded), path);
    writeFileSync(path, JSON.stringify({ ...file, defaultAction: 'SCMP_ACT_ERRNO' }));
    assert.equal(findProfileFile(state, dockerEmbedded), undefined, 'the file changed since');
    rmSync(path);
    const real = join(dir, 'real.json');
    writeFileSync(real, JSON.stringify(file));
    symlinkSync(real, path);
    assert.equal(findProfileFile(state, dockerEmbedded), undefined, 'a symlink is not followed');
    assert.equal(indexProfileFile(state, path, 'not json'), false);
    assert.equal(indexProfileFile(state, 'relative.json', JSON.stringify(file)), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
