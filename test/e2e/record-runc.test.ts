// `record -- /bin/ls /` on the host writes a profile that lets busybox `ls /` run in a runc
// container, once the runtime's own measured needs are added (--runtime runc).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeBusyboxBundle } from '../helpers/busybox-bundle.js';
import { packagePath } from '../../src/native/package-root.js';
import { rootOnly } from '../helpers/known-syscalls.js';

const work = mkdtempSync(join(tmpdir(), 'st-rec-runc-'));
after(() => rmSync(work, { recursive: true, force: true }));
const cli = packagePath('bin', 'seccomp-tailor');

function runInRunc(args: string[], seccomp: unknown) {
  const bundle = mkdtempSync(join(work, 'b-'));
  makeBusyboxBundle(bundle, { args, seccomp });
  const id = `st-rec-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const r = spawnSync('runc', ['run', '--bundle', bundle, id], { encoding: 'utf8', timeout: 30_000 });
  spawnSync('runc', ['delete', '-f', id]);
  return r;
}

test('record -- /bin/ls / gives a profile under which busybox ls / runs in runc', { skip: rootOnly }, () => {
  const out = join(work, 'ls.json');
  const rec = spawnSync(cli, ['record', '-q', '--runtime', 'runc', '-o', out, '--', '/bin/ls', '/'], { encoding: 'utf8' });
  assert.equal(rec.status, 0, rec.stderr);
  const profile = JSON.parse(readFileSync(out, 'utf8')) as { defaultAction: string; syscalls: Array<{ names: string[] }> };
  assert.equal(profile.defaultAction, 'SCMP_ACT_ERRNO');
  const names = profile.syscalls[0]!.names;
  assert.ok(names.includes('getdents64') && names.includes('execve'), names.join(','));
  assert.ok(!names.includes('mount') && !names.includes('pivot_root'), 'no runtime set-up calls');

  const ok = runInRunc(['/bin/ls', '/'], profile);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /\bbin\b/);

  // Something ls never did is refused under the same profile: the profile is tight.
  // (busybox uname ignores the EPERM and prints garbage instead of the kernel's name.)
  const unconfined = runInRunc(['/bin/uname', '-r'], undefined);
  assert.equal(unconfined.stdout.trim(), release());
  const denied = runInRunc(['/bin/uname', '-r'], profile);
  assert.ok(!denied.stdout.includes(release()), `uname(2) was allowed: ${denied.stdout}`);
});
