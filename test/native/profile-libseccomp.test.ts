// The profile toolbox and apply against the real libseccomp (the addon; no root needed).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { applyProposal } from '../../src/apply/apply.js';
import { nativeLibseccomp } from '../../src/profile/libseccomp-view.js';
import { enforceProfile } from '../../src/profile/modes.js';
import { parseProfile } from '../../src/profile/schema.js';
import { loadDefaultProfile, PODMAN_DEFAULT_PROFILE, profileStats } from '../../src/profile/stats.js';
import { checkProfileSemantics, validateProfileText } from '../../src/profile/validate.js';
import { setup } from '../helpers/apply-setup.js';

let why: string | false = false;
try {
  (await nativeLibseccomp()).nativeArch();
} catch (e) {
  why = `libseccomp addon not available: ${(e as Error).message}`;
}
const lib = why ? undefined : await nativeLibseccomp();

describe('profile toolbox with libseccomp', { skip: why }, () => {
  it('validates the podman default profile (only its one repeated rule is noted)', { skip: !existsSync(PODMAN_DEFAULT_PROFILE) && 'no containers-common' }, () => {
    const r = validateProfileText(readFileSync(PODMAN_DEFAULT_PROFILE, 'utf8'), PODMAN_DEFAULT_PROFILE, lib!);
    assert.deepEqual(r.problems.filter((p) => p.severity === 'error'), []);
  });

  it('compares with the arch table and the default profile', { skip: !existsSync(PODMAN_DEFAULT_PROFILE) && 'no containers-common' }, async () => {
    const def = (await loadDefaultProfile())!;
    const p = parseProfile(JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read', 'write', 'exit_group', 'ptrace'], action: 'SCMP_ACT_ALLOW' }] }), 'x');
    const s = profileStats(p, { catalog: lib!, nativeArch: lib!.nativeArch(), defaultProfile: def });
    const native = s.arches[0]!;
    assert.equal(native.allowed, 4);
    assert.ok(native.total > 300, `${native.total} syscalls in the table`);
    assert.ok(native.defaultProfileAllowed! > 300 && native.defaultProfileAllowed! < native.total);
    assert.deepEqual(s.dangerousAllowed.map((d) => d.syscall), ['ptrace']);
  });

  it('an enforce profile with the log flag compiles', () => {
    const p = parseProfile(JSON.stringify({ defaultAction: 'SCMP_ACT_LOG', syscalls: [{ names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' }] }), 'x');
    const { profile } = enforceProfile(p, { mode: 'errno', runtimeSupportsFlags: true });
    assert.deepEqual(checkProfileSemantics(profile, lib!), []);
  });

  it('apply compiles the result with libseccomp and refuses what it refuses, byte-identical', async () => {
    const ok = setup(['openat', 'futex']);
    const out = await applyProposal(ok.proposal.id, { profileDirs: ['/'], stateDir: ok.stateDir, lib: lib! });
    assert.deepEqual(out.adding, ['futex', 'openat']);
    const bad = setup(['not_a_syscall']);
    await assert.rejects(applyProposal(bad.proposal.id, { profileDirs: ['/'], stateDir: bad.stateDir, lib: lib! }), (e: { code?: string; message: string }) => {
      assert.equal(e.code, 'APPLY_INVALID_RESULT');
      assert.match(e.message, /not_a_syscall/);
      return true;
    });
    assert.deepEqual(readFileSync(bad.profilePath), bad.before);
  });
});
