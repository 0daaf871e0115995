// Issue 19 item 1, performed for real: a container under runc with Docker's default capabilities
// sends an AUDIT_USER_AVC message whose text holds a newline and a SECCOMP record naming the
// victim's pid. With no auditd the kernel prints it; `dmesg -S -r` (syslog(2)) splits it, so the
// second half is a `<5>[…] audit: type=1326` line. The watcher on that file must not propose.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packagePath, packageRoot } from '../../src/native/package-root.js';
import { startVictim, type Victim } from '../helpers/attacker.js';
import { makeBusyboxBundle } from '../helpers/busybox-bundle.js';
import { isRoot, profileDenying, proposalFor, tmp, withoutAuditd, writeJson } from '../helpers/watch-e2e.js';

const skip = !isRoot ? 'needs root (runs runc, reads the ring buffer)' : false;
const DOCKER_CAPS = ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID', 'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE'];
let dir = '';
let victim: Victim | undefined;
let restoreAuditd: (() => Promise<void>) | undefined;
let ratelimit = '';

before(async () => {
  if (skip) return;
  dir = tmp('split');
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'profiles'));
  const profile = writeJson(join(dir, 'profiles', 'victim.json'), profileDenying(['uname'], 'SCMP_ACT_LOG'));
  victim = await startVictim(join(dir, 'victim'), `stk-split-${process.pid}`, { annotations: { 'io.seccomp-tailor.profile': profile } });
  restoreAuditd = await withoutAuditd();
  ratelimit = readFileSync('/proc/sys/kernel/printk_ratelimit', 'utf8').trim();
  writeFileSync('/proc/sys/kernel/printk_ratelimit', '0');
});

after(async () => {
  if (skip) return;
  if (ratelimit) writeFileSync('/proc/sys/kernel/printk_ratelimit', ratelimit);
  await victim?.stop();
  await restoreAuditd?.();
  rmSync(dir, { recursive: true, force: true });
});

function watchOnce(stateDir: string, args: string[]): string {
  return execFileSync(process.execPath, [join(packageRoot(), 'bin', 'seccomp-tailor'), 'watch', '--once', '--no-witness', '--state-dir', stateDir, '--profile-dir', join(dir, 'profiles'), ...args],
    { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
}

test('a container forges kern SECCOMP lines through syslog(2): the watcher on `dmesg -S -r` proposes nothing', { skip }, () => {
  const bundle = join(dir, 'attacker');
  makeBusyboxBundle(bundle, { args: ['/bin/forge', ''] });
  const forge = join(bundle, 'rootfs', 'bin', 'forge');
  execFileSync('cc', ['-static', '-O2', '-o', forge, packagePath('test', 'fixtures', 'audit-user-forge.c')]);
  const now = (Date.now() / 1000).toFixed(3);
  const marker = `st-forge-${process.pid}`;
  const forged = `audit: type=1326 audit(${now}:0): auid=0 uid=0 gid=0 ses=1 pid=${victim!.pid} comm="sleep" exe="/bin/busybox" sig=0 arch=c000003e syscall=63 compat=0 ip=0x4011d6 code=0x7ffc0000`;
  const config = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8'));
  config.process.args = ['/bin/forge', `${marker}\n${forged}`];
  config.process.capabilities = { bounding: DOCKER_CAPS, effective: DOCKER_CAPS, permitted: DOCKER_CAPS };
  writeFileSync(join(bundle, 'config.json'), JSON.stringify(config));
  const r = spawnSync('runc', ['run', '--bundle', bundle, `stk-forge-${process.pid}`], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, `the attacker's send: ${r.stderr}`);
  const dmesg = execFileSync('dmesg', ['-S', '-r'], { encoding: 'latin1', maxBuffer: 64 << 20 });
  const split = dmesg.split('\n').filter((l) => l.includes(`pid=${victim!.pid} comm="sleep"`) && /^<5>\[[^\]]*\] audit: type=1326 /.test(l));
  assert.equal(split.length, 1, 'syslog(2) printed the forged half as a kern line of its own');
  const file = join(dir, 'dmesg-S-r');
  writeFileSync(file, dmesg, 'latin1');
  const state = join(dir, 'state');
  const log = watchOnce(state, ['--source', file]);
  assert.equal(proposalFor(state, victim!.id), undefined, 'no proposal for the victim');
  assert.match(log, /dropped a SECCOMP record user space wrote/);
  // Control: the operator who opts in to syslog(2) text is told the risk, and the forged line then
  // really would be believed: the attack is real, the default is what stops it.
  const trusting = join(dir, 'state-trusting');
  const t = spawnSync(process.execPath, [join(packageRoot(), 'bin', 'seccomp-tailor'), 'watch', '--once', '--no-witness', '--state-dir', trusting, '--profile-dir', join(dir, 'profiles'), '--source', file, '--trust-syslog'], { encoding: 'utf8', timeout: 30_000 });
  assert.match(t.stderr, /can forge them/);
  assert.deepEqual(proposalFor(trusting, victim!.id)?.add.map((a) => a.syscall), ['uname']);
});
