// Without auditd the kernel prints SECCOMP records to its ring buffer; `--source auto` must then
// pick /dev/kmsg (journald does not run here) and the same proposals must come out of it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  cleanupContainer, isRoot, makeBundle, profileDenying, proposalFor, runContainer, startWatcher, tmp, waitFor, withoutAuditd, writeJson, type Watcher,
} from '../helpers/watch-e2e.js';

const skip = !isRoot ? 'needs root' : false;
const tag = `${process.pid}`;
const PIN = `/sys/fs/bpf/st-watch-kmsg-${tag}`;
const RATELIMIT = '/proc/sys/kernel/printk_ratelimit';
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
  watcher = await startWatcher(['--source', 'auto', '--state-dir', stateDir, '--witness-pin', PIN]);
});

after(async () => {
  if (skip) return;
  await watcher?.stop();
  rmSync(PIN, { recursive: true, force: true });
  if (ratelimit) writeFileSync(RATELIMIT, ratelimit);
  await restoreAuditd();
  rmSync(dir, { recursive: true, force: true });
});

test('auto picks /dev/kmsg when neither auditd nor journald runs', { skip }, () => {
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
