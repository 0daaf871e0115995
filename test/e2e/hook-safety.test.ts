// Every safety rule of the hook, attacked through a real runc container: the annotation is
// attacker-controlled (CRI-O copies pod annotations, podman 4.3 image labels), the hook is root.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { syscallTable } from '../../src/native/libseccomp.js';
import { assertNothingLeft, claimedSlots, hookLog, isRoot, makeHookEnv, runStateFiles, type HookEnv } from '../helpers/hook-env.js';

describe('hook safety (runc)', { skip: isRoot ? false : 'needs root (eBPF, runc, chown)' }, () => {
  let env: HookEnv;
  let slotsBefore: number[];
  let outside: string;
  before(async () => {
    env = makeHookEnv('safety');
    // A directory the annotation must never reach (stands in for /etc).
    outside = join(env.work, 'outside');
    mkdirSync(outside);
    slotsBefore = await claimedSlots();
  });
  after(() => assertNothingLeft(env, slotsBefore));

  /** Runs `true` with the annotation; the container still starts (onFailure: start). */
  const attempt = (trace: string) => {
    const before = hookLog(env).length;
    const r = env.run('runc', { args: ['true'], trace });
    assert.equal(r.status, 0, `the container still runs: ${r.stderr}`);
    assert.deepEqual(runStateFiles(env), []);
    return hookLog(env).slice(before);
  };
  const assertOneLine = (log: string, re: RegExp) => {
    const lines = log.split('\n').filter((l) => l.includes('recording failed'));
    assert.equal(lines.length, 1, log);
    assert.match(lines[0]!, re);
  };

  test('an output outside the allowed directories is refused', () => {
    const target = join(outside, 'evil.json');
    assertOneLine(attempt(`of:${target}`), /outside the directories the administrator allows/);
    assert.ok(!existsSync(target));
    assertOneLine(attempt('of:/etc/seccomp-tailor-evil.json'), /outside/);
    assert.ok(!existsSync('/etc/seccomp-tailor-evil.json'));
  });

  test('a bare of: name lands in the default directory, created root-owned 0755 on first use', async () => {
    const { statSync } = await import('node:fs');
    const r = env.run('runc', { args: ['true'], trace: 'of:rel.json' });
    assert.equal(r.status, 0, r.stderr);
    const dir = join(env.work, 'profiles');
    const st = statSync(dir);
    assert.equal(st.mode & 0o777, 0o755);
    assert.equal(st.uid, 0);
    assert.ok(existsSync(join(dir, 'rel.json')));
  });

  test('a symlinked directory inside an allowed directory is not followed', () => {
    symlinkSync(outside, join(env.out, 'link'));
    assertOneLine(attempt(`of:${join(env.out, 'link', 'evil.json')}`), /symbolic link/);
    assert.deepEqual(readdirSync(outside), []);
  });

  test('an output that is a symlink is not written through (the bcc hook overwrote its target)', () => {
    const victim = join(outside, 'victim');
    writeFileSync(victim, 'keep');
    symlinkSync(victim, join(env.out, 'victim.json'));
    // Checked at prestart already, so the container runs unrecorded and nothing is touched.
    assertOneLine(attempt(`of:${join(env.out, 'victim.json')}`), /symbolic link/);
    assert.equal(readFileSync(victim, 'utf8'), 'keep');
  });

  test('a symlink planted after prestart is still not written through', async () => {
    // The race the bcc hook lost: the path is fine at start and swapped before the write.
    const victim = join(outside, 'victim2');
    writeFileSync(victim, 'keep');
    const out = join(env.out, 'race.json');
    const r = env.runAsync('runc', { args: ['sleep', '1'], trace: `of:${out}` });
    await new Promise((res) => setTimeout(res, 500));
    symlinkSync(victim, out);
    assert.equal((await r).status, 0);
    assert.equal(readFileSync(victim, 'utf8'), 'keep');
    assert.match(hookLog(env), /race\.json: is a symbolic link; not writing through it/);
    rmSync(out);
  });

  test('relative traversal, NUL, unknown key, three parts, missing or duplicate of: are rejected', () => {
    const cases: Array<[string, RegExp]> = [
      ['of:../../../etc/passwd', /contains "\.\."/],
      [`of:${env.out}/../outside/x.json`, /contains "\.\."/],
      [`of:${env.out}/a.json\0x`, /NUL/],
      [`xf:${env.out}/a.json`, /unknown key "xf"/],
      [`if:${env.out}/a.json;of:${env.out}/b.json;of:${env.out}/c.json`, /3 parts/],
      [`if:${env.out}/a.json`, /"of:PATH".*missing/],
      [`of:${env.out}/a.json;of:${env.out}/b.json`, /appears twice/],
    ];
    for (const [value, re] of cases) assertOneLine(attempt(value), re);
    assert.deepEqual(readdirSync(env.out).filter((n) => n.endsWith('.json') && !n.startsWith('victim')), []);
  });

  test('baselines: FIFO (no hang), symlink, foreign owner, group-writable, too big, outside', () => {
    const out = join(env.out, 'from-baseline.json');
    const fifo = join(env.out, 'fifo.json');
    execFileSync('mkfifo', [fifo]);
    const t0 = Date.now();
    assertOneLine(attempt(`if:${fifo};of:${out}`), /not a regular file/);
    assert.ok(Date.now() - t0 < 10_000, 'container creation did not hang on the FIFO');

    symlinkSync('/etc/shadow', join(env.out, 'shadow.json'));
    assertOneLine(attempt(`if:${join(env.out, 'shadow.json')};of:${out}`), /symbolic link/);

    const mk = (name: string, mode: number, uid = 0, size = 40) => {
      const p = join(env.out, name);
      writeFileSync(p, '{"defaultAction":"SCMP_ACT_ERRNO"}'.padEnd(size, ' '));
      chmodSync(p, mode);
      chownSync(p, uid, uid);
      return p;
    };
    assertOneLine(attempt(`if:${mk('user.json', 0o644, 1000)};of:${out}`), /owned by uid 1000/);
    assertOneLine(attempt(`if:${mk('gw.json', 0o664)};of:${out}`), /writable by group or others/);
    assertOneLine(attempt(`if:${mk('big.json', 0o644, 0, (1 << 20) + 10)};of:${out}`), /larger than/);
    assertOneLine(attempt(`if:/etc/passwd;of:${out}`), /outside/);
    assert.ok(!existsSync(out), 'no profile from a refused baseline');
  });

  test('onFailure "fail" refuses to start the container, and leaves no claim or process', async () => {
    env.setConfig({ onFailure: 'fail' });
    try {
      const r = env.run('runc', { args: ['true'], trace: 'of:../x.json' });
      assert.notEqual(r.status, 0, 'the runtime refused to start it');
      assert.match(r.stderr, /recording failed: io\.containers\.trace-syscall: of: .*contains/);
      assert.deepEqual(await claimedSlots(), slotsBefore);
    } finally {
      env.setConfig({});
    }
  });

  test('a failure after the slot was claimed releases it', async () => {
    // runDir is a regular file: the run state cannot be written after claim + tag.
    const file = join(env.work, 'not-a-dir');
    writeFileSync(file, '');
    env.setConfig({ runDir: file, onFailure: 'fail' });
    try {
      const r = env.run('runc', { args: ['true'], trace: `of:${join(env.out, 'never.json')}` });
      assert.notEqual(r.status, 0);
      assert.deepEqual(await claimedSlots(), slotsBefore, 'slot released');
      assert.ok(!existsSync(join(env.out, 'never.json')));
    } finally {
      env.setConfig({});
    }
  });

  test('a hook config that is not root-owned is not trusted', () => {
    chownSync(env.configPath, 1000, 1000);
    try {
      const r = env.run('runc', { args: ['true'], trace: `of:${join(env.out, 'cfg.json')}` });
      assert.equal(r.status, 0);
      assert.ok(!existsSync(join(env.out, 'cfg.json')));
    } finally {
      chownSync(env.configPath, 0, 0);
    }
  });

  test('recording under an enforcing filter warns that its denials are missing', () => {
    // Denies by default, allows every named call but kexec_load: enforcing, yet `true` runs.
    const names = syscallTable('x86_64').map((s) => s.name).filter((n) => n !== 'kexec_load');
    const r = env.run('runc', {
      args: ['true'], trace: `of:${join(env.out, 'enf.json')}`,
      seccomp: { defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86_64'], syscalls: [{ names, action: 'SCMP_ACT_ALLOW' }] },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(existsSync(join(env.out, 'enf.json')), 'still recorded');
    assert.match(hookLog(env), /enforcing seccomp filter \(defaultAction SCMP_ACT_ERRNO\)/);
  });
});
