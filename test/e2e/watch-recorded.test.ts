// The issue's own scenario: a container recorded with the hook, then run with that profile in
// complain mode and in KILL mode, doing something new. The hook registers the containers in the
// watcher's state directory; the proposal must list exactly the syscalls the recording lacked
// (ground truth: a recording of the new workload, minus the first recording), names and, for the
// syscalls allowed only with argument rules, values (proposed as a widening of their rules).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRoot, makeHookEnv, profileNames, type HookEnv } from '../helpers/hook-env.js';
import { ensureAuditd, proposalFor, startWatcher, waitFor, type Watcher } from '../helpers/watch-e2e.js';
import { complainProfile, enforceProfile } from '../../src/profile/modes.js';
import { parseProfile, serializeProfile } from '../../src/profile/schema.js';
import { argRestrictedNames, describeArgRules } from '../../src/profile/engine-defaults.js';
import { wideningFor } from '../../src/profile/widen-args.js';

const skip = isRoot ? false : 'needs root (eBPF, runc, auditd)';
const PIN = `/sys/fs/bpf/st-watch-rec-${process.pid}`;
const BEFORE = ['sh', '-c', 'sleep 0.2'];
const AFTER = ['sh', '-c', 'sleep 0.2; uptime'];
let env: HookEnv;
let stopAuditd: () => Promise<void> = async () => {};
let watcher: Watcher | undefined;
let recorded = '';
let expected: string[] = [];

before(async () => {
  if (skip) return;
  env = makeHookEnv('watch-rec');
  stopAuditd = await ensureAuditd();
  watcher = await startWatcher(['--source', 'auditd', '--state-dir', env.stateDir, '--witness-pin', PIN]);
  recorded = join(env.out, 'before.json');
  const r1 = env.run('runc', { args: BEFORE, trace: `of:${recorded}` });
  assert.equal(r1.status, 0, r1.stderr);
  const r2 = env.run('runc', { args: AFTER, trace: `of:${join(env.out, 'after.json')}` });
  assert.equal(r2.status, 0, r2.stderr);
  const had = new Set(profileNames(recorded));
  const before = parseProfile(readFileSync(recorded, 'utf8'), recorded);
  const afterProfile = parseProfile(readFileSync(join(env.out, 'after.json'), 'utf8'), 'after.json');
  // Called with values the first recording never saw: denied too, and proposed as a widening.
  const newValues = argRestrictedNames(before).filter((n) => {
    const rules = new Set(describeArgRules(before, n));
    return describeArgRules(afterProfile, n).some((r) => !rules.has(r)) && wideningFor(before, n);
  });
  expected = [...new Set([...profileNames(join(env.out, 'after.json')).filter((n) => !had.has(n)), ...newValues])].sort();
  assert.ok(expected.includes('sysinfo'), `uptime's sysinfo is new (new: ${expected.join(' ')})`);
});

after(async () => {
  if (skip) return;
  await watcher?.stop();
  rmSync(PIN, { recursive: true, force: true });
  await stopAuditd();
  env.cleanup();
});

function variant(name: string, make: (p: ReturnType<typeof parseProfile>) => { profile: ReturnType<typeof parseProfile> }): string {
  const path = join(env.out, `${name}.json`);
  writeFileSync(path, serializeProfile(make(parseProfile(readFileSync(recorded, 'utf8'), recorded)).profile));
  return path;
}

test('complain mode: within 2 s, a proposal for the container and its profile with exactly the new syscalls', { skip }, async () => {
  const profile = variant('complain', complainProfile);
  const r = env.run('runc', { args: AFTER, profile, annotations: { 'io.seccomp-tailor.profile': profile } });
  assert.equal(r.status, 0, r.stderr);
  const t0 = Date.now();
  const p = await waitFor('the proposal', () => {
    const p = proposalFor(env.stateDir, r.id);
    return p && p.add.length >= expected.length ? p : undefined;
  }, 2000);
  const took = Date.now() - t0;
  assert.equal(p.profile.path, profile);
  assert.deepEqual(p.add.map((a) => a.syscall).sort(), expected);
  assert.ok(took <= 2000, `${took} ms after the container returned`);
});

test('KILL mode: the first new syscall kills the process; it is proposed for the right container', { skip }, async () => {
  const profile = variant('kill', (p) => enforceProfile(p, { mode: 'kill', runtimeSupportsFlags: false }));
  const r = env.run('runc', { args: AFTER, profile, annotations: { 'io.seccomp-tailor.profile': profile } });
  assert.notEqual(r.status, 0);
  const p = await waitFor('the proposal', () => proposalFor(env.stateDir, r.id), 2000);
  assert.equal(p.profile.path, profile);
  assert.equal(p.add.length, 1);
  assert.ok(expected.includes(p.add[0]!.syscall), `${p.add[0]!.syscall} is one of ${expected.join(' ')}`);
  assert.deepEqual(p.add[0]!.actions, ['kill_process']);
});
