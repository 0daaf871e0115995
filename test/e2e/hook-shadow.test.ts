// Shadow mode through the real hook and runc (issue 20): what a bad shadow annotation does (one
// line on the runtime's stderr and in hook.log, the container starts, nothing is left behind),
// a container both recorded and shadowed, and a running container's findings reaching the spool
// while it runs (the live follower `watch` runs), listed by `status`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertNothingLeft, claimedSlots, hookLog, isRoot, makeHookEnv, profileNames, type HookEnv } from '../helpers/hook-env.js';
import { SHADOW_ANNOTATION } from '../../src/oci/annotation.js';
import { readShadowSpool } from '../../src/shadow/spool.js';
import { readRunHistory } from '../../src/history/history.js';
import { ShadowFollower } from '../../src/record/hook/shadow-follower.js';
import { tracedContainers } from '../../src/record/hook/status.js';
import { loadHookConfig } from '../../src/record/hook/config.js';
import { removeRunState, writeRunState } from '../../src/record/hook/run-state.js';

// Lacks uname (busybox's `uname` makes it) and everything else busybox needs but a few names.
const SHADOWED = { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['execve', 'exit_group', 'write', 'read'], action: 'SCMP_ACT_ALLOW' }] };

describe('shadow mode through the hook (runc)', { skip: isRoot ? false : 'needs root (eBPF, runc)' }, () => {
  let env: HookEnv;
  let slotsBefore: number[];
  let profile = '';
  before(async () => {
    env = makeHookEnv('hshadow');
    profile = join(env.out, 'shadowed.json');
    writeFileSync(profile, JSON.stringify(SHADOWED));
    chmodSync(profile, 0o644);
    slotsBefore = await claimedSlots();
  });
  after(() => assertNothingLeft(env, slotsBefore));

  const spoolOf = (id: string) => readShadowSpool(env.stateDir).find((c) => c.ref.container === id);

  /** Runs busybox uname shadowing `value`; the container must start and print its output. */
  const refused = (value: string, re: RegExp, trace?: string) => {
    const before = hookLog(env).length;
    const r = env.runPiped('runc', { args: ['uname'], annotations: { [SHADOW_ANNOTATION]: value }, ...(trace ? { trace } : {}) });
    assert.equal(r.status, 0, `the container still runs: ${r.stderr}`);
    assert.match(r.stdout, /Linux/, 'and did its work');
    const lines = hookLog(env).slice(before).split('\n').filter((l) => l.includes('not shadowed'));
    assert.equal(lines.length, 1, hookLog(env).slice(before));
    assert.match(lines[0]!, re);
    const told = r.stderr.split('\n').filter((l) => l.includes('not shadowed'));
    assert.equal(told.length, 1, `one line on the runtime's stderr: ${r.stderr}`);
    assert.equal(spoolOf(r.id), undefined, 'nothing shadowed');
    return r;
  };

  test('a profile outside the allowed directories is refused in one line; the container starts', () => {
    refused('/etc/passwd', /outside the directories the administrator allows/);
    refused('../../etc/passwd', /contains "\.\."/);
  });

  test('a symbolic link, a non-profile, a file others may write: refused in one line each', () => {
    const link = join(env.out, 'link.json');
    symlinkSync(profile, link);
    refused(link, /symbolic link/);
    const notProfile = join(env.out, 'not-profile.json');
    writeFileSync(notProfile, JSON.stringify({ hello: 'world' }));
    chmodSync(notProfile, 0o644);
    refused(notProfile, /is not a seccomp profile: defaultAction/);
    const notJson = join(env.out, 'not-json.json');
    writeFileSync(notJson, '{"defaultAction": ');
    chmodSync(notJson, 0o644);
    refused(notJson, /is not a seccomp profile: not JSON/);
    const writable = join(env.out, 'writable.json');
    writeFileSync(writable, JSON.stringify(SHADOWED));
    chmodSync(writable, 0o666);
    refused(writable, /writable by group or others/);
    refused(join(env.out, 'missing.json'), /does not exist/);
  });

  test('recording into the shadowed file itself: shadow refused in one line, the recording still written', () => {
    const same = join(env.out, 'same.json');
    writeFileSync(same, JSON.stringify(SHADOWED));
    chmodSync(same, 0o644);
    // The recording may replace it: it is listed as replaceable.
    env.setConfig({ replaceable: [same] });
    try {
      refused(same, /also the file the recording writes/, `of:${same}`);
      assert.ok(profileNames(same).includes('uname'), 'the recording replaced it');
    } finally {
      env.setConfig({});
    }
  });

  test('recorded and shadowed at once: the profile is written and the shadowed one gets findings and history', () => {
    const out = join(env.out, 'both-recorded.json');
    const r = env.run('runc', { args: ['uname'], trace: `of:${out}`, annotations: { [SHADOW_ANNOTATION]: profile } });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(profileNames(out).includes('uname'));
    const found = spoolOf(r.id);
    assert.ok(found, 'shadow findings in the spool');
    assert.equal(found.ref.profilePath, profile);
    assert.ok(found.denials.some((d) => d.name === 'uname' && d.reason === 'name'));
    assert.ok(!found.denials.some((d) => d.name === 'execve'), 'what the profile allows is not a finding');
    const shadowRuns = readRunHistory(env.stateDir, profile).runs.filter((x) => x.container === r.id);
    assert.equal(shadowRuns.length, 1);
    assert.equal(shadowRuns[0]!.kind, 'shadow');
    assert.ok(shadowRuns[0]!.added.some((a) => a.name === 'uname'));
    // The recording's own history: a fresh file, so every call it made was new to it.
    const recRuns = readRunHistory(env.stateDir, out).runs.filter((x) => x.container === r.id);
    assert.equal(recRuns.length, 1);
    assert.equal(recRuns[0]!.kind, 'recording');
    assert.ok(recRuns[0]!.added.some((a) => a.name === 'uname'));
    // Recorded again into the same file (which another container may replace only when listed):
    // nothing new the second time.
    env.setConfig({ replaceable: [out] });
    const again = env.run('runc', { args: ['uname'], trace: `of:${out}` });
    env.setConfig({});
    assert.equal(again.status, 0, again.stderr);
    const second = readRunHistory(env.stateDir, out).runs.find((x) => x.container === again.id);
    assert.ok(second);
    assert.deepEqual(second.added.map((a) => a.name), [], 'the same workload added nothing');
  });

  test('a running container: its findings reach the spool while it runs, and status lists it as shadowed', async () => {
    const cfg = loadHookConfig(env.configPath);
    const passes: number[] = [];
    let listed: ReturnType<typeof tracedContainers> = [];
    let foundAt: number | undefined;
    let id = '';
    const follower = new ShadowFollower({
      runDir: cfg.runDir, passMs: 100,
      onPass: (results) => {
        passes.push(results.size);
        if (id && foundAt === undefined && spoolOf(id)?.denials.some((d) => d.name === 'uname')) {
          foundAt = Date.now();
          listed = tracedContainers(cfg);
        }
      },
    }).start();
    try {
      id = `st-hshadow-live-${process.pid}`;
      const t0 = Date.now();
      const run = env.runAsync('runc', { id, args: ['sh', '-c', 'uname; sleep 3'], annotations: { [SHADOW_ANNOTATION]: profile } });
      const r = await run;
      const ended = Date.now();
      assert.equal(r.status, 0, r.stderr);
      assert.ok(foundAt !== undefined, 'uname was found while the container ran');
      assert.ok(foundAt < ended - 1000, `found ${foundAt - t0} ms after the start, the container ended at ${ended - t0} ms`);
      const me = listed.find((c) => c.id === id);
      assert.ok(me, 'status listed the container');
      assert.equal(me.shadow, profile);
      assert.equal(me.output, undefined, 'shadowed, not recorded');
      assert.ok(passes.some((n) => n > 0));
    } finally {
      follower.stop();
    }
    assert.ok(!existsSync(join(env.runDir, `${id}.json`)), 'poststop finished it');
    assert.match(readFileSync(join(env.runDir, 'hook.log'), 'utf8'), new RegExp(`${id}: warning: shadowing ${profile}: it would have denied`));
  });

  test('a run state whose tracer is gone: the follower says so once and never loads a tracer', () => {
    const pinRoot = `/sys/fs/bpf/st-hshadow-gone-${process.pid}`;
    const runDir = join(env.work, 'gone-run');
    const id = `st-gone-${process.pid}`;
    writeRunState(runDir, {
      version: 1, id, slot: 3, generation: 7, pinRoot, shadow: { profile: { path: profile, dir: env.out, name: 'shadowed.json' } },
      runtime: { name: 'runc' }, initPid: process.pid, initStartTime: 0, bundle: env.work, noNewPrivileges: false, startedAt: new Date().toISOString(), stateDir: env.stateDir,
    });
    const said: string[] = [];
    const f = new ShadowFollower({ runDir, log: (_l, msg) => said.push(msg) });
    for (let i = 0; i < 3; i++) assert.equal(f.pass().size, 0);
    f.stop();
    assert.equal(existsSync(pinRoot), false, 'no tracer was loaded for it');
    assert.equal(said.length, 1, said.join('\n'));
    assert.match(said[0]!, /no tracer is loaded/);
    removeRunState(runDir, id);
  });
});
