// The CI gate for real: `record --against PROFILE -- CMD` runs the eBPF tracer on static probes
// whose calls and argument values are known, and fails exactly when the run needed more.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packagePath } from '../../src/native/package-root.js';
import { rootOnly } from '../helpers/known-syscalls.js';

const cli = packagePath('bin', 'seccomp-tailor');
const st = (args: string[]) => spawnSync(cli, args, { encoding: 'utf8', timeout: 60_000 });

describe('record --against: the CI gate', { skip: rootOnly }, () => {
  let work: string;
  let argProbe: string;
  let famProbe: string;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'st-against-'));
    argProbe = join(work, 'arg-probe');
    famProbe = join(work, 'families-probe');
    execFileSync('cc', ['-static', '-nostdlib', '-O1', '-o', argProbe, packagePath('test', 'fixtures', 'arg-rules-probe.c')]);
    execFileSync('cc', ['-static', '-nostdlib', '-O1', '-o', famProbe, packagePath('test', 'fixtures', 'families-probe.c')]);
    const r = st(['record', '-q', '-o', join(work, 'ok.json'), '--', argProbe, 'ok']);
    assert.equal(r.status, 0, r.stderr);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  test('the same run passes (exit 0), and the profile is written only with -o', () => {
    const r = st(['record', '--against', join(work, 'ok.json'), '--', argProbe, 'ok']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /allows everything the run needed/);
  });

  test('an argument value the profile refuses: exit 1, the syscall and its value printed', () => {
    const r = st(['record', '-q', '--against', join(work, 'ok.json'), '--', argProbe, 'newuser']);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /needs clone \(x86_64\) with arg0=CLONE_NEWUSER/);
  });

  test('--format github: ::error:: lines naming the socket family and protocol', () => {
    const r = st(['record', '-q', '--format', 'github', '--against', join(work, 'ok.json'), '--', argProbe, 'audit']);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^::error title=seccomp-tailor: .*::.* does not allow socket \(x86_64\) with arg0=AF_NETLINK \(0x10\), arg2=0x9/m);
  });

  test('names: a run calling newer family members passes a profile that answers ENOSYS, fails one that does not', () => {
    assert.equal(st(['record', '-q', '-o', join(work, 'old.json'), '--', famProbe, 'old']).status, 0);
    assert.equal(st(['record', '-q', '--families', 'off', '-o', join(work, 'old-off.json'), '--', famProbe, 'old']).status, 0);
    const pass = st(['record', '-q', '--against', join(work, 'old.json'), '--', famProbe, 'new']);
    assert.equal(pass.status, 0, pass.stdout + pass.stderr);
    assert.match(pass.stdout, /note: clone3 \(x86_64\): the profile answers ENOSYS/);
    const fail = st(['record', '-q', '--against', join(work, 'old-off.json'), '-o', join(work, 'new.json'), '--', famProbe, 'new']);
    assert.equal(fail.status, 1, fail.stdout + fail.stderr);
    for (const n of ['clone3', 'faccessat2', 'openat2']) assert.match(fail.stdout, new RegExp(`needs ${n} \\(x86_64\\): the profile does not allow it`));
    // profile diff --exit-code says the same of the two recordings.
    assert.equal(st(['profile', 'diff', '--exit-code', join(work, 'old-off.json'), join(work, 'new.json')]).status, 1);
    assert.equal(st(['profile', 'diff', '--exit-code', join(work, 'new.json'), join(work, 'new.json')]).status, 0);
  });
});
