// The audit netlink multicast source against the real kernel, the counts: every denial reaches the
// proposal whether or not auditd runs and however much other audit traffic there is, as many as a
// second, independent listener saw; the same proposal as the file source. Restarts:
// watch-netlink-restart.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { AuditListener } from '../../src/native/audit-netlink.js';
import { bpfLoadLoop } from '../helpers/audit-noise.js';
import { DEFAULT_NETLINK_RCVBUF } from '../../src/watch/defaults.js';
import { netlinkSuite } from '../helpers/netlink-e2e.js';
import { ensureAuditd, proposalFor, proposals, sleep, waitFor, withoutAuditd } from '../helpers/watch-e2e.js';

const suite = netlinkSuite();
const { skip, tag, auditd, pin, watch, runUnames, unameCount, losses } = suite;

test('auditd stopped, a BPF load/unload flood: every denial reaches the proposal, as many as an independent listener saw', { skip, timeout: 60_000 }, async () => {
  auditd.restore ??= await withoutAuditd();
  const stateDir = join(suite.dir, 'flood');
  const w = await watch(['--source', 'netlink', '--state-dir', stateDir, '--witness-pin', pin('flood')]);
  // The second listener: its own socket, in this process; counts uname denials and the noise.
  let seen = 0;
  let bpfRecords = 0;
  const l = new AuditListener((types, texts) => {
    for (let i = 0; i < types.length; i++) {
      if (types[i] === 1326 && / syscall=100 /.test(texts[i]!)) seen++;
      else if (types[i] === 1334) bpfRecords++;
    }
  }, { rcvbuf: 8 << 20 });
  l.resume();
  const noise = bpfLoadLoop();
  const id = `stn-flood-${tag}`;
  let loads = 0;
  try {
    try {
      await sleep(300);
      await runUnames('flood', id, 300);
      await sleep(300);
    } finally {
      loads = await noise.stop();
    }
    await waitFor('the proposal to reach the listener\'s count', () => unameCount(stateDir, id) >= seen && seen > 0, 5000)
      .catch((e: Error) => {
        throw new Error(`${e.message}: proposal ${unameCount(stateDir, id)}, listener ${seen}; watcher said ${JSON.stringify(w.lines().filter((x) => x.msg !== 'ready').slice(-20))}; proposals ${JSON.stringify(proposals(stateDir))}`);
      });
    l.drain();
  } finally {
    l.close();
  }
  assert.ok(loads > 5, `the noise loaded BPF ${loads} times`);
  assert.ok(bpfRecords > 20, `noise: ${bpfRecords} BPF records`);
  assert.equal(seen, 300, 'the kernel logged every times denial');
  assert.equal(unameCount(stateDir, id), seen);
  assert.deepEqual(losses(w), []);
  // The default receive buffer, not the system's 208 KiB that a burst during this flood overflows.
  const bound = w.lines().find((x) => x.msg === 'audit netlink socket bound') as { rcvbuf: number } | undefined;
  assert.ok(bound && bound.rcvbuf >= DEFAULT_NETLINK_RCVBUF, `watcher's receive buffer ${bound?.rcvbuf}`);
});

test('auditd running: the netlink and the file source give the same proposal', { skip, timeout: 60_000 }, async () => {
  if (auditd.restore) { await auditd.restore(); auditd.restore = undefined; }
  const stopAuditd = await ensureAuditd();
  auditd.restore = stopAuditd;
  const nlState = join(suite.dir, 'same-nl');
  const fileState = join(suite.dir, 'same-file');
  const wn = await watch(['--source', 'netlink', '--state-dir', nlState, '--witness-pin', pin('same-nl')]);
  const wf = await watch(['--source', 'auditd', '--state-dir', fileState, '--witness-pin', pin('same-file')]);
  const id = `stn-same-${tag}`;
  await runUnames('same', id, 120);
  // Equality is the point here, not latency (bench watch-latency): a loaded CI disk gets time.
  await waitFor('both proposals', () => unameCount(nlState, id) === 120 && unameCount(fileState, id) === 120, 15_000)
    .catch((e: Error) => {
      const said = (w: typeof wn) => JSON.stringify(w.lines().filter((l) => l.msg !== 'ready').slice(-8));
      throw new Error(`${e.message}: netlink ${unameCount(nlState, id)}, file ${unameCount(fileState, id)}; netlink watcher said ${said(wn)}; file watcher said ${said(wf)}`);
    });
  const a = proposalFor(nlState, id)!;
  const b = proposalFor(fileState, id)!;
  assert.deepEqual(a.add.map((x) => [x.arch, x.syscall, x.count, x.actions]), b.add.map((x) => [x.arch, x.syscall, x.count, x.actions]));
});
