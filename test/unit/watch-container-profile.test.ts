// The watcher's copies of embedded profiles (Docker and the kubelet embed the JSON and forget the
// path): where they live and when an existing one is trusted (issue 12, attack 5).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedProfilesDir, profileFileOf } from '../../src/watch/container-profile.js';
import { sha256Hex } from '../../src/profile/proposal.js';
import { backupsDir, sanitizePath } from '../../src/state/paths.js';
import type { RegistryEntry } from '../../src/state/registry.js';

const PROFILE = { defaultAction: 'SCMP_ACT_LOG', architectures: ['SCMP_ARCH_X86_64'], syscalls: [{ names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' }] };
const entry: RegistryEntry = { id: 'c1', runtime: 'runc', initPid: 1, initStartTime: 1, registeredAt: '2026-01-01T00:00:00.000Z', profile: PROFILE };

test('the copy lives in the watcher\'s own state directory, not the hook\'s shared profile directory', () => {
  const state = mkdtempSync(join(tmpdir(), 'st-cp-'));
  try {
    const path = profileFileOf(state, entry)!;
    assert.ok(path.startsWith(embeddedProfilesDir(state) + '/'), path);
    assert.equal(embeddedProfilesDir(state), join(state, 'watch', 'embedded'));
    assert.equal(statSync(embeddedProfilesDir(state)).mode & 0o777, 0o700);
    assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')).syscalls[0].names, ['read', 'write']);
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
});

test('a planted copy is rewritten; apply\'s result is kept', () => {
  const state = mkdtempSync(join(tmpdir(), 'st-cp-'));
  try {
    const path = profileFileOf(state, entry)!;
    const planted = JSON.stringify({ ...PROFILE, syscalls: [{ names: ['read', 'write', 'ptrace'], action: 'SCMP_ACT_ALLOW' }] });
    writeFileSync(path, planted);
    assert.equal(profileFileOf(state, entry), path);
    assert.doesNotMatch(readFileSync(path, 'utf8'), /ptrace/, 'rewritten from the container\'s config');
    // What apply wrote (its backup's meta records the hash) stays.
    const applied = JSON.stringify({ ...PROFILE, syscalls: [{ names: ['read', 'uname', 'write'], action: 'SCMP_ACT_ALLOW' }] });
    writeFileSync(path, applied);
    mkdirSync(backupsDir(state), { recursive: true });
    writeFileSync(join(backupsDir(state), `${sanitizePath(path)}.1.meta.json`), JSON.stringify({ profilePath: path, replacedBySha256: sha256Hex(applied), at: '2026-01-01T00:00:00.000Z' }));
    profileFileOf(state, entry);
    assert.equal(readFileSync(path, 'utf8'), applied);
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
});
