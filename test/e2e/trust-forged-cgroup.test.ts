// Attack 1 of issue 12, performed for real: an unprivileged user is delegated a cgroupfs subtree
// (a pids-hierarchy directory chowned to it), names a cgroup in it after a running container
// (`libpod-<id>`), moves itself in and runs a program whose seccomp filter logs uname: the kernel
// writes a real type=1326 record for the user's process. Once in the host's namespaces, once
// after `unshare -Urpm` (new user, pid and mount namespaces, as any user may). The watcher must
// attribute neither to the container.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createUser, seccompLogBinary, spawnAsUser, startVictim, type TestUser, type Victim } from '../helpers/attacker.js';
import { ensureAuditd, isRoot, profileDenying, proposalFor, startWatcher, tmp, waitFor, writeJson, type Watcher } from '../helpers/watch-e2e.js';

const PIDS = '/sys/fs/cgroup/pids';
const skip = !isRoot ? 'needs root (creates a user and a cgroup, runs runc and auditd)' : !existsSync(join(PIDS, 'cgroup.procs')) ? 'no cgroup v1 pids hierarchy at /sys/fs/cgroup/pids' : false;
const tag = `${process.pid}`;
const PIN = `/sys/fs/bpf/st-forged-cg-${tag}`;
const DELEGATED = join(PIDS, `st-deleg-${tag}`);
let user: TestUser | undefined;
let victim: Victim | undefined;
let watcher: Watcher | undefined;
let stopAuditd: () => Promise<void> = async () => {};
let dir = '';
let stateDir = '';

before(async () => {
  if (skip) return;
  stopAuditd = await ensureAuditd();
  dir = tmp('forged-cg');
  chmodSync(dir, 0o755);
  stateDir = join(dir, 'state');
  user = createUser(`cg${tag}`);
  // The delegation: a directory of the hierarchy and its control files handed to the user.
  mkdirSync(DELEGATED);
  for (const f of ['', 'cgroup.procs', 'tasks']) chownSync(join(DELEGATED, f), user.uid, user.gid);
  const profileDir = join(dir, 'profiles');
  mkdirSync(profileDir);
  const profile = writeJson(join(profileDir, 'victim.json'), profileDenying(['uname'], 'SCMP_ACT_LOG'));
  const id = createHash('sha256').update(`victim-${tag}`).digest('hex');
  victim = await startVictim(join(dir, 'bundle'), id, { annotations: { 'io.seccomp-tailor.profile': profile } });
  watcher = await startWatcher(['--source', 'auditd', '--state-dir', stateDir, '--witness-pin', PIN]);
  await waitFor('the victim known', () => watcher!.lines().some((l) => l.msg === 'container known' && l.container === victim!.id));
});

after(async () => {
  if (skip) return;
  await watcher?.stop();
  await victim?.stop();
  rmSync(PIN, { recursive: true, force: true });
  // Child cgroups first; a cgroup directory is removed with rmdir, never recursively.
  if (existsSync(DELEGATED)) {
    for (const d of readdirSync(DELEGATED, { withFileTypes: true })) if (d.isDirectory()) try { rmdirSync(join(DELEGATED, d.name)); } catch { /* busy */ }
    try { rmdirSync(DELEGATED); } catch { /* busy */ }
  }
  user?.remove();
  await stopAuditd();
  rmSync(dir, { recursive: true, force: true });
});

/** Attackers already started: the first one still sleeps in the same cgroup when the second looks. */
const attackers = new Set<number>();

/** As the user: make the cgroup, move in, optionally unshare, exec the logging program; its host pid. */
async function attack(name: string, unshare: boolean): Promise<number> {
  const cg = join(DELEGATED, `libpod-${victim!.id}`);
  const run = unshare ? `exec unshare -Urpm --fork ${seccompLogBinary()} 4` : `exec ${seccompLogBinary()} 4`;
  const p = spawnAsUser(user!, ['sh', '-c', `mkdir -p ${cg} && echo $$ > ${cg}/cgroup.procs && ${run}`]);
  let err = '';
  p.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d; });
  // The logging program is the process that makes the record: the shell's child after unshare's fork.
  const pid = await waitFor(`${name}: the attacker's program`, () => {
    let procs: number[];
    try { procs = readFileSync(join(cg, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number); } catch { return undefined; }
    return procs.find((q) => { try { return !attackers.has(q) && readFileSync(`/proc/${q}/comm`, 'utf8').trim() === 'seccomp-log'; } catch { return false; } });
  }, 5000).catch((e: Error) => { throw new Error(`${e.message}: ${err}`); });
  // The attack is real: the process's own cgroup names the victim.
  assert.match(readFileSync(`/proc/${pid}/cgroup`, 'utf8'), new RegExp(`pids:/st-deleg-${tag}/libpod-${victim!.id}`));
  // ... and it is in the namespaces it says: its own pid and mount namespaces after unshare.
  const own = ['pid', 'mnt'].map((n) => readlinkSync(`/proc/${pid}/ns/${n}`) !== readlinkSync(`/proc/self/ns/${n}`));
  assert.deepEqual(own, [unshare, unshare], `${name}: own pid and mount namespaces`);
  attackers.add(pid);
  return pid;
}

const nsOf = (pid: number, n: string) => Number(/\[(\d+)\]/.exec(readlinkSync(`/proc/${pid}/ns/${n}`))![1]);
const about = (pid: number) => watcher!.lines().find((l) => l.eventPid === pid);

test('a host user in a cgroup named after a container: its real denial is the host\'s', { skip }, async () => {
  const pid = await attack('host namespaces', false);
  const seen = await waitFor('the watcher to report the record', () => about(pid), 5000);
  assert.equal((seen.attribution as { kind: string }).kind, 'host');
  assert.equal(proposalFor(stateDir, victim!.id), undefined);
});

test('the same after unshare -Urpm: not attributed to the container', { skip }, async () => {
  const pid = await attack('own namespaces', true);
  const own = { pidNs: nsOf(pid, 'pid'), mntNs: nsOf(pid, 'mnt') };
  const seen = await waitFor('the watcher to report the record', () => about(pid), 5000);
  // Neither the container nor an unregistered engine container named by the cgroup: a namespaced
  // process of no known container.
  assert.deepEqual(seen.attribution, { kind: 'unknown', reason: 'no-container', ...own });
  assert.equal(proposalFor(stateDir, victim!.id), undefined);
});
