// The audit netlink multicast source against the real kernel: `auto` takes it where it can bind;
// a receive buffer too small is reported as loss, with a count, and the watcher keeps reading.
// (The counts and the restart: watch-netlink-counts.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { auditFloodBinary } from '../helpers/audit-noise.js';
import { netlinkSuite } from '../helpers/netlink-e2e.js';
import { sleep, waitFor } from '../helpers/watch-e2e.js';

const suite = netlinkSuite();
const { skip, tag, pin, watch, runUnames, losses } = suite;

test('auto picks the netlink source where it can bind', { skip }, async () => {
  const w = await watch(['--state-dir', join(suite.dir, 'auto'), '--witness-pin', pin('auto'), '--no-discovery']);
  await w.stop();
  const start = w.lines().find((l) => l.msg === 'watching');
  assert.match(String(start?.source), /netlink/, JSON.stringify(start));
});

test('a receive buffer made tiny on purpose: the loss is reported with a count and the watcher keeps running', { skip, timeout: 60_000 }, async () => {
  const stateDir = join(suite.dir, 'tiny');
  const w = await watch(['--source', 'netlink', '--netlink-rcvbuf', '1', '--state-dir', stateDir, '--witness-pin', pin('tiny'), '--no-discovery']);
  const bound = w.lines().find((l) => l.msg === 'audit netlink socket bound') as { rcvbuf?: number } | undefined;
  assert.ok(bound?.rcvbuf !== undefined && bound.rcvbuf < 8192, `rcvbuf ${bound?.rcvbuf}`);
  const r = spawnSync(auditFloodBinary(), ['50000', '1'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  // ENOBUFS itself carries no count; the drop counter or the serials that never arrived give it.
  const overflowed = await waitFor('a netlink loss notice', () => {
    const n = losses(w).filter((x) => x.loss.source === 'netlink-overflow' || x.loss.source === 'netlink-drops');
    return n.length ? n : undefined;
  }, 5000);
  assert.ok(overflowed.length > 0);
  const counted = await waitFor('a loss with a count', () => {
    const n = losses(w).filter((x) => ['netlink-overflow', 'netlink-drops', 'serial-gap'].includes(x.loss.source)).reduce((s, x) => s + x.loss.count, 0);
    return n > 0 ? n : undefined;
  }, 5000);
  assert.ok(counted > 0, 'with a count');
  // Still reading: a later record still arrives (an AUDIT_USER message shows up as a serial).
  assert.equal(w.proc.exitCode, null);
  const before = w.lines().length;
  await runUnames('tiny', `stn-tiny-${tag}`, 1);
  await sleep(200);
  assert.equal(w.proc.exitCode, null, 'the watcher is still running');
  void before;
});

