// `install --engine docker|containerd`: the runtime entry is merged into an admin's daemon.json
// without losing a key, a broken file is never overwritten, and the containerd stanza names the shim.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { containerdStanza, mergeDaemonJson } from '../../src/oci/engine-config.js';
import { packagePath } from '../../src/native/package-root.js';

const r = { name: 'st-record', shimPath: '/opt/st/seccomp-tailor-runc', recordDir: '/var/lib/seccomp-tailor/profiles' };

test('daemon.json: other keys and runtimes are kept, ours is added or replaced', () => {
  const existing = JSON.stringify({ 'log-driver': 'journald', runtimes: { nvidia: { path: 'nvidia-container-runtime' } }, 'storage-driver': 'overlay2' });
  const m = mergeDaemonJson(existing, r, 'daemon.json');
  const doc = JSON.parse(m.text);
  assert.equal(m.replaced, false);
  assert.equal(doc['log-driver'], 'journald');
  assert.equal(doc['storage-driver'], 'overlay2');
  assert.deepEqual(doc.runtimes.nvidia, { path: 'nvidia-container-runtime' });
  assert.deepEqual(doc.runtimes['st-record'], { path: r.shimPath, runtimeArgs: ['--record-dir', r.recordDir] });
  const again = mergeDaemonJson(m.text, { ...r, recordDir: '/srv/p' }, 'daemon.json');
  assert.equal(again.replaced, true);
  assert.deepEqual(JSON.parse(again.text).runtimes['st-record'].runtimeArgs, ['--record-dir', '/srv/p']);
  assert.deepEqual(Object.keys(JSON.parse(mergeDaemonJson(undefined, r, 'x').text)), ['runtimes']);
  assert.deepEqual(Object.keys(JSON.parse(mergeDaemonJson('', r, 'x').text)), ['runtimes']);
});

test('daemon.json that is broken is refused with one line, never overwritten', () => {
  for (const bad of ['{"runtimes": ', '[]', '{"runtimes": []}', '"x"']) {
    assert.throws(() => mergeDaemonJson(bad, r, '/etc/docker/daemon.json'), (e: Error & { code?: string }) => e.code === 'INSTALL_BAD_DAEMON_JSON' && !e.message.includes('\n'));
  }
});

test('containerd: the stanza is a CRI runc.v2 runtime with BinaryName and the annotation allow-list', () => {
  const s = containerdStanza(r);
  assert.match(s, /^\[plugins\."io\.containerd\.grpc\.v1\.cri"\.containerd\.runtimes\."st-record"\]$/m);
  assert.match(s, /runtime_type = "io\.containerd\.runc\.v2"/);
  assert.match(s, /pod_annotations = \["io\.containers\.trace-syscall", "io\.seccomp-tailor\.shadow"\]/);
  assert.match(s, /\[plugins\."io\.containerd\.grpc\.v1\.cri"\.containerd\.runtimes\."st-record"\.options\]\n  BinaryName = "\/opt\/st\/seccomp-tailor-runc"/);
});

const shimBuilt = existsSync(packagePath('build', 'runtime-shim', 'seccomp-tailor-runc'));
test('install --engine docker --daemon-json FILE: merged atomically, a backup of the old file, how to reload', { skip: shimBuilt ? false : 'the shim is not built' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'st-install-'));
  try {
    const path = join(dir, 'daemon.json');
    writeFileSync(path, JSON.stringify({ debug: true }), { mode: 0o600 });
    const cli = (args: string[]) => spawnSync(process.execPath, [packagePath('bin', 'seccomp-tailor'), 'install', ...args], { encoding: 'utf8' });
    const ok = cli(['--engine', 'docker', '--daemon-json', path, '--record-dir', '/srv/profiles']);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stderr, /systemctl reload docker/);
    const doc = JSON.parse(readFileSync(path, 'utf8'));
    assert.equal(doc.debug, true);
    assert.equal(doc.runtimes['st-record'].path, packagePath('build', 'runtime-shim', 'seccomp-tailor-runc'));
    assert.equal(statSync(path).mode & 0o777, 0o600, 'the file keeps its mode');
    const backups = readdirSync(dir).filter((f) => f.endsWith('.bak'));
    assert.equal(backups.length, 1);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, backups[0]!), 'utf8')), { debug: true });
    writeFileSync(path, '{ broken');
    const bad = cli(['--engine', 'docker', '--daemon-json', path]);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /INSTALL_BAD_DAEMON_JSON|not JSON/);
    assert.equal(readFileSync(path, 'utf8'), '{ broken', 'left as it was');
    const ctd = cli(['--engine', 'containerd']);
    assert.equal(ctd.status, 0, ctd.stderr);
    assert.match(ctd.stdout, /BinaryName/);
    assert.match(ctd.stderr, /systemctl restart containerd/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
