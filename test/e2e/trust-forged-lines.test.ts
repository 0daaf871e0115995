// Attack 2 of issue 12, performed for real: an unprivileged user forges a SECCOMP record naming a
// running container's pid — with logger(1) into a syslog file the watcher reads, and (as any
// process allowed to write /dev/kmsg) into the kernel ring buffer. The watcher must attribute
// nothing and say what it dropped; a control run shows the same line would be believed if the
// operator trusted syslog lines that carry no facility.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { packageRoot } from '../../src/native/package-root.js';
import { createUser, runAsUser, startVictim, type TestUser, type Victim } from '../helpers/attacker.js';
import { isRoot, profileDenying, proposalFor, startWatcher, tmp, waitFor, writeJson } from '../helpers/watch-e2e.js';

const skip = !isRoot ? 'needs root (creates a user, runs runc)' : false;
const tag = `${process.pid}`;
let user: TestUser | undefined;
let victim: Victim | undefined;
let dir = '';
let syslogd: Server | undefined;
let port = 0;

before(async () => {
  if (skip) return;
  dir = tmp('forged');
  chmodSync(dir, 0o755);
  user = createUser(`fl${tag}`);
  const profileDir = join(dir, 'profiles');
  mkdirSync(profileDir);
  const profile = writeJson(join(profileDir, 'victim.json'), profileDenying(['uname'], 'SCMP_ACT_LOG'));
  victim = await startVictim(join(dir, 'bundle'), `stk-forged-${tag}`, { annotations: { 'io.seccomp-tailor.profile': profile } });
  // The syslog daemon: what arrives over TCP goes to the file as it came (PRI kept, as rsyslog's
  // protocol-23 template keeps it) and to a second file in rsyslog's traditional format (no PRI).
  syslogd = createServer((c) => c.setEncoding('latin1').on('data', (d: string) => {
    appendFileSync(join(dir, 'syslog-pri'), d);
    appendFileSync(join(dir, 'syslog'), d.replace(/^<\d{1,3}>/gm, ''));
  }));
  await new Promise<void>((r) => syslogd!.listen(0, '127.0.0.1', () => r()));
  port = (syslogd.address() as { port: number }).port;
});

after(async () => {
  if (skip) return;
  await victim?.stop();
  syslogd?.close();
  user?.remove();
  rmSync(dir, { recursive: true, force: true });
});

function forgedRecord(pid: number, serial: number): string {
  const now = (Date.now() / 1000).toFixed(3);
  return `audit: type=1326 audit(${now}:${serial}): auid=0 uid=0 gid=0 ses=1 pid=${pid} comm="sleep" exe="/bin/busybox" sig=0 arch=c000003e syscall=63 compat=0 ip=0x4011d6 code=0x7ffc0000`;
}

/** `watch --once` over a source; its JSON log lines. */
function watchOnce(stateDir: string, args: string[]): Array<Record<string, unknown>> {
  const out = execFileSync(process.execPath, [join(packageRoot(), 'bin', 'seccomp-tailor'), 'watch', '--once', '--no-witness', '--state-dir', stateDir, '--profile-dir', join(dir, 'profiles'), ...args],
    { encoding: 'utf8', timeout: 30_000 });
  return out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

const dropped = (log: Array<Record<string, unknown>>) => log.filter((l) => typeof l.msg === 'string' && (l.msg as string).startsWith('dropped a SECCOMP record user space wrote'));

test('logger -t kernel from an unprivileged user: the watcher attributes nothing from a syslog file', { skip }, async () => {
  const r = runAsUser(user!, ['logger', '-n', '127.0.0.1', '-P', String(port), '-T', '--rfc3164', '-t', 'kernel', forgedRecord(victim!.pid, 424242)]);
  assert.equal(r.status, 0, r.stderr);
  await waitFor('the forged line in the syslog file', () => {
    try { return execFileSync('grep', ['-c', 'audit: type=1326', join(dir, 'syslog')], { encoding: 'utf8' }).trim() === '1'; } catch { return false; }
  });
  for (const [file, extra] of [['syslog', []], ['syslog-pri', []], ['syslog-pri', ['--trust-syslog']]] as const) {
    const stateDir = join(dir, `state-${file}-${extra.length}`);
    const log = watchOnce(stateDir, ['--source', join(dir, file), ...extra]);
    assert.ok(log.some((l) => l.msg === 'container known' && l.container === victim!.id), 'the watcher knew the victim');
    assert.equal(proposalFor(stateDir, victim!.id), undefined, `${file} ${extra.join(' ')}: no proposal for the victim`);
    assert.equal(dropped(log).length, 1, `${file} ${extra.join(' ')}: the drop is logged once`);
    assert.match(String(dropped(log)[0]!.detail), extra.length ? /facility 1/ : /syslog line/);
  }
  // Control: with --trust-syslog a line that carries no facility is the operator's call, and the
  // very same forged line is then attributed to the victim — the attack the default refuses.
  const trusting = join(dir, 'state-trusting');
  watchOnce(trusting, ['--source', join(dir, 'syslog'), '--trust-syslog']);
  assert.deepEqual(proposalFor(trusting, victim!.id)?.add.map((a) => a.syscall), ['uname']);
});

test('a user-space write to /dev/kmsg shaped like a kernel record is dropped, not attributed', { skip }, async () => {
  const stateDir = join(dir, 'state-kmsg');
  // The kmsg source starts after what the ring buffer holds: the watcher runs first.
  const w = await startWatcher(['--source', 'kmsg', '--no-witness', '--state-dir', stateDir]);
  try {
    await waitFor('the victim known', () => w.lines().some((l) => l.msg === 'container known' && l.container === victim!.id));
    // /dev/kmsg is root-writable only; a privileged daemon or container is "user space" all the
    // same. The kernel keeps facility user (1) whatever PRI the writer asks for (here <0>).
    writeFileSync('/dev/kmsg', `<0>${forgedRecord(victim!.pid, 424243)}\n`);
    await waitFor('the drop logged', () => dropped(w.lines()).some((l) => /facility 1/.test(String(l.detail))));
  } finally {
    await w.stop();
  }
  assert.equal(proposalFor(stateDir, victim!.id), undefined);
});
