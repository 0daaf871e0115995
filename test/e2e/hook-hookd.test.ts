// The hook's native entry with and without `seccomp-tailor hookd`: same profiles either way;
// the daemon only saves the Node start-ups, and its absence or death costs nothing but time.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { claimedSlots, isRoot, makeHookEnv, profileNames, runStateFiles, strayHookProcesses, type HookEnv } from '../helpers/hook-env.js';
import { ensureHookClient } from '../../src/record/hook/native-entry.js';
import { nativeHookCommand } from '../../src/oci/hooks-config.js';
import { parseHookRequest } from '../../src/record/hook/hookd.js';
import { packagePath } from '../../src/native/package-root.js';

test('hookd requests: parsed, and anything else refused', () => {
  const req = parseHookRequest(Buffer.from('seccomp-tailor-hook 1 42 2\n--config\0/x.json\0{"id":"a"}'));
  assert.deepEqual(req, { runtimePid: 42, argv: ['--runtime-pid', '42', '--config', '/x.json'], input: '{"id":"a"}' });
  assert.equal(parseHookRequest(Buffer.from('GET / HTTP/1.0\n\n')), undefined);
  assert.equal(parseHookRequest(Buffer.from('seccomp-tailor-hook 1 42 2\n--config\0')), undefined, 'an argument is missing');
});

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

  test('without hookd (killed): the native entry runs the Node hook itself', async () => {
    await stopDaemon();
    const out = join(env.out, 'fallback.json');
    const r = await env.runAsync('runc', { args: ['ls', '/'], trace: `of:${out}`, hooks });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(existsSync(out));
    assert.deepEqual(profileNames(out), profileNames(join(env.out, 'node.json')));
  });
});
