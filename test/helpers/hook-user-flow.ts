// The user flow on a bare OCI runtime (the hook in config.json, a busybox container), and
// the other recording guarantees; shared by the runc and crun e2e tests.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertNothingLeft, claimedSlots, isRoot, makeHookEnv, profileNames, type HookEnv, type Runtime } from './hook-env.js';
import { loadRuntimeNeedsTables } from '../../src/record/runtime-needs.js';
import { hookCommand, runcHooksJson } from '../../src/oci/hooks-config.js';

const skip = isRoot ? false : 'needs root (eBPF, runc)';

export function userFlow(runtime: Runtime): void {
  describe(`${runtime}: record, enforce, extend with if:`, { skip }, () => {
    let env: HookEnv;
    let slotsBefore: number[];
    before(async () => {
      env = makeHookEnv(`${runtime}-flow`);
      slotsBefore = await claimedSlots();
    });
    after(() => assertNothingLeft(env, slotsBefore));

    test('record ls /: the profile exists when the runtime returns', () => {
      const r = env.run(runtime, { args: ['ls', '/'], trace: `of:${join(env.out, 'ls.json')}` });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /\bbin\b/);
      const names = profileNames(join(env.out, 'ls.json'));
      for (const n of ['getdents64', 'execve', 'write', 'exit_group']) assert.ok(names.includes(n), `${n} recorded`);
      // The runtime's set-up before it installed the filter is not the container's.
      for (const n of ['mount', 'pivot_root', 'sethostname', 'umount2', 'unshare', 'clone3']) assert.ok(!names.includes(n), `${n} is set-up, not workload`);
      assert.ok(!names.includes('uname'), 'ls does not call uname');
    });

    test('ls / runs under the recorded profile (noNewPrivileges true and false)', () => {
      for (const noNewPrivileges of [true, false]) {
        const r = env.run(runtime, { args: ['ls', '/'], profile: join(env.out, 'ls.json'), noNewPrivileges });
        assert.equal(r.status, 0, `nnp=${noNewPrivileges}: ${r.stderr}`);
        assert.match(r.stdout, /\bbin\b/);
      }
    });

    // busybox's ls -l needs nothing ls does not, and its uname ignores uname(2) failing (it prints
    // garbage and exits 0); mkdir reports the denial the way the issue's `ls -l` step does.
    test('mkdir needs more: Operation not permitted under the ls profile', () => {
      const r = env.run(runtime, { args: ['mkdir', '/tmp/d'], profile: join(env.out, 'ls.json') });
      assert.notEqual(r.status, 0);
      assert.match(r.stderr + r.stdout, /Operation not permitted/);
    });

    test('if: baseline + mkdir recording: both workloads run under the merged profile', () => {
      const r = env.run(runtime, { args: ['mkdir', '/tmp/d'], trace: `if:${join(env.out, 'ls.json')};of:${join(env.out, 'lsm.json')}` });
      assert.equal(r.status, 0, r.stderr);
      const names = profileNames(join(env.out, 'lsm.json'));
      assert.ok((names.includes('mkdir') || names.includes('mkdirat')) && names.includes('getdents64') && names.includes('ioctl'), 'recording plus baseline');
      for (const args of [['mkdir', '/tmp/d'], ['ls', '/']]) {
        const u = env.run(runtime, { args, profile: join(env.out, 'lsm.json') });
        assert.equal(u.status, 0, `${args.join(' ')}: ${u.stderr}`);
      }
    });

    test('the profile is the workload plus the measured runtime needs, nothing else', () => {
      const r = env.run(runtime, { args: ['true'], trace: `of:${join(env.out, 'true.json')}` });
      assert.equal(r.status, 0, r.stderr);
      const needs = new Set(loadRuntimeNeedsTables().filter((t) => t.runtime === runtime).flatMap((t) => [...t.noNewPrivileges.true, ...t.noNewPrivileges.false]));
      assert.ok(needs.size > 0, `a measured table for ${runtime} is shipped`);
      const beyond = profileNames(join(env.out, 'true.json')).filter((n) => !needs.has(n));
      // busybox `true`: start-up of a static binary, then exit_group.
      assert.ok(beyond.length <= 12, `few workload calls beyond the runtime's: ${beyond.join(' ')}`);
      assert.ok(readFileSync(join(env.out, 'true.json'), 'utf8').endsWith('}\n'));
    });

    test('a child that unshares a new mount and pid namespace is still recorded', () => {
      const r = env.run(runtime, {
        args: ['sh', '-c', 'unshare -m -p -f sh -c "mkdir /tmp/inner && uname -n >/dev/null"; echo done'],
        extraCaps: ['CAP_SYS_ADMIN'], trace: `of:${join(env.out, 'unshare.json')}`,
      });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /done/);
      const names = profileNames(join(env.out, 'unshare.json'));
      assert.ok(names.includes('unshare'), 'the unshare itself');
      assert.ok(names.includes('mkdir') || names.includes('mkdirat'), `the grandchild's mkdir (got ${names.join(' ')})`);
      assert.ok(names.includes('uname'), "the grandchild's uname");
    });

    test('two containers traced at once get their own exact profiles', async () => {
      const solo = (args: string[], out: string) => {
        const r = env.run(runtime, { args, trace: `of:${join(env.out, out)}` });
        assert.equal(r.status, 0, r.stderr);
        return profileNames(join(env.out, out));
      };
      const soloA = solo(['ls', '/'], 'soloA.json');
      const soloB = solo(['uname', '-a'], 'soloB.json');
      const [a, b] = await Promise.all([
        env.runAsync(runtime, { args: ['ls', '/'], trace: `of:${join(env.out, 'A.json')}` }),
        env.runAsync(runtime, { args: ['uname', '-a'], trace: `of:${join(env.out, 'B.json')}` }),
      ]);
      assert.equal(a.status, 0, a.stderr);
      assert.equal(b.status, 0, b.stderr);
      const pa = profileNames(join(env.out, 'A.json'));
      const pb = profileNames(join(env.out, 'B.json'));
      assert.deepEqual(pa, soloA, 'concurrent ls / = solo ls /');
      assert.deepEqual(pb, soloB, 'concurrent uname -a = solo uname -a');
      assert.ok(pb.includes('uname') && !pa.includes('uname'), 'uname only where it was called');
      // Beside each profile, when each workload call was first seen (for `report`'s growth chart).
      const timeline = JSON.parse(readFileSync(join(env.out, 'B.json.timeline.json'), 'utf8')) as Array<{ name: string; firstSeen: string }>;
      assert.ok(timeline.some((t) => t.name === 'uname'), 'uname has a first-seen time');
      assert.ok(timeline.every((t, i) => i === 0 || t.firstSeen >= timeline[i - 1]!.firstSeen), 'in time order');
      const onlyA = pa.filter((n) => !pb.includes(n));
      assert.ok(onlyA.length > 0, 'ls / made calls uname -a did not, and they stay in its own profile');
    });

    test('the `hooks-config --runtime runc` output works in config.json as is', () => {
      const out = join(env.out, 'cfg-hooks.json');
      const r = env.run(runtime, { args: ['true'], trace: `of:${out}`, hooks: runcHooksJson(hookCommand(env.configPath)).hooks });
      assert.equal(r.status, 0, r.stderr);
      assert.ok(profileNames(out).includes('exit_group'));
    });

    test('20 recordings of one workload give one profile, byte for byte', () => {
      const texts = new Set<string>();
      for (let i = 0; i < 20; i++) {
        const out = join(env.out, `det-${i}.json`);
        const r = env.run(runtime, { args: ['ls', '-l', '/'], trace: `of:${out}` });
        assert.equal(r.status, 0, r.stderr);
        assert.ok(existsSync(out));
        texts.add(readFileSync(out, 'utf8'));
      }
      const sets = [...texts].map((t) => new Set(JSON.parse(t).syscalls.flatMap((r: { names: string[] }) => r.names) as string[]));
      const all = new Set(sets.flatMap((x) => [...x]));
      assert.equal(texts.size, 1, `profiles differ in: ${[...all].filter((n) => !sets.every((x) => x.has(n))).join(', ')}`);
    });
  });
}

