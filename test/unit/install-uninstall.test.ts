// `uninstall` undoes exactly what `install` did, per engine, from install's own record: files it
// created are removed, files it replaced are put back, daemon.json loses only our runtime entry
// (the admin's later edits stay), a file the admin changed since is left alone, and nothing else
// (profiles, proposals) is touched. Runs the real CLI against a private directory tree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packagePath } from '../../src/native/package-root.js';

const cli = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
  spawnSync(process.execPath, [packagePath('bin', 'seccomp-tailor'), ...args], { encoding: 'utf8', env });

function tree(): { dir: string; state: string; done: () => void } {
  const dir = mkdtempSync('/tmp/st-uninstall-');
  return { dir, state: join(dir, 'state'), done: () => rmSync(dir, { recursive: true, force: true }) };
}

const read = (p: string) => readFileSync(p, 'utf8');
const manifest = (state: string) => JSON.parse(read(join(state, 'installed.json'))) as { entries: unknown[] };

test('podman: uninstall removes the hooks.d file and hookd units it wrote, restores one it replaced, keeps profiles', () => {
  const t = tree();
  try {
    const hooks = join(t.dir, 'hooks.d');
    const units = join(t.dir, 'units');
    // An older hooks.d file of the admin's is there first: uninstall must put it back, byte for byte.
    mkdirSync(hooks);
    writeFileSync(join(hooks, 'seccomp-tailor.json'), '{"admin": "version"}\n');
    const profiles = join(t.state, 'profiles');
    mkdirSync(profiles, { recursive: true });
    writeFileSync(join(profiles, 'ls.json'), '{}');
    writeFileSync(join(t.state, 'some-proposal.json'), '{}');
    const args = ['--hooks-dir', hooks, '--systemd', 'yes', '--systemd-dir', units, '--state-dir', t.state];
    let r = cli(['install', ...args]);
    assert.equal(r.status, 0, r.stderr);
    // Twice: the second install must not make its own output the "previous" state.
    r = cli(['install', ...args]);
    assert.equal(r.status, 0, r.stderr);
    assert.notEqual(read(join(hooks, 'seccomp-tailor.json')), '{"admin": "version"}\n');
    assert.deepEqual(readdirSync(units).sort(), ['seccomp-tailor-hookd.service', 'seccomp-tailor-hookd.socket']);
    assert.equal(manifest(t.state).entries.length, 3);

    r = cli(['uninstall', '--engine', 'podman', '--state-dir', t.state]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(read(join(hooks, 'seccomp-tailor.json')), '{"admin": "version"}\n');
    assert.deepEqual(readdirSync(units), []);
    assert.equal(manifest(t.state).entries.length, 0);
    assert.equal(read(join(profiles, 'ls.json')), '{}');
    assert.ok(existsSync(join(t.state, 'some-proposal.json')));

    // Nothing left to undo: says so, succeeds.
    r = cli(['uninstall', '--engine', 'podman', '--state-dir', t.state]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /nothing installed for podman/);
  } finally {
    t.done();
  }
});

test('podman: a hooks.d file the admin changed after install is left alone', () => {
  const t = tree();
  try {
    const hooks = join(t.dir, 'hooks.d');
    assert.equal(cli(['install', '--hooks-dir', hooks, '--no-native', '--state-dir', t.state]).status, 0);
    writeFileSync(join(hooks, 'seccomp-tailor.json'), '{"changed": true}\n');
    const r = cli(['uninstall', '--all', '--state-dir', t.state]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /was changed since install: left as it is/);
    assert.equal(read(join(hooks, 'seccomp-tailor.json')), '{"changed": true}\n');
  } finally {
    t.done();
  }
});

test('docker: uninstall takes out only our runtime entry, keeps the admin\'s later edits, writes a backup', () => {
  const t = tree();
  try {
    const dj = join(t.dir, 'docker', 'daemon.json');
    mkdirSync(join(t.dir, 'docker'));
    writeFileSync(dj, JSON.stringify({ 'log-driver': 'journald', runtimes: { crun: { path: '/usr/bin/crun' }, 'st-record': { path: '/old/shim' } } }));
    let r = cli(['install', '--engine', 'docker', '--daemon-json', dj, '--state-dir', t.state]);
    assert.equal(r.status, 0, r.stderr);
    const installed = JSON.parse(read(dj)) as { runtimes: Record<string, { path: string }> };
    assert.equal(installed.runtimes['st-record']!.path, packagePath('build', 'runtime-shim', 'seccomp-tailor-runc'));
    // The admin edits daemon.json after install.
    writeFileSync(dj, JSON.stringify({ ...installed, debug: true }));
    r = cli(['uninstall', '--engine', 'docker', '--state-dir', t.state]);
    assert.equal(r.status, 0, r.stderr);
    // The entry it replaced comes back; everything else is the admin's, as they left it.
    assert.deepEqual(JSON.parse(read(dj)), { 'log-driver': 'journald', runtimes: { crun: { path: '/usr/bin/crun' }, 'st-record': { path: '/old/shim' } }, debug: true });
    const backups = readdirSync(join(t.dir, 'docker')).filter((f) => f.endsWith('.bak'));
    assert.equal(backups.length, 2, backups.join(' ')); // one by install, one by uninstall

    // No daemon.json before install: none after uninstall.
    const fresh = join(t.dir, 'fresh', 'daemon.json');
    assert.equal(cli(['install', '--engine', 'docker', '--daemon-json', fresh, '--state-dir', t.state]).status, 0);
    assert.ok(existsSync(fresh));
    assert.equal(cli(['uninstall', '--engine', 'docker', '--state-dir', t.state]).status, 0);
    assert.equal(existsSync(fresh), false);
  } finally {
    t.done();
  }
});

test('containerd: uninstall removes the shim settings it wrote; another engine\'s set-up stays', () => {
  const t = tree();
  try {
    const shimConfig = join(t.dir, 'runtime-shim.json');
    const hooks = join(t.dir, 'hooks.d');
    let r = cli(['install', '--engine', 'containerd', '--record-dir', '/var/lib/seccomp-tailor/profiles', '--shim-config', shimConfig, '--state-dir', t.state]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /BinaryName = /);
    assert.equal(cli(['install', '--hooks-dir', hooks, '--no-native', '--state-dir', t.state]).status, 0);
    r = cli(['uninstall', '--engine', 'containerd', '--state-dir', t.state]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(existsSync(shimConfig), false);
    assert.ok(existsSync(join(hooks, 'seccomp-tailor.json')), 'podman\'s hooks.d file is not containerd\'s to remove');
    assert.equal(manifest(t.state).entries.length, 1);
  } finally {
    t.done();
  }
});

test('uninstall: one of --engine or --all; a broken record is one line, no stack', () => {
  const t = tree();
  try {
    let r = cli(['uninstall', '--state-dir', t.state]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /name one --engine, or --all/);
    mkdirSync(t.state);
    writeFileSync(join(t.state, 'installed.json'), '{"version": 1, "entries": [{"kind": "file", "engine": "podman", "path": "relative"}]}');
    r = cli(['uninstall', '--all', '--state-dir', t.state]);
    assert.equal(r.status, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /installed\.json: not the record of what install did/);
  } finally {
    t.done();
  }
});
