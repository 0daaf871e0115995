// Ten replicas under one profile file, in complain mode, each running into a different syscall the
// profile lacks: real runc containers, real kernel records through auditd, the real watcher and CLI.
// One proposal with the union and the ten containers in its evidence; one `apply`; then all ten run
// again and the kernel logs nothing for them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { syscallTable } from '../../src/native/libseccomp.js';
import { packageRoot } from '../../src/native/package-root.js';
import { proposalId } from '../../src/profile/proposal.js';
import { auditdWatchSuite } from '../helpers/auditd-e2e.js';
import {
  auditRecords, cleanupContainer, makeBundle, profileDenying, proposals, runContainer, sleep, waitFor, writeJson,
} from '../helpers/watch-e2e.js';

const suite = auditdWatchSuite('replicas');
const { skip, tag } = suite;

// Each busybox command makes exactly one syscall of this set (checked with strace); /dev/shm is the
// one writable place in `runc spec`'s read-only rootfs (a write refused with EROFS still enters the
// syscall, where seccomp logs it).
const REPLICAS: Array<[string, string]> = [
  ['uptime', 'sysinfo'], ['sync', 'sync'], ['nproc', 'sched_getaffinity'], ['ionice', 'ioprio_get'], ['stat -f /', 'statfs'],
  ['mkfifo /dev/shm/f', 'mknodat'], ['ln -s a /dev/shm/l', 'symlink'], ['mkdir /dev/shm/d', 'mkdir'], ['rmdir /dev/shm/none', 'rmdir'], ['touch /dev/shm/t', 'utimensat'],
];
const DENIED = REPLICAS.map(([, s]) => s);

const cli = (...args: string[]) => spawnSync(process.execPath, [join(packageRoot(), 'bin', 'seccomp-tailor'), ...args], { encoding: 'utf8' });

async function runReplicas(profilePath: string, round: string): Promise<string[]> {
  const seccomp = JSON.parse(readFileSync(profilePath, 'utf8')) as object;
  const ids = REPLICAS.map((_, i) => `str-${round}-${i}-${tag}`);
  try {
    // Started together, as a deployment's replicas are; each sleeps so that they overlap.
    const results = await Promise.all(REPLICAS.map(([cmd], i) => runContainer(
      makeBundle(join(suite.dir, `${round}-${i}`), { args: ['sh', '-c', `sleep 0.3; ${cmd}; sleep 0.2`], seccomp, annotations: { 'io.seccomp-tailor.profile': profilePath } }),
      ids[i]!)));
    for (const [i, r] of results.entries()) assert.equal(r.status !== null, true, `replica ${i} ran`);
  } finally {
    for (const id of ids) cleanupContainer(id);
  }
  return ids;
}

test('10 replicas, each denied a different syscall: one proposal with the union and 10 containers; apply once, all 10 run clean', { skip }, async () => {
  const profile = writeJson(join(suite.dir, 'web.json'), profileDenying(DENIED, 'SCMP_ACT_LOG'));
  const id = proposalId(profile);
  const ids = await runReplicas(profile, 'a');

  const p = await waitFor('one proposal with all 10 containers', () => {
    const p = proposals(suite.stateDir).find((x) => x.id === id);
    return p && p.containers.length === 10 && p.add.length >= 10 ? p : undefined;
  }, 5000).catch((e: Error) => {
    throw new Error(`${e.message}; proposals: ${JSON.stringify(proposals(suite.stateDir).map((x) => [x.id, x.add.map((a) => a.syscall), x.containers.map((c) => [c.id, c.syscalls])]))}`);
  });
  assert.deepEqual(proposals(suite.stateDir).map((x) => x.id), [id], 'one proposal, for the profile file');
  assert.deepEqual(p.add.map((a) => a.syscall).sort(), [...DENIED].sort());
  assert.deepEqual(p.containers.map((c) => c.id).sort(), [...ids].sort());
  for (const [i, [, syscall]] of REPLICAS.entries()) {
    assert.deepEqual(p.containers.find((c) => c.id === ids[i])?.syscalls, [syscall], `replica ${i} asked for ${syscall} only`);
  }
  const list = cli('proposals', 'list', '--state-dir', suite.stateDir);
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout, new RegExp(`^${id}\\s+open\\s+10\\s`, 'm'));

  const applied = cli('apply', id, '--yes', '--state-dir', suite.stateDir);
  assert.equal(applied.status, 0, applied.stderr);
  assert.match(applied.stdout, new RegExp(`applied ${id} to `));

  const atApply = proposals(suite.stateDir).find((x) => x.id === id)!;
  assert.equal(atApply.status, 'applied');
  const since = Date.now() / 1000;
  await runReplicas(profile, 'b');
  await sleep(1500);
  const numbers = new Set(syscallTable('x86_64').filter((s) => DENIED.includes(s.name)).map((s) => String(s.nr)));
  const logged = auditRecords((l) => Number(/audit\((\d+\.\d+):/.exec(l)?.[1]) >= since && numbers.has(/ syscall=(\d+) /.exec(l)?.[1] ?? ''));
  assert.deepEqual(logged, [], 'the kernel logged none of the ten syscalls after the apply');
  // Nothing new reached the watcher either: the proposal is as `apply` left it.
  assert.deepEqual(proposals(suite.stateDir).find((x) => x.id === id), atApply);
});
