// podman (with runc) records the profile file in the annotation io.podman.annotations.seccomp; the
// watcher discovers the container from runc's state and proposes against that file.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { ensureAuditd, isRoot, makeBundle, profileDenying, proposals, startWatcher, tmp, waitFor, writeJson, type Watcher } from '../helpers/watch-e2e.js';

const hasPodman = spawnSync('podman', ['--version'], { stdio: 'ignore' }).status === 0;
const skip = !isRoot ? 'needs root' : !hasPodman ? 'podman is not installed' : false;
const tag = `${process.pid}`;
const PIN = `/sys/fs/bpf/st-watch-podman-${tag}`;
const IMAGE = `localhost/st-watch-busybox-${tag}`;
const PODMAN = ['--runtime', 'runc', '--cgroup-manager', 'cgroupfs'];
let stopAuditd: () => Promise<void> = async () => {};
let watcher: Watcher | undefined;
let dir = '';

before(async () => {
  if (skip) return;
  stopAuditd = await ensureAuditd();
  dir = tmp('podman');
  // An image from the busybox rootfs, imported offline.
  makeBundle(join(dir, 'b'), { args: ['true'] });
  const tar = spawnSync('tar', ['-C', join(dir, 'b', 'rootfs'), '-cf', join(dir, 'rootfs.tar'), '.']);
  assert.equal(tar.status, 0);
  const imp = spawnSync('podman', ['import', join(dir, 'rootfs.tar'), IMAGE], { encoding: 'utf8' });
  assert.equal(imp.status, 0, imp.stderr);
  watcher = await startWatcher(['--source', 'auditd', '--state-dir', join(dir, 'state'), '--witness-pin', PIN]);
});

after(async () => {
  if (skip) return;
  await watcher?.stop();
  spawnSync('podman', ['rmi', '-f', IMAGE], { stdio: 'ignore' });
  rmSync(PIN, { recursive: true, force: true });
  await stopAuditd();
  rmSync(dir, { recursive: true, force: true });
});

test('podman --security-opt seccomp=FILE: the proposal names the container and FILE', { skip }, async () => {
  const profile = writeJson(join(dir, 'complain.json'), profileDenying(['sysinfo', 'sync'], 'SCMP_ACT_LOG'));
  const r = spawnSync('podman', [...PODMAN, 'run', '-d', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024',
    '--security-opt', `seccomp=${profile}`, IMAGE, 'sh', '-c', 'sleep 0.3; uptime; sleep 0.2'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const id = r.stdout.trim();
  try {
    spawnSync('podman', ['wait', id], { stdio: 'ignore' });
    const p = await waitFor('the podman container\'s proposal', () => proposals(join(dir, 'state')).find((x) => x.container.id === id), 2000);
    assert.equal(p.profile.path, profile);
    assert.deepEqual(p.add.map((a) => a.syscall), ['sysinfo']);
  } finally {
    spawnSync('podman', ['rm', '-f', id], { stdio: 'ignore' });
  }
});
