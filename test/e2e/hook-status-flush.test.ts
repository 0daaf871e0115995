// A long-running traced container: `status` shows it from the pinned maps, `flush` writes the
// profile so far while it runs, poststop the final one. No resident process at any point.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { claimedSlots, isRoot, makeHookEnv, profileNames, runStateFiles, strayHookProcesses, type HookEnv } from '../helpers/hook-env.js';
import { packagePath } from '../../src/native/package-root.js';

const cli = (args: string[]) => spawnSync(packagePath('bin', 'seccomp-tailor'), args, { encoding: 'utf8' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('status and flush of a running traced container', { skip: isRoot ? false : 'needs root (eBPF, runc)' }, () => {
  let env: HookEnv;
  before(() => {
    env = makeHookEnv('status');
  });
  after(() => env.cleanup());

  test('status lists it, flush writes the profile so far, poststop the final one', async () => {
    const out = join(env.out, 'svc.json');
    // The late call waits for a file the test creates after flushing (the rootfs is the bundle's
    // directory, bind-mounted), not for a fixed delay a loaded machine can overrun.
    const id = `st-status-${process.pid}-late`;
    const go = join(env.work, 'bundles', id, 'rootfs', 'etc', 'go');
    const run = env.runAsync('runc', { id, args: ['sh', '-c', 'ls / >/dev/null; while [ ! -e /etc/go ]; do sleep 0.05; done; mkdir /tmp/late'], trace: `of:${out}` });
    const deadline = Date.now() + 10_000;
    while (runStateFiles(env).length === 0 && Date.now() < deadline) await sleep(20);
    await sleep(500);
    assert.deepEqual(strayHookProcesses(), [], 'nothing of ours runs while the container does');

    const st = cli(['status', '--json', '--config', env.configPath]);
    assert.equal(st.status, 0, st.stderr);
    const [row] = st.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; workloadSyscalls: number; liveTasks: number; lastNewAt?: string; output: string });
    assert.ok(row, 'one traced container');
    assert.equal(row.output, out);
    assert.ok(row.workloadSyscalls > 5, `syscalls so far: ${row.workloadSyscalls}`);
    assert.ok(row.liveTasks >= 1, `live tasks: ${row.liveTasks}`);
    assert.ok(row.lastNewAt && Math.abs(Date.now() - Date.parse(row.lastNewAt)) < 10_000, `last new at ${row.lastNewAt}`);
    assert.match(cli(['status', '--config', env.configPath]).stdout, /SYSCALLS/);

    const fl = cli(['flush', row.id, '--config', env.configPath]);
    assert.equal(fl.status, 0, fl.stderr);
    const soFar = profileNames(out);
    assert.ok(soFar.includes('getdents64'), 'ls / is in the flushed profile');
    assert.ok(!soFar.includes('mkdir'), 'what has not happened yet is not');
    rmSync(out);
    writeFileSync(go, '');

    const r = await run;
    assert.equal(r.status, 0, r.stderr);
    assert.ok(existsSync(out));
    assert.ok(profileNames(out).includes('mkdir'), 'the final profile has the late call');
    assert.equal(cli(['status', '--config', env.configPath]).stdout.trim(), 'no container is being traced');
    assert.notEqual(cli(['flush', row.id, '--config', env.configPath]).status, 0, 'flushing a finished container is an error');
  });

  test('a container whose poststop never ran is shown as orphaned and finished by flush --all', async () => {
    const slotsBefore = await claimedSlots();
    const out = join(env.out, 'orphan.json');
    // Only prestart: as if the runtime died before its destroy path.
    const r = env.run('runc', { args: ['ls', '/'], trace: `of:${out}`, hooks: { prestart: [env.hookEntry] } });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!existsSync(out));
    const [row] = cli(['status', '--json', '--config', env.configPath]).stdout.trim().split('\n').map((l) => JSON.parse(l) as { orphaned?: boolean });
    assert.equal(row?.orphaned, true);
    const fl = cli(['flush', '--all', '--config', env.configPath]);
    assert.equal(fl.status, 0, fl.stderr);
    assert.match(fl.stdout, /recording finished/);
    assert.ok(profileNames(out).includes('getdents64'));
    assert.deepEqual(runStateFiles(env), []);
    assert.deepEqual(await claimedSlots(), slotsBefore, 'its slot was released');
  });

  test('a reused container id discards the unfinished recording of the earlier one', async () => {
    const slotsBefore = await claimedSlots();
    const out = join(env.out, 'reuse.json');
    const id = `st-reuse-${process.pid}`;
    assert.equal(env.run('runc', { id, args: ['true'], trace: `of:${out}`, hooks: { prestart: [env.hookEntry] } }).status, 0);
    assert.equal((await claimedSlots()).length, slotsBefore.length + 1);
    assert.equal(env.run('runc', { id, args: ['true'], trace: `of:${out}` }).status, 0);
    assert.deepEqual(await claimedSlots(), slotsBefore, 'both slots free');
    assert.ok(existsSync(out));
  });
});
