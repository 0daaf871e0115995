// The audit netlink multicast source against the real kernel, the counts: every denial reaches the
// proposal whether or not auditd runs and however much other audit traffic there is, as many as a
// second, independent listener saw; the same proposal as the file source; a restart without
// auditd is a loss window with its start and end.
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

test('auditd stopped, a BPF load/unload flood: every denial reaches the proposal, as many as an independent listener saw', { skip, timeout: 60_000 }, async () => {
  restoreAuditd ??= await withoutAuditd();
  const stateDir = join(dir, 'flood');
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
    await waitFor('the proposal to reach the listener\'s count', () => unameCount(stateDir, id) >= seen && seen > 0, 5000);
    l.drain();
  } finally {
    l.close();
  }
  assert.ok(loads > 5, `the noise loaded BPF ${loads} times`);
  assert.ok(bpfRecords > 20, `noise: ${bpfRecords} BPF records`);
  assert.equal(seen, 300, 'the kernel logged every times denial');
  assert.equal(unameCount(stateDir, id), seen);
  assert.deepEqual(losses(w), []);
});

test('auditd running: the netlink and the file source give the same proposal', { skip, timeout: 60_000 }, async () => {
  if (restoreAuditd) { await restoreAuditd(); restoreAuditd = undefined; }
  const stopAuditd = await ensureAuditd();
  restoreAuditd = stopAuditd;
  const nlState = join(dir, 'same-nl');
  const fileState = join(dir, 'same-file');
  await watch(['--source', 'netlink', '--state-dir', nlState, '--witness-pin', pin('same-nl')]);
  await watch(['--source', 'auditd', '--state-dir', fileState, '--witness-pin', pin('same-file')]);
  const id = `stn-same-${tag}`;
  await runUnames('same', id, 120);
  await waitFor('both proposals', () => unameCount(nlState, id) === 120 && unameCount(fileState, id) === 120, 5000);
  const a = proposalFor(nlState, id)!;
  const b = proposalFor(fileState, id)!;
  assert.deepEqual(a.add.map((x) => [x.arch, x.syscall, x.count, x.actions]), b.add.map((x) => [x.arch, x.syscall, x.count, x.actions]));
});

test('kill -9 without auditd: the time it was down is reported as a loss window with start and end', { skip, timeout: 60_000 }, async () => {
  if (restoreAuditd) { await restoreAuditd(); restoreAuditd = undefined; }
  restoreAuditd = await withoutAuditd();
  const stateDir = join(dir, 'gap');
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
