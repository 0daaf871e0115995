// Syscall families end to end: a probe that calls what an older libc calls (faccessat, clone,
// openat) is recorded through the hook under runc; its enforced profile then runs the probe's "new"
// mode, which calls faccessat2, clone3 and openat2 first and falls back only on ENOSYS, as glibc
// does. Without the ENOSYS rules the same profile answers EPERM and the "new" mode fails (runc 1.1.5
// answers ENOSYS only above the highest number a profile names, and runc's own faccessat2 is in it).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRoot, makeHookEnv, type HookEnv } from '../helpers/hook-env.js';
import { makeBundle } from '../helpers/oci-bundle.js';
import { packagePath } from '../../src/native/package-root.js';
import { parseProfile, type SeccompProfile } from '../../src/profile/schema.js';
import { syscallNumber } from '../../src/native/libseccomp.js';

const skip = !isRoot ? 'needs root (eBPF, runc)' : false;
const cli = packagePath('bin', 'seccomp-tailor');
const EPERM = 1;
const ENOSYS = 38;

const enosysNames = (p: SeccompProfile): string[] =>
  (p.syscalls ?? []).filter((r) => r.action === 'SCMP_ACT_ERRNO' && r.errnoRet === ENOSYS).flatMap((r) => r.names).sort();

describe('families: a profile recorded from the old calls runs the new ones (ENOSYS, libc falls back)', { skip }, () => {
  let env: HookEnv;
  let probe: string;
  let bundleMade = false;
  const id = `st-fam-${process.pid}`;
  // runc itself calls faccessat2 after its filter when no_new_privileges is off (Docker's default).
  const run = (mode: string, o: { trace?: string; profile?: string } = {}) => {
    if (!bundleMade) {
      const dir = join(env.work, 'bundles', id);
      makeBundle(dir, { args: ['/bin/families-probe'] });
      copyFileSync(probe, join(dir, 'rootfs', 'bin', 'families-probe'));
      chmodSync(join(dir, 'rootfs', 'bin', 'families-probe'), 0o755);
      bundleMade = true;
    }
    return env.run('runc', { id, args: ['/bin/families-probe', mode], noNewPrivileges: false, ...o });
  };
  const record = (file: string) => {
    const r = run('old', { trace: `of:${join(env.out, file)}` });
    assert.equal(r.status, 0, `recording old: ${r.stderr}`);
    assert.deepEqual(r.stdout.trim().split('\n'), ['faccessat', 'clone', 'openat']);
    return join(env.out, file);
  };
  const enforce = (input: string, output: string, extra: string[] = []) => {
    const r = spawnSync(cli, ['profile', 'enforce', input, '--runtime', 'runc', '-o', output, '--state-dir', env.stateDir, ...extra], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return parseProfile(readFileSync(output, 'utf8'), output);
  };

  before(() => {
    env = makeHookEnv('families');
    probe = join(mkdtempSync(join(tmpdir(), 'st-probe-')), 'families-probe');
    execFileSync('cc', ['-static', '-nostdlib', '-O1', '-o', probe, packagePath('test', 'fixtures', 'families-probe.c')]);
  });
  after(() => env.cleanup());

  test('the recording answers ENOSYS for clone3 and openat2 and sets defaultErrnoRet', () => {
    const p = parseProfile(readFileSync(record('old.json'), 'utf8'), 'old.json');
    const enosys = enosysNames(p);
    for (const n of ['clone3', 'openat2', 'close_range']) assert.ok(enosys.includes(n), `${n} in ${enosys.join(', ')}`);
    assert.equal(p.defaultErrnoRet, 1);
    // What was seen keeps its rule: clone only with the flag bits seen.
    assert.ok((p.syscalls ?? []).some((r) => r.names.includes('clone') && r.action === 'SCMP_ACT_ALLOW' && (r.args?.length ?? 0) > 0));
  });

  test('the enforced profile runs "new" clean: clone3 and openat2 fall back, old mode still runs', () => {
    const e = enforce(join(env.out, 'old.json'), join(env.out, 'enforced.json'));
    assert.deepEqual(enosysNames(e), enosysNames(parseProfile(readFileSync(join(env.out, 'old.json'), 'utf8'), 'x')));
    const r = run('new', { profile: join(env.out, 'enforced.json') });
    assert.equal(r.status, 0, `new under the enforced profile: exit ${r.status} ${r.stdout} ${r.stderr}`);
    const steps = r.stdout.trim().split('\n');
    assert.deepEqual(steps.slice(1), ['clone', 'openat'], 'clone3 and openat2 answered ENOSYS and the probe fell back');
    assert.equal(run('old', { profile: join(env.out, 'enforced.json') }).status, 0);
  });

  test('control: the same profile without the ENOSYS rules fails "new" with EPERM', () => {
    const e = parseProfile(readFileSync(join(env.out, 'enforced.json'), 'utf8'), 'x');
    const stripped = { ...e, syscalls: (e.syscalls ?? []).filter((r) => r.errnoRet !== ENOSYS) };
    // runc answers ENOSYS above the highest number the profile names: the premise is that it names one above clone3's.
    const highest = Math.max(...stripped.syscalls.flatMap((r) => r.names).map((n) => syscallNumber('x86_64', n) ?? 0));
    assert.ok(highest > syscallNumber('x86_64', 'clone3')!, `highest named number ${highest}`);
    writeFileSync(join(env.out, 'stripped.json'), JSON.stringify(stripped));
    const r = run('new', { profile: join(env.out, 'stripped.json') });
    assert.equal(r.status, EPERM, `exit ${r.status} ${r.stdout} ${r.stderr}`);
  });

  test('hook config "families": "off" records no ENOSYS rule; --families off on enforce adds none, and "new" fails', () => {
    env.setConfig({ families: 'off' });
    try {
      const file = record('off.json');
      assert.deepEqual(enosysNames(parseProfile(readFileSync(file, 'utf8'), 'off.json')), []);
      const e = enforce(file, join(env.out, 'off-enforced.json'), ['--families', 'off']);
      assert.deepEqual(enosysNames(e), []);
      assert.equal(run('new', { profile: join(env.out, 'off-enforced.json') }).status, EPERM);
      // profile enforce (default enosys) adds the rules to a profile recorded without them.
      const fixed = enforce(file, join(env.out, 'off-fixed.json'));
      assert.ok(enosysNames(fixed).includes('clone3'));
      assert.equal(run('new', { profile: join(env.out, 'off-fixed.json') }).status, 0);
    } finally {
      env.setConfig({});
    }
  });
});
