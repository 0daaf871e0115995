// `install` gives the fast path by default: hooks.d names the native entry, and with systemd the
// socket-activated hookd units are written with this installation's paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { packagePath } from '../../src/native/package-root.js';
import { hookClientPath } from '../../src/record/hook/native-entry.js';

const cli = (args: string[]) => spawnSync(process.execPath, [packagePath('bin', 'seccomp-tailor'), ...args], { encoding: 'utf8' });

test('install: the native entry in hooks.d, and hookd units where asked for systemd', () => {
  const dir = mkdtempSync('/tmp/st-install-');
  try {
    const r = cli(['install', '--hooks-dir', join(dir, 'hooks.d'), '--systemd', 'yes', '--systemd-dir', join(dir, 'units'), '--state-dir', join(dir, 'state')]);
    assert.equal(r.status, 0, r.stderr);
    const hook = JSON.parse(readFileSync(join(dir, 'hooks.d', 'seccomp-tailor.json'), 'utf8')) as { hook: { path: string } };
    assert.equal(hook.hook.path, hookClientPath());
    const socket = readFileSync(join(dir, 'units', 'seccomp-tailor-hookd.socket'), 'utf8');
    assert.match(socket, /^ListenStream=\/run\/seccomp-tailor\/hookd\.sock$/m);
    assert.match(socket, /^SocketMode=0600$/m);
    const service = readFileSync(join(dir, 'units', 'seccomp-tailor-hookd.service'), 'utf8');
    assert.ok(service.includes(`ExecStart=${process.execPath} ${packagePath('bin', 'seccomp-tailor-hookd')} --idle-exit 600`), service);
    assert.doesNotMatch(service, /@[A-Z]+@/);
    // Not PID 1's units directory: says how to enable them instead of running systemctl.
    assert.match(r.stderr, /systemctl daemon-reload && systemctl enable --now seccomp-tailor-hookd\.socket/);

    const plain = cli(['install', '--hooks-dir', join(dir, 'plain'), '--no-native', '--systemd', 'no', '--state-dir', join(dir, 'state')]);
    assert.equal(plain.status, 0, plain.stderr);
    assert.equal((JSON.parse(readFileSync(join(dir, 'plain', 'seccomp-tailor.json'), 'utf8')) as { hook: { path: string } }).hook.path, process.execPath);
    assert.equal(existsSync(join(dir, 'plain', 'seccomp-tailor-hookd.socket')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
