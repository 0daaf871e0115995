// The audit netlink multicast source against the real kernel: `auto` takes it where it can bind;
// a receive buffer too small is reported as loss, with a count, and the watcher keeps reading;
// records the kernel drops before any listener are reported from its lost counter; `events
// --source netlink` prints live events. (The counts: watch-netlink-counts.test.ts; the
// restart: watch-netlink-restart.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { kernelAuditStatus } from '../../src/native/audit-netlink.js';
import { packageRoot } from '../../src/native/package-root.js';
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


test('events --source netlink prints each denial live, as JSON, the kernel\'s own loss, and its summary when interrupted', { skip, timeout: 60_000 }, async () => {
  const bin = join(packageRoot(), 'bin', 'seccomp-tailor');
  const p = spawn(process.execPath, [bin, 'events', '--source', 'netlink', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  p.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
  p.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
  const exited = new Promise<number | null>((r) => p.on('exit', (code) => r(code)));
  try {
    await waitFor('events to listen', () => err.includes('listening on the audit netlink socket'), 15_000);
    await runUnames('events', `stn-events-${tag}`, 7);
    const events = () => out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { syscallName?: string; action: string; pid: number; serial?: number; arch: string })
      .filter((e) => e.syscallName === 'times');
    const seen = await waitFor('the 7 denials on stdout', () => (events().length >= 7 ? events() : undefined), 5000);
    assert.equal(seen.length, 7);
    assert.deepEqual([...new Set(seen.map((e) => `${e.arch} ${e.action} ${e.pid}`))].length, 1, 'one process, one action');
    assert.equal(seen[0]!.action, 'log');
    assert.equal(new Set(seen.map((e) => e.serial)).size, 7, 'each its own audit serial');
    // Records the kernel drops (its rate limit) are said on stderr with the kernel's count.
    const before = kernelAuditStatus().lost;
    try {
      spawnSync('auditctl', ['-r', '5'], { stdio: 'ignore' });
      spawnSync(auditFloodBinary(), ['500', '1'], { stdio: 'ignore' });
    } finally {
      spawnSync('auditctl', ['-r', '0'], { stdio: 'ignore' });
    }
    const dropped = kernelAuditStatus().lost - before;
    const said = () => [...err.matchAll(/lost: (\d+) \(audit-lost\)/g)].reduce((n, m) => n + Number(m[1]), 0);
    await waitFor('the kernel\'s loss on stderr', () => dropped > 0 && said() >= dropped, 5000)
      .catch((e: Error) => { throw new Error(`${e.message}: kernel ${dropped}, said ${said()}: ${err}`); });
    assert.equal(said(), dropped);
  } finally {
    p.kill('SIGINT');
  }
  assert.equal(await exited, 0, err);
  const summary = /^events: (\d+);/m.exec(err);
  assert.ok(summary && Number(summary[1]) >= 7, `the summary on stderr: ${err}`);
});

test('records the kernel drops before any listener (its rate limit here) are reported from its lost counter, exactly', { skip, timeout: 60_000 }, async () => {
  const w = await watch(['--source', 'netlink', '--state-dir', join(suite.dir, 'kernel-lost'), '--witness-pin', pin('kernel-lost'), '--no-discovery']);
  await waitFor('the watcher to read the counter', () => w.lines().some((l) => l.msg === 'kernel audit lost counter'), 5000);
  const before = kernelAuditStatus().lost;
  try {
    // 5 records a second at most: the kernel drops the rest of a 2,000-record burst and counts them.
    spawnSync('auditctl', ['-r', '5'], { stdio: 'ignore' });
    const r = spawnSync(auditFloodBinary(), ['2000', '1'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  } finally {
    spawnSync('auditctl', ['-r', '0'], { stdio: 'ignore' });
  }
  const after = kernelAuditStatus().lost;
  assert.ok(after - before > 1000, `the kernel counted ${after - before} lost`);
  const reported = () => losses(w).filter((x) => x.loss.source === 'audit-lost').reduce((s, x) => s + x.loss.count, 0);
  await waitFor('the watcher to report them all', () => reported() >= after - before, 5000)
    .catch((e: Error) => { throw new Error(`${e.message}: reported ${reported()} of ${after - before}`); });
  assert.equal(reported(), after - before, 'as many as the kernel counted');
  assert.equal(w.proc.exitCode, null, 'still running');
});
