// Without auditd the kernel prints SECCOMP records to its ring buffer: `--source kmsg` reads them
// there, and the same proposals must come out of it; what printk's rate limit drops is reported.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { packageRoot } from '../../src/native/package-root.js';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  cleanupContainer, isRoot, makeBundle, profileDenying, proposalFor, runContainer, startWatcher, tmp, waitFor, withoutAuditd, writeJson, type Watcher,
} from '../helpers/watch-e2e.js';

const skip = !isRoot ? 'needs root' : false;
const tag = `${process.pid}`;
const PIN = `/sys/fs/bpf/st-watch-kmsg-${tag}`;
const RATELIMIT = '/proc/sys/kernel/printk_ratelimit';
const BURST = '/proc/sys/kernel/printk_ratelimit_burst';
let restoreAuditd: () => Promise<void> = async () => {};
let ratelimit = '';
let watcher: Watcher | undefined;
let dir = '';
let stateDir = '';

before(async () => {
  if (skip) return;
  restoreAuditd = await withoutAuditd();
  // kauditd prints through printk_ratelimit() (10 lines per 5 s by default) when no auditd listens.
  ratelimit = readFileSync(RATELIMIT, 'utf8');
  writeFileSync(RATELIMIT, '0');
  spawnSync('auditctl', ['-r', '0'], { stdio: 'ignore' });
  dir = tmp('kmsg');
  stateDir = join(dir, 'state');
  watcher = await startWatcher(['--source', 'kmsg', '--state-dir', stateDir, '--witness-pin', PIN]);
});

after(async () => {
  if (skip) return;
  await watcher?.stop();
  rmSync(PIN, { recursive: true, force: true });
  if (ratelimit) writeFileSync(RATELIMIT, ratelimit);
  await restoreAuditd();
  rmSync(dir, { recursive: true, force: true });
});

test('--source kmsg reads /dev/kmsg', { skip }, () => {
  const start = watcher!.lines().find((l) => l.msg === 'watching');
  assert.equal(start?.source, '/dev/kmsg');
});

for (const [mode, args, expected, action, status] of [
  ['SCMP_ACT_LOG', ['sh', '-c', 'uname -a; uptime'], ['sysinfo', 'uname'], 'log', 0],
  ['SCMP_ACT_KILL_PROCESS', ['uname', '-a'], ['uname'], 'kill_process', 159],
] as const) {
  test(`kmsg, ${mode}: proposal within 2 s with exactly the new syscalls`, { skip }, async () => {
    const name = mode === 'SCMP_ACT_LOG' ? 'complain' : 'kill';
    const id = `stk-${name}-${tag}`;
    const denied = ['uname', 'sysinfo', 'sync'];
    const profile = writeJson(join(dir, `${name}.json`), profileDenying(denied, mode));
    const bundle = makeBundle(join(dir, name), { args: [...args], seccomp: profileDenying(denied, mode), annotations: { 'io.seccomp-tailor.profile': profile } });
    try {
      const r = await runContainer(bundle, id);
      assert.equal(r.status, status);
      const p = await waitFor(`proposal for ${id}`, () => {
        const p = proposalFor(stateDir, id);
        return p && p.add.length >= expected.length ? p : undefined;
      }, 2000);
      assert.equal(p.profile.path, profile);
      assert.deepEqual(p.add.map((a) => a.syscall).sort(), [...expected]);
      assert.ok(p.add.every((a) => a.actions.length === 1 && a.actions[0] === action));
    } finally {
      cleanupContainer(id);
    }
  });
}

test('kmsg with printk\'s rate limit on: the suppressed denials are reported lost, with a count, and the proposal watched meanwhile says its evidence is incomplete', { skip, timeout: 30_000 }, async () => {
  const denied = ['uname'];
  const profile = writeJson(join(dir, 'flood.json'), profileDenying(denied, 'SCMP_ACT_LOG'));
  const bundle = (name: string, n: number) => makeBundle(join(dir, name), {
    args: ['sh', '-c', `i=0; while [ $i -lt ${n} ]; do uname >/dev/null; i=$((i+1)); done`],
    seccomp: profileDenying(denied, 'SCMP_ACT_LOG'), annotations: { 'io.seccomp-tailor.profile': profile },
  });
  // A container whose proposal exists before the loss (the rate limit is still off).
  const pre = `stk-pre-${tag}`;
  const id = `stk-flood-${tag}`;
  const burst = readFileSync(BURST, 'utf8');
  const lossLines = () => watcher!.lines().filter((l) => l.loss !== undefined) as Array<{ loss: { source: string; count: number } }>;
  try {
    assert.equal((await runContainer(bundle('pre', 1), pre)).status, 0);
    await waitFor('the first proposal', () => proposalFor(stateDir, pre), 3000);
    const before = lossLines().length;
    // A 1 s interval, 10 lines: the kernel's default burst with a short window, so the test can
    // make the budget refill on purpose instead of waiting 5 s.
    writeFileSync(BURST, '10');
    writeFileSync(RATELIMIT, '1');
    // 60 denials in a burst, after the container start's own BPF records: far beyond 10 lines.
    assert.equal((await runContainer(bundle('flood', 60), id)).status, 0);
    // After the interval the budget is back: the next audit record passes (and the kernel prints
    // its "callbacks suppressed" notice with it); its serial shows the gap.
    await new Promise((res) => setTimeout(res, 1100));
    spawnSync('auditctl', ['-m', `seccomp-tailor test ${tag}: after the flood`], { stdio: 'ignore' });
    const seen = await waitFor('a serial-gap loss', () => {
      const l = lossLines().slice(before);
      return l.some((x) => x.loss.source === 'serial-gap') ? l : undefined;
    }, 5000);
    const gap = seen.filter((x) => x.loss.source === 'serial-gap').reduce((n, x) => n + x.loss.count, 0);
    const counted = proposalFor(stateDir, id)?.add.find((a) => a.syscall === 'uname')?.count ?? 0;
    // Every denial was either counted or reported lost (the 10 lines that pass may include some of ours).
    assert.ok(counted < 60, `counted ${counted}: the rate limit did not bite`);
    assert.ok(gap >= 60 - counted, `serial gaps ${gap} cover the ${60 - counted} denials not counted`);
    // The suppressed notice and the serial gap are two sightings of the loss, marked as each is seen.
    const inc = await waitFor('evidenceIncomplete with the serial gap', () => {
      const e = (proposalFor(stateDir, pre) as { evidenceIncomplete?: { lostRecords: number; sources: string[] } } | undefined)?.evidenceIncomplete;
      return e?.sources.includes('serial-gap') ? e : undefined;
    }, 3000);
    assert.ok(inc.lostRecords >= 60 - counted);
    assert.ok(inc.sources.includes('serial-gap'));
    const p = proposalFor(stateDir, pre)!;
    const shown = spawnSync(process.execPath, [join(packageRoot(), 'bin', 'seccomp-tailor'), 'proposals', 'show', p.id, '--state-dir', stateDir], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(shown.status, 0, shown.stderr);
    assert.match(shown.stdout, /evidence incomplete: \d+ records lost host-wide/);
  } finally {
    writeFileSync(RATELIMIT, '0');
    writeFileSync(BURST, burst);
    cleanupContainer(pre);
    cleanupContainer(id);
  }
});
