// Issue 23: short-lived containers, each under its own profile file (complain variant), run back to
// back and ten at a time with real runc; the kernel recycles their namespace inodes and pids and
// `runc run` keeps its state directory for a few milliseconds only. Every proposal must name exactly
// its container with exactly the kernel's count of its records, and a watcher that catches up from
// audit.log after all of them are gone (a kill -9 before it wrote anything) must say the same.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/native/package-root.js';
import { auditdWatchSuite } from '../helpers/auditd-e2e.js';
import { auditRecords, makeBundle, startWatcher, waitFor, writeJson, type Watcher } from '../helpers/watch-e2e.js';
import { check, kernelCount, profileFor, script, unattributed, type Ran } from '../helpers/short-lived.js';

const suite = auditdWatchSuite('short-lived');
const { skip, tag } = suite;
let template: Record<string, any> | undefined;
function bundleFor(dir: string, i: number, profile: string): string {
  if (!template) {
    const t = makeBundle(join(suite.dir, 'template'), { args: ['true'] });
    template = JSON.parse(readFileSync(join(t, 'config.json'), 'utf8')) as Record<string, any>;
    template.root = { path: join(t, 'rootfs'), readonly: true };
  }
  mkdirSync(dir, { recursive: true });
  const c = structuredClone(template);
  c.process.args = ['sh', '-c', script(i)];
  c.linux.seccomp = JSON.parse(readFileSync(profile, 'utf8'));
  c.annotations = { 'io.seccomp-tailor.profile': profile };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(c));
  return dir;
}

function runOne(round: string, i: number): Promise<Ran> {
  const id = `stl-${round}-${i}-${tag}`;
  mkdirSync(join(suite.dir, 'profiles'), { recursive: true });
  const profile = writeJson(join(suite.dir, 'profiles', `${round}-${i}.json`), profileFor(i));
  const bundle = bundleFor(join(suite.dir, 'bundles', id), i, profile);
  const pidFile = join(bundle, 'pid');
  const from = Date.now() / 1000;
  return new Promise((resolve, reject) => {
    const p = spawn('runc', ['run', '--pid-file', pidFile, '--bundle', bundle, id], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d));
    p.on('exit', (status) => {
      spawnSync('runc', ['delete', '-f', id], { stdio: 'ignore' });
      if (status !== 0) return reject(new Error(`runc run ${id}: ${status} ${err}`));
      resolve({ id, profile, pid: Number(readFileSync(pidFile, 'utf8')), from, to: Date.now() / 1000 });
    });
  });
}

async function settled(stateDir: string, runs: Ran[], timeoutMs: number): Promise<string[]> {
  let last: ReturnType<typeof check> | undefined;
  await waitFor('every proposal exact', () => {
    last = check(stateDir, runs, auditRecords(() => true));
    // Done when every record is either in its own proposal or reported unattributed.
    return last.wrong.length === 0 && unattributed(stateDir) === last.expectedMissing;
  }, timeoutMs, 250).catch(() => undefined);
  return auditRecords(() => true);
}

let restartWatcher: Watcher | undefined;
const restartState = () => join(suite.dir, 'restart-state');
const restartPin = `/sys/fs/bpf/st-short-lived-restart-${tag}`;
const cli = join(packageRoot(), 'bin', 'seccomp-tailor');
after(async () => {
  await restartWatcher?.stop('SIGKILL');
  rmSync(restartPin, { recursive: true, force: true });
});

test('100 short-lived containers back to back, then 10 at a time, each under its own profile: every proposal names its container alone, with the kernel\'s count', {
  skip,
  timeout: 240_000,
}, async (t) => {
  // A second watcher that never writes (flush interval 10 min), killed after the runs: the restart.
  restartWatcher = await startWatcher(['--source', 'auditd', '--state-dir', restartState(), '--witness-pin', restartPin, '--flush-ms', '600000']);
  const runs: Ran[] = [];
  const t0 = Date.now();
  for (let i = 0; i < 100; i++) runs.push(await runOne('seq', i));
  const seqMs = Date.now() - t0;
  for (let b = 0; b < 10; b++) runs.push(...await Promise.all(Array.from({ length: 10 }, (_, j) => runOne('par', b * 10 + j))));
  t.diagnostic(`runc: 100 back to back ${seqMs} ms, 100 ten at a time ${Date.now() - t0 - seqMs} ms`);
  // Distinct pids per round (else grouping the log by pid and window would be unsound).
  const lines = await settled(suite.stateDir, runs, 20_000);
  const total = runs.reduce((n, r) => n + kernelCount(r, lines), 0);
  assert.ok(total >= 200 * 3, `the kernel logged the workloads (${total})`);
  const r = check(suite.stateDir, runs, lines);
  const u = unattributed(suite.stateDir);
  t.diagnostic(`records ${total}, proposals ${runs.length - r.missing.length}, unattributed ${u}`);
  for (const m of r.missing) t.diagnostic(`not attributed: ${JSON.stringify(m)}`);
  if (r.missing.length) t.diagnostic(`watcher warnings: ${JSON.stringify(suite.watcher!.lines().filter((l) => Number(l.level) >= 40))}`);
  assert.deepEqual(r.wrong, [], 'no proposal holds another container\'s denials or a wrong count');
  assert.equal(u, r.expectedMissing, `the records of containers without a proposal (${r.missing.map((m) => m.id).join(' ')}) are exactly those reported unattributed`);
  // A runc container whose workload lasts milliseconds has its state file for ~4 ms; on a loaded
  // machine discovery's worker can read it too late, and that container's records are reported
  // unattributed (asserted just above), never given to another. One CI run after the engine tests
  // missed 4 of 200; a bound of 5% still catches discovery failing as a rule.
  assert.ok(r.missing.length <= 10, `at most a few of 200 containers are not attributed (${r.missing.length})`);
  const list = spawnSync(process.execPath, [cli, 'proposals', 'list', '--state-dir', suite.stateDir], { encoding: 'utf8' });
  assert.equal(list.status, 0, list.stderr);
  if (u > 0) assert.match(list.stdout, new RegExp(`^${u} denials? could not be attributed`, 'm'));

  // The restart: killed before any write, caught up from the log long after every container is gone.
  await restartWatcher.stop('SIGKILL');
  const once = spawnSync(process.execPath, [cli, 'watch', '--once', '--source', 'auditd', '--profile-dir', suite.dir, '--state-dir', restartState(), '--witness-pin', restartPin], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(once.status, 0, once.stderr);
  const again = check(restartState(), runs, lines);
  assert.deepEqual(again.wrong, [], 'after the restart: no proposal holds another container\'s denials or a wrong count');
  assert.equal(unattributed(restartState()), again.expectedMissing);
  assert.ok(again.missing.length <= r.missing.length + 2, `after the restart, at most a stray container more is not attributed (${again.missing.length})`);
  rmSync(restartPin, { recursive: true, force: true });
});
