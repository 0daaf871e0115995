// The one atomic writer: both durabilities replace whole files, keep an existing file's mode,
// leave no temp file, refuse a symlink with a FileError (not an ApplyError: the hook calls it too).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, writeFileAtomicSync } from '../../src/fs/atomic-write.js';
import { ApplyError, FileError } from '../../src/errors.js';
import { writeRunState } from '../../src/record/hook/run-state.js';

test('durable and atomic writes: whole content, the existing mode kept, no temp left', async () => {
  const dir = mkdtempSync('/tmp/st-atomic-');
  try {
    const f = join(dir, 'p.json');
    writeFileAtomicSync(f, 'one', { mode: 0o600, durability: 'atomic' });
    assert.equal(statSync(f).mode & 0o777, 0o600);
    chmodSync(f, 0o640);
    await writeFileAtomic(f, 'two');
    assert.equal(readFileSync(f, 'utf8'), 'two');
    assert.equal(statSync(f).mode & 0o777, 0o640, 'an existing file keeps its mode');
    assert.deepEqual(readdirSync(dir), ['p.json']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a symlink at the target is refused with a FileError, and its target is untouched', () => {
  const dir = mkdtempSync('/tmp/st-atomic-');
  try {
    writeFileSync(join(dir, 'victim'), 'keep');
    symlinkSync(join(dir, 'victim'), join(dir, 'link'));
    assert.throws(() => writeFileAtomicSync(join(dir, 'link'), 'x'), (e: unknown) => e instanceof FileError && !(e instanceof ApplyError) && (e as FileError).code === 'TARGET_SYMLINK');
    assert.equal(readFileSync(join(dir, 'victim'), 'utf8'), 'keep');
    // The hook's run state goes through the same writer.
    symlinkSync(join(dir, 'victim'), join(dir, 'ctr.json'));
    assert.throws(() => writeRunState(dir, { version: 1, id: 'ctr' } as never), (e: unknown) => e instanceof FileError);
    assert.equal(readFileSync(join(dir, 'victim'), 'utf8'), 'keep');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
