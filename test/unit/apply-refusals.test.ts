// Every way apply says no must leave the profile file byte for byte as it was.
import assert from 'node:assert/strict';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import lockfile from 'proper-lockfile';
import { applyProposal } from '../../src/apply/apply.js';
import { listBackups } from '../../src/apply/backups.js';
import { proposalPath, serializeProposal } from '../../src/profile/proposal.js';
import { BASE_PROFILE, setup } from '../helpers/apply-setup.js';
import { fakeLib } from '../helpers/fake-libseccomp.js';

async function refuses(s: ReturnType<typeof setup>, code: string, opts: Partial<Parameters<typeof applyProposal>[1]> = {}): Promise<void> {
  await assert.rejects(applyProposal(s.proposal.id, { profileDirs: ['/'], stateDir: s.stateDir, lib: fakeLib, ...opts }), (e: { code?: string; message?: string }) => {
    assert.equal(e.code, code, e.message);
    return true;
  });
  assert.deepEqual(readFileSync(s.profilePath), s.before, 'the profile file changed');
  assert.equal((await listBackups(s.stateDir, s.profilePath)).length, 0, 'a backup was taken for nothing');
  const p = JSON.parse(readFileSync(proposalPath(s.stateDir, s.proposal.id), 'utf8'));
  assert.equal(p.status, 'open');
}

describe('apply refusals leave the profile byte-identical', () => {
  it('changed base that now blocks a proposed syscall', async () => {
    const s = setup(['openat']);
    const changed = { ...BASE_PROFILE, syscalls: [...BASE_PROFILE.syscalls, { names: ['openat'], action: 'SCMP_ACT_ERRNO' }] };
    const text = JSON.stringify(changed, null, 2) + '\n';
    writeFileSync(s.profilePath, text);
    s.before = Buffer.from(text);
    await refuses(s, 'APPLY_BASE_CHANGED');
  });

  it('changed base that now allows a proposed syscall only for some arguments', async () => {
    const s = setup(['personality']);
    const changed = { ...BASE_PROFILE, syscalls: [...BASE_PROFILE.syscalls, { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0, op: 'SCMP_CMP_EQ' }] }] };
    const text = JSON.stringify(changed, null, 2) + '\n';
    writeFileSync(s.profilePath, text);
    s.before = Buffer.from(text);
    await refuses(s, 'APPLY_BASE_CHANGED');
  });

  it('changed base that is no longer a profile', async () => {
    const s = setup(['openat']);
    writeFileSync(s.profilePath, '{"defaultAction": "SCMP_ACT_ERRNO", ');
    s.before = readFileSync(s.profilePath);
    await refuses(s, 'APPLY_BASE_CHANGED');
  });

  it('a high-risk syscall without --allow-risky', async () => {
    const s = setup(['openat', 'mount']);
    await refuses(s, 'APPLY_RISKY');
  });

  it('a result libseccomp would not compile', async () => {
    const s = setup(['not_a_syscall']);
    await refuses(s, 'APPLY_INVALID_RESULT');
  });

  it('a stored patch that does more than the additions say', async () => {
    const s = setup(['openat']);
    const tampered = { ...s.proposal, patch: [...s.proposal.patch, { op: 'remove', path: '/syscalls/1' }] };
    writeFileSync(proposalPath(s.stateDir, s.proposal.id), serializeProposal(tampered as typeof s.proposal));
    await refuses(s, 'APPLY_PATCH_MISMATCH');
  });

  it('another apply holding the lock', async () => {
    const s = setup(['openat']);
    const release = await lockfile.lock(s.profilePath, { realpath: false });
    try {
      await refuses(s, 'APPLY_LOCKED');
    } finally {
      await release();
    }
  });

  it('the operator declining at the prompt', async () => {
    const s = setup(['openat']);
    await refuses(s, 'APPLY_DECLINED', { confirm: async () => false });
  });

  it('a symlink in place of the profile', async () => {
    const s = setup(['openat']);
    const link = join(s.dir, 'etc', 'link.json');
    symlinkSync(s.profilePath, link);
    const p = { ...s.proposal, profile: { ...s.proposal.profile, path: link } };
    writeFileSync(proposalPath(s.stateDir, s.proposal.id), serializeProposal(p));
    await refuses(s, 'TARGET_SYMLINK');
  });

  it('--dry-run writes nothing but shows the result', async () => {
    const s = setup(['openat']);
    const out = await applyProposal(s.proposal.id, { profileDirs: ['/'], stateDir: s.stateDir, lib: fakeLib, dryRun: true });
    assert.equal(out.written, false);
    assert.match(out.after, /"openat"/);
    assert.deepEqual(readFileSync(s.profilePath), s.before);
  });
});

describe('apply of a proposal with nothing to add', () => {
  it('refuses, and does not mark it applied', async () => {
    const s = setup([]);
    await refuses(s, 'APPLY_NOTHING');
  });
});
