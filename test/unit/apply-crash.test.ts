// A process killed between writing the new content and renaming it into place leaves the old file
// whole; the next apply cleans up the orphaned temp file and succeeds.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { listBackups } from '../../src/apply/backups.js';
import { rollbackProfile } from '../../src/apply/rollback.js';
import { parseProfile } from '../../src/profile/schema.js';
import { setup } from '../helpers/apply-setup.js';

const child = join(dirname(fileURLToPath(import.meta.url)), '..', 'helpers', 'apply-child.js');
const run = (stateDir: string, id: string, crash: boolean) =>
  spawnSync(process.execPath, [child, stateDir, id], {
    env: { ...process.env, SECCOMP_TAILOR_TEST_CRASH_BEFORE_RENAME: crash ? '1' : '' },
    encoding: 'utf8',
  });

describe('crash between write and rename', () => {
  it('leaves the old file intact, then a rerun applies cleanly', async () => {
    const s = setup(['openat']);
    const crashed = run(s.stateDir, s.proposal.id, true);
    assert.equal(crashed.signal, 'SIGKILL', crashed.stderr);
    assert.deepEqual(readFileSync(s.profilePath), s.before, 'the old content, whole');
    const temps = readdirSync(dirname(s.profilePath)).filter((n) => n.includes('.tmp-'));
    assert.equal(temps.length, 1, 'the killed writer left its complete temp file');
    // The temp file was complete (fsynced before the kill point): the new content, never a mix.
    assert.match(readFileSync(join(dirname(s.profilePath), temps[0]!), 'utf8'), /"openat"/);

    const ok = run(s.stateDir, s.proposal.id, false);
    assert.equal(ok.status, 0, ok.stderr);
    const after = readFileSync(s.profilePath, 'utf8');
    assert.deepEqual(parseProfile(after, 'x').syscalls![0]!.names.includes('openat'), true);
    assert.deepEqual(readdirSync(dirname(s.profilePath)).filter((n) => n.includes('.tmp-')), [], 'stale temp removed');

    // Two backups now: the crashed run's (equal to the file it never replaced) and the real one.
    assert.equal((await listBackups(s.stateDir, s.profilePath)).length, 2);
    await rollbackProfile(s.stateDir, s.profilePath);
    assert.deepEqual(readFileSync(s.profilePath), s.before);
  });

  it('rollback skips a backup left by an apply that died before its rename', async () => {
    const s = setup(['openat']);
    assert.equal(run(s.stateDir, s.proposal.id, true).signal, 'SIGKILL');
    await assert.rejects(rollbackProfile(s.stateDir, s.profilePath), { code: 'ROLLBACK_NO_BACKUP' });
    assert.deepEqual(readFileSync(s.profilePath), s.before);
  });
});
