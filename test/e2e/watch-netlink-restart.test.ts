// The audit netlink source across a kill -9 of the watcher, against the real kernel and auditd:
// while auditd writes audit.log the restart reads the hole from the files (the one rotated away
// meanwhile too), so a container that makes denials before, during and after the watcher's
// downtime is counted exactly, no record lost and none twice. Without auditd the hole is a loss window with its start and end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { netlinkSuite } from '../helpers/netlink-e2e.js';
import {
  auditdPid, auditRecords, cleanupContainer, ensureAuditd, makeBundle, profileDenying, runContainer, sleep, waitFor, withoutAuditd, writeJson,
} from '../helpers/watch-e2e.js';

const suite = netlinkSuite();
const { skip, tag, auditd, pin, watch, runUnames, unameCount, losses } = suite;

test('kill -9 while auditd runs, a rotation meanwhile, then restart: the denials made while the watcher was down are read from the logs, none lost or counted twice', { skip, timeout: 90_000 }, async () => {
  auditd.restore = await ensureAuditd();
  const stateDir = join(suite.dir, 'catch-up');
  const args = ['--source', 'netlink', '--state-dir', stateDir, '--witness-pin', pin('catch-up')];
  const id = `stn-catchup-${tag}`;
  const bundleDir = join(suite.dir, 'catch-up-bundle');
  // A complain container that calls times(2) every ~2 ms until the test creates /stop in its rootfs:
  // it lives across the watcher's kill and restart.
  const profile = writeJson(join(suite.dir, 'catch-up.json'), profileDenying(['times'], 'SCMP_ACT_LOG'));
  const bundle = makeBundle(bundleDir, {
    args: ['sh', '-c', 'while [ ! -e /stop ]; do times >/dev/null; usleep 2000; done'],
    seccomp: profileDenying(['times'], 'SCMP_ACT_LOG'), annotations: { 'io.seccomp-tailor.profile': profile },
  });
  const w1 = await watch(args);
  const run = runContainer(bundle, id);
  try {
    await waitFor('the first watcher counting', () => unameCount(stateDir, id) > 20, 10_000);
    // The container's shell is its pid 1: every denial carries its host pid.
    const state = spawnSync('runc', ['state', id], { encoding: 'utf8' });
    const pid = (JSON.parse(state.stdout) as { pid: number }).pid;
    await w1.stop('SIGKILL');
    const atKill = unameCount(stateDir, id);
    // auditd rotates its log in the middle of the downtime: the hole spans two files.
    await sleep(500);
    process.kill(auditdPid()!, 'SIGUSR1');
    await sleep(500);
    const w2 = await watch(args);
    await waitFor('the second watcher counting past the downtime', () => unameCount(stateDir, id) > atKill + 200, 10_000);
    writeFileSync(join(bundleDir, 'rootfs', 'stop'), '');
    const r = await run;
    assert.equal(r.status, 0);
    const kernel = () => auditRecords((l) => l.includes(` pid=${pid} `) && l.includes(' syscall=100 ')).length;
    // auditd writes asynchronously: its count settles, then the proposal must equal it.
    await waitFor('the proposal to equal audit.log', () => kernel() > atKill && unameCount(stateDir, id) === kernel(), 10_000)
      .catch((e: Error) => { throw new Error(`${e.message}: proposal ${unameCount(stateDir, id)}, audit.log ${kernel()}, at the kill ${atKill}`); });
    await sleep(500);
    assert.equal(unameCount(stateDir, id), kernel(), 'counted exactly as the kernel logged, also after a moment');
    const caught = w2.lines().find((l) => l.msg === 'caught up from auditd\'s log after the restart') as { seccompRecords: number; rotated: string[] } | undefined;
    assert.ok(caught, 'the restart read the hole from audit.log');
    assert.ok(caught.rotated.length >= 1, `the file rotated away during the downtime was read too: ${JSON.stringify(caught.rotated)}`);
    // About 1 s of downtime at one denial every ~2-3 ms, plus the second watcher's start.
    assert.ok(caught.seccompRecords > 100, `${caught.seccompRecords} denials of the downtime came from the file`);
    assert.deepEqual(losses(w2), [], 'no loss reported: the file covered the hole');
  } finally {
    writeFileSync(join(bundleDir, 'rootfs', 'stop'), '');
    await run;
    cleanupContainer(id);
  }
});

test('kill -9 without auditd: the time it was down is reported as a loss window with start and end', { skip, timeout: 60_000 }, async () => {
  if (auditd.restore) { await auditd.restore(); auditd.restore = undefined; }
  auditd.restore = await withoutAuditd();
  const stateDir = join(suite.dir, 'gap');
  const args = ['--source', 'netlink', '--state-dir', stateDir, '--witness-pin', pin('gap')];
  const w1 = await watch(args);
  await runUnames('g1', `stn-g1-${tag}`, 10);
  await waitFor('g1 counted', () => unameCount(stateDir, `stn-g1-${tag}`) === 10, 5000);
  await sleep(1200);
  await w1.stop('SIGKILL');
  await runUnames('g2', `stn-g2-${tag}`, 50);
  const w2 = await watch(args);
  const gap = await waitFor('a restart-gap loss', () => losses(w2).find((x) => x.loss.source === 'restart-gap'), 5000);
  assert.ok(gap.loss.count >= 50, `count ${gap.loss.count} covers the 50 denials at least`);
  assert.ok(gap.loss.from && gap.loss.to && gap.loss.from < gap.loss.to, `window ${gap.loss.from} .. ${gap.loss.to}`);
});
