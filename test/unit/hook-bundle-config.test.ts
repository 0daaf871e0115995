// Issue 19 item 5: a bundle whose config.json is a FIFO must not stall the hook (hookd serves every
// container on the host from one thread). Each case runs in a child process with a deadline, so a
// read that blocks fails the test instead of hanging it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packagePath } from '../../src/native/package-root.js';

const prestart = packagePath('dist', 'src', 'record', 'hook', 'prestart.js');
const readIn = (bundle: string) => spawnSync(process.execPath, ['--input-type=module', '-e',
  `const { readBundleConfig } = await import(${JSON.stringify(prestart)}); process.stdout.write(JSON.stringify(readBundleConfig(${JSON.stringify(bundle)}) ?? null));`],
{ encoding: 'utf8', timeout: 5000 });

test('config.json as a FIFO, a symlink or oversized is refused at once; a regular one is read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'st-bundle-'));
  try {
    const mk = (name: string) => { const b = join(dir, name); execFileSync('mkdir', [b]); return b; };
    const fifo = mk('fifo');
    execFileSync('mkfifo', [join(fifo, 'config.json')]);
    const r = readIn(fifo);
    assert.equal(r.error, undefined, 'the read of a FIFO returned (no writer ever comes)');
    assert.equal(r.stdout, 'null');

    const real = mk('real');
    writeFileSync(join(real, 'config.json'), JSON.stringify({ process: { noNewPrivileges: true } }));
    assert.deepEqual(JSON.parse(readIn(real).stdout), { process: { noNewPrivileges: true } });

    const link = mk('link');
    symlinkSync(join(real, 'config.json'), join(link, 'config.json'));
    assert.equal(readIn(link).stdout, 'null');

    const big = mk('big');
    writeFileSync(join(big, 'config.json'), Buffer.alloc(64 * 1024 * 1024, 0x20));
    assert.equal(readIn(big).stdout, 'null');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
