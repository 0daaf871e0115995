// Attack 3 of issue 12, performed for real: containers whose annotations name, as their profile
// file, a FIFO, a character device, a root-only non-JSON file, /dev/zero and the engine's
// host-wide default profile. The watcher (root) must not hang, not read outside the admin's
// profile directories, not leak a byte of what it refused, and propose nothing against those
// files — while a well-behaved container beside them still gets its proposal.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startVictim, type Victim } from '../helpers/attacker.js';
import { ensureAuditd, isRoot, profileDenying, proposalFor, proposals, startWatcher, tmp, waitFor, writeJson, type Watcher } from '../helpers/watch-e2e.js';

const skip = !isRoot ? 'needs root (runs runc and auditd)' : false;
const tag = `${process.pid}`;
const PIN = `/sys/fs/bpf/st-annot-${tag}`;
const SECRET = 'SECRET-TOKEN-0f9e8d';
let watcher: Watcher | undefined;
let stopAuditd: () => Promise<void> = async () => {};
let dir = '';
let profileDir = '';
const victims: Victim[] = [];
let cases: Array<{ name: string; path: string; why: RegExp }> = [];

before(async () => {
  if (skip) return;
  stopAuditd = await ensureAuditd();
  dir = tmp('annot');
  chmodSync(dir, 0o755);
  profileDir = join(dir, 'profiles');
  mkdirSync(profileDir, { mode: 0o755 });
  const fifo = join(profileDir, 'fifo.json');
  execFileSync('mkfifo', ['-m', '0644', fifo]);
  const chr = join(profileDir, 'zero.json');
  execFileSync('mknod', ['-m', '0644', chr, 'c', '1', '5']);
  const secretIn = join(profileDir, 'token.json');
  writeFileSync(secretIn, `${SECRET}\n`, { mode: 0o600 });
  const secretOut = join(dir, 'secret.txt');
  writeFileSync(secretOut, `${SECRET}\n`, { mode: 0o600 });
  cases = [
    { name: 'fifo', path: fifo, why: /not a regular file/ },
    { name: 'chardev', path: chr, why: /not a regular file/ },
    { name: 'nonjson', path: secretIn, why: /not JSON/ },
    { name: 'outside', path: secretOut, why: /outside the profile directories/ },
    { name: 'devzero', path: '/dev/zero', why: /outside the profile directories/ },
    { name: 'hostdefault', path: '/usr/share/containers/seccomp.json', why: /outside the profile directories/ },
  ];
  watcher = await startWatcher(['--source', 'auditd', '--state-dir', join(dir, 'state'), '--witness-pin', PIN, '--profile-dir', profileDir, '--metrics', '127.0.0.1:0']);
  // Each container logs a real denial (uname under a complain profile) a moment after it starts.
  const seccomp = profileDenying(['uname'], 'SCMP_ACT_LOG');
  const args = ['sh', '-c', 'sleep 1; uname; exec sleep 600'];
  for (const c of cases) {
    const key = c.name === 'hostdefault' ? 'io.podman.annotations.seccomp' : 'io.seccomp-tailor.profile';
    victims.push(await startVictim(join(dir, `b-${c.name}`), `stk-annot-${c.name}-${tag}`, { annotations: { [key]: c.path }, seccomp, args }));
  }
  const good = writeJson(join(profileDir, 'good.json'), seccomp);
  victims.push(await startVictim(join(dir, 'b-good'), `stk-annot-good-${tag}`, { annotations: { 'io.seccomp-tailor.profile': good }, seccomp, args }));
});

after(async () => {
  if (skip) return;
  for (const v of victims) await v.stop();
  await watcher?.stop();
  rmSync(PIN, { recursive: true, force: true });
  await stopAuditd();
  rmSync(dir, { recursive: true, force: true });
});

test('hostile profile paths in annotations: reported, never read, no proposal; the watcher keeps working', { skip }, async () => {
  const good = `stk-annot-good-${tag}`;
  // The control: a container beside them gets its proposal, so the watcher neither hung nor died.
  const p = await waitFor('the well-behaved container\'s proposal', () => proposalFor(join(dir, 'state'), good), 10_000);
  assert.deepEqual(p.add.map((a) => a.syscall), ['uname']);
  assert.equal(watcher!.proc.exitCode, null, 'the watcher is running');
  const lines = watcher!.lines();
  for (const c of cases) {
    const id = `stk-annot-${c.name}-${tag}`;
    const said = lines.filter((l) => l.container === id && (l.profile === c.path) && typeof (l.error ?? l.why) === 'string');
    assert.ok(said.length > 0, `${c.name}: reported`);
    assert.match(String(said[0]!.error ?? said[0]!.why), c.why, c.name);
  }
  // The denials of those containers were read (the record is real) and proposed against nothing.
  // Each container's real denial reached the watcher and was counted for it: read, attributed,
  // and proposed against nothing.
  const url = String(lines.find((l) => l.msg === 'metrics listening')?.metrics);
  for (const c of cases) {
    const id = `stk-annot-${c.name}-${tag}`;
    const seen = async () => new RegExp(`seccomp_tailor_watch_events_total\\{action="log",container="${id}"\\} [1-9]`).test(await (await fetch(url)).text());
    const end = Date.now() + 5000;
    while (!(await seen())) {
      if (Date.now() > end) assert.fail(`${c.name}: its denial was never counted`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const targets = proposals(join(dir, 'state')).map((x) => x.profile.path);
  assert.deepEqual(targets, [join(profileDir, 'good.json')]);
  const all = JSON.stringify(watcher!.lines());
  assert.ok(!all.includes(SECRET), 'no byte of a refused file reached the log');
});
