// The user flow with podman: hooks.d from `hooks-config`, a busybox image from
// `podman import`, the same annotation and --security-opt commands a user types.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { claimedSlots, isRoot, makeHookEnv, profileNames, runStateFiles, strayHookProcesses, type HookEnv } from '../helpers/hook-env.js';
import { makeRootfs } from '../helpers/oci-bundle.js';
import { hookCommand, hooksDJson } from '../../src/oci/hooks-config.js';

const hasPodman = spawnSync('podman', ['--version']).status === 0;
const skip = !isRoot ? 'needs root (eBPF, podman)' : !hasPodman ? 'podman is not installed' : false;
const IMAGE = 'localhost/seccomp-tailor-e2e-busybox:latest';

describe('podman: record, enforce, extend with if:', { skip }, () => {
  let env: HookEnv;
  let hooksDir: string;
  let slotsBefore: number[];
  const podman = (args: string[]) => {
    const t0 = Date.now();
    const r = spawnSync('podman', ['--runtime', 'runc', '--cgroup-manager', 'cgroupfs', '--hooks-dir', hooksDir,
      'run', '--rm', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024', ...args], { encoding: 'utf8', timeout: 120_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t0 };
  };

  before(async () => {
    env = makeHookEnv('podman');
    hooksDir = join(env.work, 'hooks.d');
    mkdirSync(hooksDir);
    writeFileSync(join(hooksDir, 'seccomp-tailor.json'), JSON.stringify(hooksDJson(hookCommand(env.configPath))));
    makeRootfs(join(env.work, 'image'));
    const tar = join(env.work, 'busybox.tar');
    assert.equal(spawnSync('tar', ['-C', join(env.work, 'image', 'rootfs'), '-cf', tar, '.']).status, 0);
    const imp = spawnSync('podman', ['import', tar, IMAGE], { encoding: 'utf8' });
    assert.equal(imp.status, 0, imp.stderr);
    slotsBefore = await claimedSlots();
  });
  after(async () => {
    try {
      spawnSync('podman', ['rmi', '-f', IMAGE]);
      assert.deepEqual(runStateFiles(env), []);
      assert.deepEqual(await claimedSlots(), slotsBefore, 'no tracer slot leaked');
      assert.deepEqual(strayHookProcesses(), []);
    } finally {
      env.cleanup();
    }
  });

  const ls = () => join(env.out, 'ls.json');
  const lsm = () => join(env.out, 'lsm.json');

  test('podman run --annotation io.containers.trace-syscall=of:... ls /: profile exists when podman returns', () => {
    const r = podman(['--annotation', `io.containers.trace-syscall=of:${ls()}`, IMAGE, 'ls', '/']);
    assert.equal(r.status, 0, r.stderr);
    // podman runs poststop hooks itself, after the runtime deleted the container and before
    // `podman run` returns (measured: a 2 s poststop delays podman run by 2 s).
    assert.ok(existsSync(ls()), 'written before podman run returned');
    const names = profileNames(ls());
    assert.ok(names.includes('getdents64') && names.includes('execve'));
    for (const n of ['mount', 'pivot_root', 'sethostname']) assert.ok(!names.includes(n), `${n} is runtime set-up`);
  });

  test('podman run --security-opt seccomp=ls.json ls / works', () => {
    const r = podman(['--security-opt', `seccomp=${ls()}`, IMAGE, 'ls', '/']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /\bbin\b/);
  });

  test('a step that needs more fails: Operation not permitted', () => {
    const r = podman(['--security-opt', `seccomp=${ls()}`, IMAGE, 'mkdir', '/tmp/d']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr + r.stdout, /Operation not permitted/);
  });

  test('if:ls.json;of:lsm.json records the new step on top; it then works', () => {
    const r = podman(['--annotation', `io.containers.trace-syscall=if:${ls()};of:${lsm()}`, IMAGE, 'mkdir', '/tmp/d']);
    assert.equal(r.status, 0, r.stderr);
    for (const args of [['mkdir', '/tmp/d'], ['ls', '/']]) {
      const u = podman(['--security-opt', `seccomp=${lsm()}`, IMAGE, ...args]);
      assert.equal(u.status, 0, `${args.join(' ')}: ${u.stderr}`);
    }
  });

  test('the profile recorded with podman also runs with no-new-privileges', () => {
    const r = podman(['--security-opt', `seccomp=${lsm()}`, '--security-opt', 'no-new-privileges', IMAGE, 'ls', '/']);
    assert.equal(r.status, 0, r.stderr);
  });

  test('the container is registered for the watcher, then marked stopped', async () => {
    const { readRegistry } = await import('../../src/state/registry.js');
    const entries = readRegistry(env.stateDir);
    assert.ok(entries.length >= 2, `entries: ${entries.length}`);
    for (const e of entries) {
      assert.equal(e.runtime, 'podman');
      assert.equal(e.source, 'hook');
      assert.ok(e.stoppedAt, 'stopped');
      assert.ok(e.mntNs && e.pidNs && e.cgroup);
    }
  });
});
