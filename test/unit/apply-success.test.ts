// What a successful apply leaves behind: the new profile (owner and mode kept), a numbered backup,
// the proposal marked applied, and the containers to restart.
import assert from 'node:assert/strict';
import { chownSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { applyProposal } from '../../src/apply/apply.js';
import { listBackups } from '../../src/apply/backups.js';
import { rollbackProfile } from '../../src/apply/rollback.js';
import { proposalPath } from '../../src/profile/proposal.js';
import { parseProfile } from '../../src/profile/schema.js';
import { registryDir } from '../../src/state/paths.js';
import { BASE_PROFILE, setup } from '../helpers/apply-setup.js';
import { fakeLib } from '../helpers/fake-libseccomp.js';

const isRoot = process.getuid?.() === 0;

describe('apply', () => {
  it('adds the names in sorted place, keeps owner and mode, backs up, marks applied, names containers', async () => {
    const s = setup(['openat', 'futex']);
    if (isRoot) chownSync(s.profilePath, 4321, 4322);
    mkdirSync(registryDir(s.stateDir), { recursive: true });
    writeFileSync(join(registryDir(s.stateDir), 'c0ffee.json'), JSON.stringify({ id: 'c0ffee', name: 'web', profilePath: s.profilePath }));
    writeFileSync(join(registryDir(s.stateDir), 'other.json'), JSON.stringify({ id: 'other', profilePath: '/elsewhere.json' }));

    const out = await applyProposal(s.proposal.id, { profileDirs: ['/'], stateDir: s.stateDir, lib: fakeLib });
    assert.equal(out.written, true);
    assert.equal(out.rebased, false);
    assert.deepEqual(out.adding, ['futex', 'openat']);
    const p = parseProfile(readFileSync(s.profilePath, 'utf8'), 'x');
    assert.deepEqual(p.syscalls![0]!.names, ['brk', 'close', 'exit_group', 'futex', 'openat', 'read', 'write']);
    assert.deepEqual(p.syscalls![1], BASE_PROFILE.syscalls[1]);
    const st = statSync(s.profilePath);
    assert.equal(st.mode & 0o7777, 0o640);
    if (isRoot) assert.deepEqual([st.uid, st.gid], [4321, 4322]);

    const backups = await listBackups(s.stateDir, s.profilePath);
    assert.equal(backups.length, 1);
    assert.deepEqual(readFileSync(backups[0]!.path), s.before);
    const proposal = JSON.parse(readFileSync(proposalPath(s.stateDir, s.proposal.id), 'utf8'));
    assert.equal(proposal.status, 'applied');
    assert.ok(proposal.appliedAt);
    assert.deepEqual(out.restart, [{ id: 'c0ffee', name: 'web' }]);

    await assert.rejects(applyProposal(s.proposal.id, { profileDirs: ['/'], stateDir: s.stateDir, lib: fakeLib }), { code: 'APPLY_NOT_OPEN' });
  });

  it('rebases onto a profile changed elsewhere when the addition is still unambiguous', async () => {
    const s = setup(['openat', 'read']);
    const changed = { ...BASE_PROFILE, syscalls: [{ names: ['read', 'write', 'mmap'], action: 'SCMP_ACT_ALLOW' }, BASE_PROFILE.syscalls[1]] };
    writeFileSync(s.profilePath, JSON.stringify(changed, null, 4));
    const out = await applyProposal(s.proposal.id, { profileDirs: ['/'], stateDir: s.stateDir, lib: fakeLib });
    assert.equal(out.rebased, true);
    assert.deepEqual(out.adding, ['openat']);
    assert.deepEqual(out.alreadyAllowed, ['read']);
    const text = readFileSync(s.profilePath, 'utf8');
    assert.match(text, /\n {4}"defaultAction"/, 'the file keeps its 4-space indentation');
    assert.ok(!text.endsWith('\n'), 'and its missing final newline');
    assert.deepEqual(parseProfile(text, 'x').syscalls![0]!.names, ['read', 'write', 'mmap', 'openat']);
  });

  it('applies a high-risk syscall with --allow-risky and reports its risk', async () => {
    const s = setup(['mount']);
    const out = await applyProposal(s.proposal.id, { profileDirs: ['/'], stateDir: s.stateDir, lib: fakeLib, allowRisky: true });
    assert.deepEqual(out.risky.map((r) => [r.syscall, r.level]), [['mount', 'high']]);
    assert.match(readFileSync(s.profilePath, 'utf8'), /"mount"/);
  });

  it('creates an allow rule when the profile has none without conditions', async () => {
    const profile = { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0, op: 'SCMP_CMP_EQ' }] }] };
    const s = setup(['write'], profile);
    await applyProposal(s.proposal.id, { profileDirs: ['/'], stateDir: s.stateDir, lib: fakeLib });
    const p = parseProfile(readFileSync(s.profilePath, 'utf8'), 'x');
    assert.deepEqual(p.syscalls![1], { names: ['write'], action: 'SCMP_ACT_ALLOW' });
  });

  it('rollback restores the exact previous bytes, once per backup', async () => {
    const s = setup(['openat']);
    await applyProposal(s.proposal.id, { profileDirs: ['/'], stateDir: s.stateDir, lib: fakeLib });
    const r = await rollbackProfile(s.stateDir, s.profilePath);
    assert.equal(r.proposalId, s.proposal.id);
    assert.deepEqual(readFileSync(s.profilePath), s.before);
    assert.equal(JSON.parse(readFileSync(proposalPath(s.stateDir, s.proposal.id), 'utf8')).status, 'open');
    await assert.rejects(rollbackProfile(s.stateDir, s.profilePath), { code: 'ROLLBACK_NO_BACKUP' });
    // The reopened proposal applies again, against the restored content.
    await applyProposal(s.proposal.id, { profileDirs: ['/'], stateDir: s.stateDir, lib: fakeLib });
    assert.match(readFileSync(s.profilePath, 'utf8'), /"openat"/);
  });

  it('rollback refuses to drop edits made after the apply, unless forced', async () => {
    const s = setup(['openat']);
    await applyProposal(s.proposal.id, { profileDirs: ['/'], stateDir: s.stateDir, lib: fakeLib });
    const edited = readFileSync(s.profilePath, 'utf8').replace('"read"', '"read", "getpid"');
    writeFileSync(s.profilePath, edited);
    await assert.rejects(rollbackProfile(s.stateDir, s.profilePath), { code: 'ROLLBACK_MODIFIED' });
    assert.equal(readFileSync(s.profilePath, 'utf8'), edited);
    await rollbackProfile(s.stateDir, s.profilePath, { force: true });
    assert.deepEqual(readFileSync(s.profilePath), s.before);
  });

  it('numbers backups upward across applies', async () => {
    const a = setup(['openat']);
    await applyProposal(a.proposal.id, { profileDirs: ['/'], stateDir: a.stateDir, lib: fakeLib });
    const b = setup(['futex'], BASE_PROFILE, { container: { id: 'other' } });
    // Same profile file, second proposal: it rebases onto the first apply's result.
    const second = { ...b.proposal, profile: { ...b.proposal.profile, path: a.profilePath } };
    writeFileSync(proposalPath(a.stateDir, second.id), JSON.stringify(second));
    const out = await applyProposal(second.id, { profileDirs: ['/'], stateDir: a.stateDir, lib: fakeLib });
    assert.equal(out.rebased, true);
    assert.deepEqual((await listBackups(a.stateDir, a.profilePath)).map((x) => x.n), [1, 2]);
    assert.match(readFileSync(a.profilePath, 'utf8'), /"futex"[\s\S]*"openat"/);
  });
});

