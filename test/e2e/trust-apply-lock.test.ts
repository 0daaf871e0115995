// Attack 4 of issue 12, performed for real: an unprivileged user who can write in a profile's
// directory plants `<profile>.lock.owner` (the lock's old owner file) as a symlink to a root-only
// file, and another points a directory of the proposal's path at a root directory. Root then runs
// the built CLI's `apply`, `apply --dry-run` and `rollback`: nothing is written through the links.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/native/package-root.js';
import { proposalPath, serializeProposal } from '../../src/profile/proposal.js';
import { setup } from '../helpers/apply-setup.js';
import { createUser, runAsUser, type TestUser } from '../helpers/attacker.js';

const skip = process.getuid?.() !== 0 ? 'needs root (creates a user)' : false;
let user: TestUser | undefined;
let secretDir = '';
let secret = '';
const SECRET = 'root:only:do-not-touch\n';

before(() => {
  if (skip) return;
  user = createUser(`lk${process.pid}`);
  secretDir = mkdtempSync(join(tmpdir(), 'st-secret-'));
  secret = join(secretDir, 'shadow');
  writeFileSync(secret, SECRET, { mode: 0o600 });
});
after(() => {
  if (skip) return;
  user?.remove();
  rmSync(secretDir, { recursive: true, force: true });
});

function cli(args: string[]): { status: number | null; stderr: string } {
  // The profiles here live in temp directories: name them as the administrator's (issue 19 item 3).
  const dirs = args[0] === 'apply' ? ['--profile-dir', '/'] : [];
  const r = spawnSync(process.execPath, [join(packageRoot(), 'bin', 'seccomp-tailor'), ...args, ...dirs], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stderr: r.stderr };
}

test('a symlinked <profile>.lock.owner in a shared directory: apply, --dry-run and rollback write nothing through it', { skip }, () => {
  const s = setup(['openat']);
  // The profile's directory is shared the way /tmp is: world-writable, sticky.
  chmodSync(join(s.dir, 'etc'), 0o1777);
  chmodSync(s.dir, 0o755);
  const planted = runAsUser(user!, ['ln', '-s', secret, `${s.profilePath}.lock.owner`]);
  assert.equal(planted.status, 0, planted.stderr);
  const plantedDir = runAsUser(user!, ['ln', '-s', secretDir, `${s.profilePath}.lock`]);
  assert.equal(plantedDir.status, 0, plantedDir.stderr);
  for (const args of [['apply', s.proposal.id, '--yes'], ['apply', s.proposal.id, '--dry-run'], ['rollback', s.profilePath]]) {
    const r = cli([...args, '--state-dir', s.stateDir]);
    assert.notEqual(r.status, 0, `${args.join(' ')} refused`);
    assert.match(r.stderr, /APPLY_TARGET_REFUSED|writable by others/, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    assert.equal(readFileSync(secret, 'utf8'), SECRET, `${args.join(' ')}: the root-only file is untouched`);
    assert.equal(existsSync(join(secretDir, 'owner')), false, `${args.join(' ')}: nothing created in the linked directory`);
    assert.deepEqual(readFileSync(s.profilePath), s.before, 'the profile is untouched');
  }
  rmSync(s.dir, { recursive: true, force: true });
});

test('a symlinked directory in the proposal\'s profile path is refused before any lock is taken', { skip }, () => {
  const s = setup(['openat']);
  // The user owns a directory and links a name in it to the real profile directory.
  chmodSync(s.dir, 0o755);
  const shared = join(s.dir, 'shared');
  mkdirSync(shared, { mode: 0o755 });
  spawnSync('chown', [`${user!.uid}:${user!.gid}`, shared]);
  assert.equal(runAsUser(user!, ['ln', '-s', join(s.dir, 'etc'), join(shared, 'etc')]).status, 0);
  const p = { ...s.proposal, profile: { ...s.proposal.profile, path: join(shared, 'etc', 'app.json') } };
  writeFileSync(proposalPath(s.stateDir, p.id), serializeProposal(p));
  const r = cli(['apply', p.id, '--yes', '--state-dir', s.stateDir]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /is a symbolic link/);
  assert.equal(existsSync(`${s.profilePath}.lock`), false, 'no lock directory was made through the link');
  assert.deepEqual(readFileSync(s.profilePath), s.before);
  rmSync(s.dir, { recursive: true, force: true });
});

test('in a root-only directory apply works and the owner file lives inside the lock directory', { skip }, () => {
  const s = setup(['openat']);
  chmodSync(s.dir, 0o755);
  const r = cli(['apply', s.proposal.id, '--yes', '--state-dir', s.stateDir]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(readFileSync(s.profilePath, 'utf8'), /openat/);
  assert.equal(existsSync(`${s.profilePath}.lock.owner`), false);
  assert.equal(existsSync(`${s.profilePath}.lock`), false, 'the lock is released');
  rmSync(s.dir, { recursive: true, force: true });
});
