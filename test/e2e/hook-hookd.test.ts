// The hook's native entry with and without `seccomp-tailor hookd`: same profiles either way;
// the daemon only saves the Node start-ups, and its absence or death costs nothing but time.
// Without one the entry starts one itself (one per socket, however many hooks race), which exits
// when idle.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { claimedSlots, isRoot, makeHookEnv, profileNames, runStateFiles, strayHookProcesses, type HookEnv } from '../helpers/hook-env.js';
import { ensureHookClient, startedHookdPid } from '../../src/record/hook/native-entry.js';
import { nativeHookCommand } from '../../src/oci/hooks-config.js';
import { packagePath } from '../../src/native/package-root.js';

describe('native hook entry + hookd (runc)', { skip: isRoot ? false : 'needs root (eBPF, runc)' }, () => {
  let env: HookEnv;
  let sockDir: string;
  let daemon: ChildProcess | undefined;
  let daemonLog = '';
  let slotsBefore: number[];
  let hooks: { prestart: unknown[]; poststop: unknown[] };

  const startDaemon = async () => {
    daemonLog = '';
    daemon = spawn(packagePath('bin', 'seccomp-tailor'), ['hookd', '--verbose', '--socket', join(sockDir, 'hookd.sock')], { stdio: ['ignore', 'ignore', 'pipe'] });
    daemon.stderr!.on('data', (d: Buffer) => (daemonLog += d));
    const deadline = Date.now() + 10_000;
    while (!daemonLog.includes('listening') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.match(daemonLog, /listening/);
  };
  const stopDaemon = async () => {
    if (!daemon || daemon.exitCode !== null || daemon.signalCode !== null) return;
    const exited = new Promise((r) => daemon!.once('exit', r));
    daemon.kill('SIGKILL');
    await exited;
  };

  before(async () => {
    env = makeHookEnv('hookd');
    sockDir = join(env.work, 'hookd');
    mkdirSync(sockDir);
    chmodSync(sockDir, 0o700);
    const client = ensureHookClient();
    const cmd = nativeHookCommand(client, env.configPath, join(sockDir, 'hookd.sock'));
    hooks = { prestart: [cmd], poststop: [cmd] };
    slotsBefore = await claimedSlots();
  });
  after(async () => {
    try {
      await stopDaemon();
      assert.deepEqual(runStateFiles(env), []);
      assert.deepEqual(await claimedSlots(), slotsBefore);
      assert.deepEqual(strayHookProcesses(), []);
    } finally {
      env.cleanup();
    }
  });

  test('with hookd: recorded by the daemon, same profile as the Node hook', async () => {
    await startDaemon();
    const viaDaemon = join(env.out, 'daemon.json');
    const r = await env.runAsync('runc', { args: ['ls', '/'], trace: `of:${viaDaemon}`, hooks });
    assert.equal(r.status, 0, r.stderr);
    assert.equal((daemonLog.match(/exit 0 in/g) ?? []).length, 2, `prestart and poststop served by hookd: ${daemonLog}`);
    const viaNode = join(env.out, 'node.json');
    assert.equal(env.run('runc', { args: ['ls', '/'], trace: `of:${viaNode}` }).status, 0);
    assert.deepEqual(profileNames(viaDaemon), profileNames(viaNode));
    assert.equal(env.run('runc', { args: ['ls', '/'], profile: viaDaemon }).status, 0, 'and it enforces');
  });

  test('hookd refuses a socket directory others can enter', async () => {
    chmodSync(sockDir, 0o755);
    try {
      const p = spawn(packagePath('bin', 'seccomp-tailor'), ['hookd', '--socket', join(sockDir, 'other.sock')], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      p.stderr!.on('data', (d: Buffer) => (err += d));
      const code = await new Promise((r) => p.once('exit', r));
      assert.notEqual(code, 0);
      assert.match(err, /0700/);
    } finally {
      chmodSync(sockDir, 0o700);
    }
  });

  test('without hookd (killed) and not allowed to start one: the native entry runs the Node hook itself', async () => {
    await stopDaemon();
    const out = join(env.out, 'fallback.json');
    const noStart = nativeHookCommand(ensureHookClient(), env.configPath, join(sockDir, 'hookd.sock'), ['SECCOMP_TAILOR_HOOKD_AUTOSTART=0']);
    const r = await env.runAsync('runc', { args: ['ls', '/'], trace: `of:${out}`, hooks: { prestart: [noStart], poststop: [noStart] } });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(existsSync(out));
    assert.deepEqual(profileNames(out), profileNames(join(env.out, 'node.json')));
  });

  const hookdsFor = (socket: string) => readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      const argv = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      return argv.some((a) => a.endsWith('seccomp-tailor-hookd')) && argv.includes(socket);
    } catch {
      return false;
    }
  }).map(Number);

  test('no hookd: the native entry starts one (root-only dir, one for racing hooks), which serves the rest and exits when idle', async () => {
    const socket = join(env.work, 'auto', 'run', 'hookd.sock');
    const cmd = nativeHookCommand(ensureHookClient(), env.configPath, socket, ['SECCOMP_TAILOR_HOOKD_IDLE=2']);
    const autoHooks = { prestart: [cmd], poststop: [cmd] };
    mkdirSync(join(env.work, 'auto'));
    try {
      // Three containers at once: their prestart hooks race to start the daemon.
      const outs = [1, 2, 3].map((i) => join(env.out, `auto-${i}.json`));
      const runs = await Promise.all(outs.map((o) => env.runAsync('runc', { args: ['ls', '/'], trace: `of:${o}`, hooks: autoHooks })));
      for (const r of runs) assert.equal(r.status, 0, r.stderr);
      for (const o of outs) assert.deepEqual(profileNames(o), profileNames(join(env.out, 'node.json')));
      const daemons = hookdsFor(socket);
      assert.equal(daemons.length, 1, 'one daemon for the socket');
      assert.equal(startedHookdPid(socket), daemons[0], 'it holds the start lock and wrote its pid there');
      const dir = statSync(join(env.work, 'auto', 'run'));
      assert.equal(dir.mode & 0o777, 0o700, 'the socket directory is created root-only');
      assert.equal(statSync(socket).mode & 0o777, 0o600);
      // Its standard error goes to a file beside the socket, never into the runtime's pipes.
      assert.match(readFileSync(join(env.work, 'auto', 'run', 'hookd.log'), 'utf8'), /^seccomp-tailor-hookd: listening on /);
      // Idle for 2 s (checked every second): it exits and takes its socket away.
      const deadline = Date.now() + 15_000;
      while (hookdsFor(socket).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(hookdsFor(socket), [], 'exited when idle');
      assert.equal(existsSync(socket), false);
      // kill -9 frees the lock too: the next container starts a new daemon.
      assert.equal((await env.runAsync('runc', { args: ['true'], trace: `of:${join(env.out, 'auto-4.json')}`, hooks: autoHooks })).status, 0);
      const [again] = hookdsFor(socket);
      assert.ok(again, 'started again');
      process.kill(again, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 100));
      const r5 = await env.runAsync('runc', { args: ['true'], trace: `of:${join(env.out, 'auto-5.json')}`, hooks: autoHooks });
      assert.equal(r5.status, 0, r5.stderr);
      assert.equal(hookdsFor(socket).length, 1, 'a new one after kill -9');
    } finally {
      for (const pid of hookdsFor(socket)) process.kill(pid, 'SIGKILL');
    }
  });

  test('a hookd in another mount namespace is not used (it would resolve paths in its own view): the entry runs the Node hook', async () => {
    const socket = join(sockDir, 'foreign.sock');
    // Same socket directory, so connect() succeeds; only the peer's namespaces differ.
    const foreign = spawn('unshare', ['-m', '--propagation', 'private', process.execPath, packagePath('bin', 'seccomp-tailor-hookd'), '--verbose', '--socket', socket], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    foreign.stderr!.on('data', (d: Buffer) => (log += d));
    try {
      const deadline = Date.now() + 10_000;
      while (!log.includes('listening') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.match(log, /listening/);
      const cmd = nativeHookCommand(ensureHookClient(), env.configPath, socket);
      const out = join(env.out, 'foreign.json');
      const r = await env.runAsync('runc', { args: ['ls', '/'], trace: `of:${out}`, hooks: { prestart: [cmd], poststop: [cmd] } });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(profileNames(out), profileNames(join(env.out, 'node.json')), 'recorded by the Node hook');
      assert.doesNotMatch(log, /exit \d+ in/, 'the foreign daemon served nothing');
      assert.deepEqual(hookdsFor(socket).filter((p) => p !== foreign.pid), [], 'and no second daemon was started for it');
    } finally {
      foreign.kill('SIGKILL');
      await new Promise((r) => foreign.once('exit', r));
    }
  });
});