describe('concurrent applies on one profile', () => {
  it('never interleave: each either lands (rebased onto the other) or is refused as locked', async () => {
    const a = setup(['openat']);
    const ids: string[] = [a.proposal.id];
    for (const [i, name] of ['futex', 'mmap', 'getpid'].entries()) {
      const b = setup([name], BASE_PROFILE, { container: { id: `other${i}` } });
      const p = { ...b.proposal, profile: { ...b.proposal.profile, path: a.profilePath } };
      writeFileSync(proposalPath(a.stateDir, p.id), JSON.stringify(p));
      ids.push(p.id);
    }
    const results = await Promise.allSettled(ids.map((id) => applyProposal(id, { profileDirs: ['/'], stateDir: a.stateDir, lib: fakeLib })));
    const names = parseProfile(readFileSync(a.profilePath, 'utf8'), 'x').syscalls![0]!.names;
    let landed = 0;
    for (const r of results) {
      if (r.status === 'fulfilled') {
        landed++;
        for (const n of r.value.adding) assert.ok(names.includes(n), `${n} was applied but is missing: a lost update`);
      } else assert.equal((r.reason as { code?: string }).code, 'APPLY_LOCKED');
    }
    assert.ok(landed >= 1);
    assert.equal((await listBackups(a.stateDir, a.profilePath)).length, landed);
  });
});
