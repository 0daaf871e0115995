// Issue 19, items 7 and 6, for real (runc, auditd, the watcher):
// - a container that runs its own SCMP_ACT_LOG filter but names the victim's profile file in its
//   annotation: its denials go to the filter it runs, never into the victim's proposal, and the
//   mismatch is reported (metric, log, `proposals list`);
// - a container calling syscall(n) for 200 distinct numbers outside x86_64's table: one bounded
//   "unknown" tally in the watcher's state, nothing proposed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packagePath, packageRoot } from '../../src/native/package-root.js';
import { auditdWatchSuite } from '../helpers/auditd-e2e.js';
import { auditRecords, cleanupContainer, makeBundle, profileDenying, proposals, runContainer, waitFor, writeJson } from '../helpers/watch-e2e.js';
import { MAX_UNKNOWN_EXAMPLES } from '../../src/watch/aggregator.js';

const suite = auditdWatchSuite('filter-trust');
const { skip, tag } = suite;
const cli = (...args: string[]) => spawnSync(process.execPath, [join(packageRoot(), 'bin', 'seccomp-tailor'), ...args], { encoding: 'utf8' });

test('a container naming the victim\'s profile in its annotation but running its own filter: nothing reaches the victim\'s proposal; reported', { skip }, async () => {
  const victimProfile = writeJson(join(suite.dir, 'victim.json'), profileDenying(['sysinfo'], 'SCMP_ACT_LOG'));
  const victim = `stf-victim-${tag}`;
  const attacker = `stf-attacker-${tag}`;
  try {
    // The victim runs its own file (bundle filter = the file) and is denied sysinfo once.
    const v = await runContainer(makeBundle(join(suite.dir, 'victim'), {
      args: ['sh', '-c', 'sleep 0.3; uptime'], seccomp: JSON.parse(readFileSync(victimProfile, 'utf8')), annotations: { 'io.seccomp-tailor.profile': victimProfile },
    }), victim);
    assert.equal(v.status, 0);
    // The attacker's filter also logs sync and mkdir, which it wants added to the victim's file.
    const a = await runContainer(makeBundle(join(suite.dir, 'attacker'), {
      args: ['sh', '-c', 'sleep 0.3; sync; mkdir /dev/shm/x; uptime'], seccomp: profileDenying(['sysinfo', 'sync', 'mkdir'], 'SCMP_ACT_LOG'), annotations: { 'io.seccomp-tailor.profile': victimProfile },
    }), attacker);
    assert.equal(a.status, 0);
  } finally {
    cleanupContainer(victim);
    cleanupContainer(attacker);
  }
  // On a time-out, what the watcher said of records it could not place (a future failure explains itself).
  const own = await waitFor('the attacker\'s denials in the proposal of the filter it runs', () => proposals(suite.stateDir).find((p) => p.containers.some((c) => c.id === attacker) && p.add.length === 3), 10_000)
    .catch((e: Error) => assert.fail(`${e.message}; proposals: ${JSON.stringify(proposals(suite.stateDir).map((p) => ({ file: p.profile.path, add: p.add.map((x) => x.syscall), containers: p.containers.map((c) => c.id) })))}; watcher warnings: ${JSON.stringify(suite.watcher!.lines().filter((l) => Number(l.level) >= 40))}`));
  assert.notEqual(own.profile.path, victimProfile);
  assert.deepEqual(own.add.map((x) => x.syscall).sort(), ['mkdir', 'sync', 'sysinfo']);
  assert.deepEqual(own.containers.map((c) => c.id), [attacker]);
  const theirs = proposals(suite.stateDir).find((p) => p.profile.path === victimProfile);
  assert.ok(theirs, 'the victim has its proposal');
  assert.deepEqual(theirs.containers.map((c) => c.id), [victim], 'only the victim is in its file\'s proposal');
  assert.deepEqual(theirs.add.map((x) => [x.syscall, x.count]), [['sysinfo', 1]]);
  assert.ok(suite.watcher!.lines().some((l) => l.container === attacker && String(l.msg).includes('not the filter it runs')), 'logged');
  const list = cli('proposals', 'list', '--state-dir', suite.stateDir);
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout, new RegExp(`^1 container named a profile file that is not the filter they run \\(${attacker}\\)`, 'm'));
});

test('200 distinct syscall numbers outside the arch\'s table: one bounded unknown tally, nothing proposed', { skip }, async () => {
  const bundle = makeBundle(join(suite.dir, 'unknown'), { args: ['/unknown-syscalls', '1000', '200'], seccomp: profileDenying([], 'SCMP_ACT_LOG') });
  execFileSync('cc', ['-static', '-O2', '-o', join(suite.dir, 'unknown-syscalls'), packagePath('test', 'fixtures', 'unknown-syscalls.c')]);
  copyFileSync(join(suite.dir, 'unknown-syscalls'), join(bundle, 'rootfs', 'unknown-syscalls'));
  const profile = writeJson(join(suite.dir, 'unknown.json'), profileDenying([], 'SCMP_ACT_LOG'));
  const cfg = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8')) as Record<string, any>;
  cfg.annotations = { 'io.seccomp-tailor.profile': profile };
  writeJson(join(bundle, 'config.json'), cfg);
  const id = `stf-unknown-${tag}`;
  const since = Date.now() / 1000;
  try {
    const r = await runContainer(bundle, id);
    assert.equal(r.status, 0);
  } finally {
    cleanupContainer(id);
  }
  const logged = auditRecords((l) => Number(/audit\((\d+\.\d+):/.exec(l)?.[1]) >= since - 0.02 && / syscall=1[01]\d\d /.test(l) && l.includes('unknown-syscal'));
  assert.equal(logged.length, 200, 'the kernel logged every number');
  const state = await waitFor('the unknown tally', () => {
    const s = JSON.parse(readFileSync(join(suite.stateDir, 'watch', 'state.json'), 'utf8')) as { aggregate: { subjects: Record<string, { profilePath: string; tallies: Record<string, { syscall: string; count: number; examples?: number[] }> }> } };
    const sub = Object.values(s.aggregate.subjects).find((x) => x.profilePath === profile);
    return sub?.tallies['x86_64/#unknown']?.count === 200 ? sub : undefined;
  }, 5000);
  assert.deepEqual(Object.keys(state.tallies), ['x86_64/#unknown'], 'one tally for 200 numbers');
  assert.equal(state.tallies['x86_64/#unknown']!.examples!.length, MAX_UNKNOWN_EXAMPLES);
  const p = proposals(suite.stateDir).find((x) => x.profile.path === profile);
  assert.deepEqual(p?.add ?? [], [], 'nothing proposed');
});
