import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { entryFromState, parseCrunStatus, parseRuncState } from '../../src/watch/discovery.js';
import { WatchMetrics } from '../../src/watch/metrics.js';
import { forgetStopped, readRegistry, readRegistryEntry, registerContainer, unregisterContainer, type RegistryEntry } from '../../src/state/registry.js';
import { startTicksFromStat } from '../../src/proc/stat.js';

const base = (id: string): RegistryEntry => ({ id, runtime: 'runc', initPid: 42, initStartTime: 1000, registeredAt: new Date().toISOString(), profilePath: '/etc/p.json' });

test('register, unregister (kept for a grace period), forget', () => {
  const dir = mkdtempSync(join(tmpdir(), 'st-reg-'));
  registerContainer(dir, base('a'));
  registerContainer(dir, base('b'));
  assert.deepEqual(readRegistry(dir).map((e) => e.id).sort(), ['a', 'b']);
  assert.equal(unregisterContainer(dir, 'a', new Date(Date.now() - 60_000)), true);
  assert.ok(readRegistryEntry(dir, 'a')?.stoppedAt);
  assert.equal(unregisterContainer(dir, 'nope'), false);
  assert.deepEqual(forgetStopped(dir, 30_000), ['a']);
  assert.deepEqual(readRegistry(dir).map((e) => e.id), ['b']);
  rmSync(dir, { recursive: true });
});

test('ids that are not file names are refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'st-reg-'));
  assert.throws(() => registerContainer(dir, base('../etc/passwd')), /not a valid registry entry/);
  assert.throws(() => registerContainer(dir, base('.hidden')), /not a valid registry entry/);
  assert.equal(readRegistryEntry(dir, '../x'), undefined);
  rmSync(dir, { recursive: true });
});

test('runc state.json: pid, start time, bundle and annotations from its labels', () => {
  const st = parseRuncState('c1', JSON.stringify({
    id: 'c1', init_process_pid: 4701, init_process_start: 111956,
    config: { labels: ['io.seccomp-tailor.profile=/etc/p.json', 'bundle=/run/b', 'odd'] },
  }))!;
  assert.deepEqual(st, { id: 'c1', pid: 4701, startTicks: 111956, bundle: '/run/b', annotations: { 'io.seccomp-tailor.profile': '/etc/p.json' } });
  assert.equal(parseRuncState('c1', '{}'), undefined);
});

test('crun status: pid, start time, bundle', () => {
  assert.deepEqual(parseCrunStatus('c2', JSON.stringify({ pid: 9, 'process-start-time': 77, bundle: '/b', rootfs: '/b/rootfs' })), { id: 'c2', pid: 9, startTicks: 77, bundle: '/b', annotations: {} });
});

test('a discovered container: namespaces from /proc, profile from podman\'s annotation, else the embedded one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'st-disc-'));
  const me = startTicksFromStat(readFileSync('/proc/self/stat', 'utf8'))!;
  mkdirSync(join(dir, 'b'));
  writeFileSync(join(dir, 'b', 'config.json'), JSON.stringify({
    annotations: { 'io.podman.annotations.seccomp': '/etc/containers/x.json', 'io.kubernetes.cri-o.ImageName': 'docker.io/library/nginx:1' },
    linux: { seccomp: { defaultAction: 'SCMP_ACT_LOG' } },
  }));
  const e = entryFromState('runc', { id: 'c3', pid: process.pid, startTicks: me, bundle: join(dir, 'b'), annotations: {} })!;
  assert.equal(e.profilePath, '/etc/containers/x.json');
  assert.equal(e.image, 'docker.io/library/nginx:1');
  assert.ok(e.pidNs && e.mntNs);
  writeFileSync(join(dir, 'b', 'config.json'), JSON.stringify({ annotations: { 'io.podman.annotations.seccomp': 'unconfined' }, linux: { seccomp: { defaultAction: 'SCMP_ACT_LOG' } } }));
  const e2 = entryFromState('runc', { id: 'c3', pid: process.pid, startTicks: me, bundle: join(dir, 'b'), annotations: {} })!;
  assert.equal(e2.profilePath, undefined);
  assert.deepEqual(e2.profile, { defaultAction: 'SCMP_ACT_LOG' });
  // A process that is not the runtime's (start time differs: pid reused) is not taken.
  assert.equal(entryFromState('runc', { id: 'c3', pid: process.pid, startTicks: me + 1, annotations: {} }), undefined);
  // Gone, but witnessed as it exited.
  const w = entryFromState('runc', { id: 'c4', pid: 999_999_999, startTicks: 5, annotations: {} }, () => ({ startTicks: 5, mntNs: 11, pidNs: 12 }))!;
  assert.deepEqual([w.mntNs, w.pidNs], [11, 12]);
  rmSync(dir, { recursive: true });
});

const get = (port: number, path: string) => new Promise<{ status: number; body: string }>((resolve, reject) => {
  request({ host: '127.0.0.1', port, path }, (res) => {
    let body = '';
    res.setEncoding('utf8').on('data', (d: string) => { body += d; }).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
  }).on('error', reject).end();
});

test('metrics: /metrics in Prometheus text, /healthz', async () => {
  const m = new WatchMetrics();
  const { port } = await m.listen('127.0.0.1:0');
  m.events.inc({ action: 'kill_process', container: 'c1' });
  m.parseIssues.inc({ kind: 'truncated' });
  const r = await get(port, '/metrics');
  assert.equal(r.status, 200);
  assert.match(r.body, /seccomp_tailor_watch_events_total\{action="kill_process",container="c1"\} 1/);
  assert.match(r.body, /seccomp_tailor_watch_parse_issues_total\{kind="truncated"\} 1/);
  assert.equal((await get(port, '/healthz')).status, 200);
  m.healthy = false;
  assert.equal((await get(port, '/healthz')).status, 503);
  assert.equal((await get(port, '/nope')).status, 404);
  await m.close();
  await assert.rejects(new WatchMetrics().listen('not an address'), /expected PORT or HOST:PORT/);
});
