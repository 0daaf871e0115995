// Issue 19 item 4, performed for real: /home/alice is alice's, profiles/web.json under it is root's.
// While apply waits for its answer, alice (a real unprivileged user, setpriv) renames `profiles` and
// puts a symlink to a root-only directory in its place. Apply must write nothing there (nor in the
// moved directory): it holds the directory it checked and re-verifies the path after the prompt.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chownSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyProposal } from '../../src/apply/apply.js';
import { rollbackProfile } from '../../src/apply/rollback.js';
import { proposalPath, serializeProposal } from '../../src/profile/proposal.js';
import { fakeLib } from '../helpers/fake-libseccomp.js';
import { setup } from '../helpers/apply-setup.js';
import { createUser, runAsUser, type TestUser } from '../helpers/attacker.js';

const skip = process.getuid?.() !== 0 ? 'needs root (creates a user)' : false;
let user: TestUser | undefined;
let root = '';
const SECRET = 'root:only:do-not-touch\n';

before(() => {
  if (skip) return;
  user = createUser(`sw${process.pid}`);
  root = mkdtempSync(join(tmpdir(), 'st-swap-'));
  chmodSync(root, 0o755);
});
after(() => {
  if (skip) return;
  user?.remove();
  rmSync(root, { recursive: true, force: true });
});

/** alice's home with a root-owned profiles/web.json in it, a root-only `sensitive/web.json`, a proposal. */
function scene(tag: string) {
  const s = setup(['openat']);
  const home = join(root, `alice-${tag}`);
  mkdirSync(home, { mode: 0o755 });
  chownSync(home, user!.uid, user!.gid);
  const profiles = join(home, 'profiles');
  mkdirSync(profiles, { mode: 0o755 });
  const profilePath = join(profiles, 'web.json');
  writeFileSync(profilePath, s.before, { mode: 0o644 });
  const sensitive = join(root, `sensitive-${tag}`);
  mkdirSync(sensitive, { mode: 0o700 });
  writeFileSync(join(sensitive, 'web.json'), SECRET, { mode: 0o600 });
  const proposal = { ...s.proposal, profile: { ...s.proposal.profile, path: profilePath } };
  writeFileSync(proposalPath(s.stateDir, proposal.id), serializeProposal(proposal));
  const swap = () => {
    for (const argv of [['mv', profiles, join(home, 'moved')], ['ln', '-s', sensitive, profiles]]) {
      const r = runAsUser(user!, argv);
      assert.equal(r.status, 0, `${argv.join(' ')} as the user: ${r.stderr}`);
    }
  };
  return { s, home, profiles, profilePath, sensitive, proposal, swap };
}

test('apply: the user swaps the profile directory for a link while apply waits at its prompt: nothing written anywhere', { skip }, async () => {
  const t = scene('apply');
  await assert.rejects(applyProposal(t.proposal.id, {
    stateDir: t.s.stateDir, lib: fakeLib, profileDirs: [t.profiles],
    confirm: async () => { t.swap(); return true; },
  }), (e: { code?: string; message: string }) => {
    assert.equal(e.code, 'APPLY_TARGET_REFUSED', e.message);
    assert.match(e.message, /changed while waiting|moved or replaced/);
    return true;
  });
  assert.equal(readFileSync(join(t.sensitive, 'web.json'), 'utf8'), SECRET);
  assert.deepEqual(readFileSync(join(t.home, 'moved', 'web.json')), t.s.before);
  assert.equal(existsSync(join(t.sensitive, 'web.json.lock')), false);
  // Control: without the swap the same apply writes the file.
  const c = scene('control');
  const out = await applyProposal(c.proposal.id, { stateDir: c.s.stateDir, lib: fakeLib, profileDirs: [c.profiles], confirm: async () => true });
  assert.equal(out.written, true);
  assert.match(readFileSync(c.profilePath, 'utf8'), /openat/);
  // Rollback after the swap: refused at its walk, the root-only file untouched.
  c.swap();
  await assert.rejects(rollbackProfile(c.s.stateDir, c.profilePath), { code: 'APPLY_TARGET_REFUSED' });
  assert.equal(readFileSync(join(c.sensitive, 'web.json'), 'utf8'), SECRET);
});

test('apply refuses a profile whose ancestor others may rename (group/world-writable, not sticky)', { skip }, async () => {
  const t = scene('open');
  chmodSync(t.home, 0o777);
  await assert.rejects(applyProposal(t.proposal.id, { stateDir: t.s.stateDir, lib: fakeLib, profileDirs: [t.profiles] }), (e: { code?: string; message: string }) => {
    assert.equal(e.code, 'APPLY_TARGET_REFUSED');
    assert.match(e.message, /not sticky/);
    return true;
  });
  assert.deepEqual(readFileSync(t.profilePath), t.s.before);
});
