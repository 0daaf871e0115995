// seccomp-tailor-runc called the way engines call runc: it records on request, passes every other
// command through byte for byte, and never lets a hostile or broken bundle stop a container (or
// make it rewrite a file outside the bundle).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRoot, makeHookEnv, profileNames, type HookEnv } from '../helpers/hook-env.js';
import { makeBusyboxBundle } from '../helpers/busybox-bundle.js';
import { packagePath } from '../../src/native/package-root.js';

const SHIM = packagePath('bin', 'seccomp-tailor-runc');
const skip = !isRoot ? 'needs root (eBPF, runc)' : !existsSync(SHIM) ? 'the shim is not built (npm run build)' : false;
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

describe('seccomp-tailor-runc under runc', { skip }, () => {
  let env: HookEnv;
  let root: string;
  before(() => {
    env = makeHookEnv('shim-runc');
    root = join(env.work, 'runc-root');
  });
  after(() => env?.cleanup());

  // A private hookd socket for the hooks the shim adds (never another checkout's hookd).
  const shim = (args: string[], o: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) =>
    spawnSync(SHIM, args[0]?.startsWith('--') && args.includes('--hook-config') ? ['--hookd-socket', join(env.work, 'hookd.sock'), ...args] : args, { encoding: 'utf8', timeout: 60_000, ...(o.cwd ? { cwd: o.cwd } : {}), ...(o.env ? { env: o.env } : {}) });
  const runc = (args: string[], o: { cwd?: string } = {}) => spawnSync('runc', args, { encoding: 'utf8', timeout: 60_000, ...(o.cwd ? { cwd: o.cwd } : {}) });
  let n = 0;
  const bundle = (args: string[], annotations?: Record<string, string>) => {
    const dir = join(env.work, 'b', `c${++n}`);
    mkdirSync(dir, { recursive: true });
    return { dir, id: `st-shim-${process.pid}-${n}`, ...{ b: makeBusyboxBundle(dir, { args, ...(annotations ? { annotations } : {}) }) } };
  };
  const withoutShimLines = (s: string) => s.split('\n').filter((l) => !l.startsWith('seccomp-tailor-runc: ')).join('\n');

  test('the annotation alone: `run` records, from --bundle and from the current directory', () => {
    for (const viaCwd of [false, true]) {
      const out = join(env.out, `ann-${viaCwd}.json`);
      const b = bundle(['ls', '/'], { 'io.containers.trace-syscall': `of:${out}` });
      const r = viaCwd ? shim(['--hook-config', env.configPath, '--root', root, 'run', b.id], { cwd: b.dir })
        : shim(['--hook-config', env.configPath, '--root', root, 'run', '--bundle', b.dir, b.id]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /\bbin\b/);
      assert.ok(profileNames(out).includes('getdents64'));
    }
  });

  test('pass-through: --version, features, state, list, kill and delete of unknown ids behave exactly as runc', () => {
    for (const args of [['--version'], ['features'], ['--root', root, 'state', 'nope'], ['--root', root, 'list'], ['--root', root, 'kill', 'nope', 'KILL'], ['--root', root, 'delete', 'nope'], ['no-such-command']]) {
      const a = runc(args);
      const b = shim(args);
      // runc stamps its log lines with the wall clock: two runs may straddle a second.
      const unstamped = (s: string) => s.replace(/time="[^"]*"/g, 'time=T');
      assert.deepEqual({ status: b.status, stdout: b.stdout, stderr: unstamped(b.stderr) }, { status: a.status, stdout: a.stdout, stderr: unstamped(a.stderr) }, args.join(' '));
    }
  });

  test('--runtime-path crun: crun answers and records the annotated container', { skip: existsSync('/usr/bin/crun') ? false : 'crun is not installed' }, () => {
    const v = shim(['--runtime-path', '/usr/bin/crun', '--version']);
    assert.equal(v.stdout, spawnSync('/usr/bin/crun', ['--version'], { encoding: 'utf8' }).stdout);
    const out = join(env.out, 'crun.json');
    const b = bundle(['ls', '/'], { 'io.containers.trace-syscall': `of:${out}` });
    // crun refuses this machine's hybrid cgroup layout: run it with a private cgroup2 mount, as the crun tests do.
    const wrapper = join(env.work, 'crun-wrapper');
    writeFileSync(wrapper, `#!/bin/sh\nexec unshare -m --propagation private sh -c 'mount -t tmpfs none /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup && exec crun --cgroup-manager=disabled "$@"' sh "$@"\n`, { mode: 0o755 });
    const r = shim(['--runtime-path', wrapper, '--hook-config', env.configPath, '--root', join(env.work, 'crun-root'), 'run', '--bundle', b.dir, b.id]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(profileNames(out).includes('getdents64'));
  });

  test('a missing real runtime: one line naming the path, exit 127', () => {
    const r = shim(['--runtime-path', '/nonexistent/runc', '--version']);
    assert.equal(r.status, 127);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /\/nonexistent\/runc/);
    const p = shim(['--version'], { env: { PATH: '/nonexistent' } });
    // /usr/bin/runc is the fallback: it exists here, so this one runs.
    assert.equal(p.status, 0, p.stderr);
  });

  const badCases: Array<{ name: string; make: (dir: string) => void; why: RegExp }> = [
    { name: 'config.json is not JSON', make: (d) => writeFileSync(join(d, 'config.json'), '{"ociVersion": "1.0.2", '), why: /not a JSON object/ },
    { name: 'config.json is larger than 4 MiB', make: (d) => { const c = JSON.parse(readFileSync(join(d, 'config.json'), 'utf8')); c.annotations = { pad: 'x'.repeat(4 << 20) }; writeFileSync(join(d, 'config.json'), JSON.stringify(c)); }, why: /larger than 4 MiB/ },
  ];
  for (const c of badCases) {
    test(`bad input, ${c.name}: runc gets the bundle untouched and says what it says without the shim; one line`, () => {
      const b = bundle(['true']);
      c.make(b.dir);
      const before = sha(join(b.dir, 'config.json'));
      // `run`, not `create`: a created container's init holds our stdio pipes until it is started.
      const direct = runc(['--root', root, 'run', '--bundle', b.dir, `${b.id}-d`]);
      const r = shim(['--hook-config', env.configPath, '--record-dir', env.out, '--root', root, 'run', '--bundle', b.dir, `${b.id}-s`]);
      assert.equal(sha(join(b.dir, 'config.json')), before, 'config.json unchanged');
      assert.equal(r.status, direct.status);
      const lines = r.stderr.split('\n').filter((l) => l.startsWith('seccomp-tailor-runc: '));
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, c.why);
      assert.equal(withoutShimLines(r.stderr).replace(/time="[^"]*"/g, '').replaceAll(`${b.id}-s`, 'ID'), direct.stderr.replace(/time="[^"]*"/g, '').replaceAll(`${b.id}-d`, 'ID'));
    });
  }

  test('bad input, config.json is a symlink: the target is never rewritten; the container still runs, unrecorded', () => {
    const b = bundle(['true']);
    const target = join(env.work, 'elsewhere.json');
    writeFileSync(target, readFileSync(join(b.dir, 'config.json')));
    const before = sha(target);
    spawnSync('rm', [join(b.dir, 'config.json')]);
    symlinkSync(target, join(b.dir, 'config.json'));
    const r = shim(['--hook-config', env.configPath, '--record-dir', env.out, '--root', root, 'run', '--bundle', b.dir, b.id]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /config\.json is a symbolic link: left untouched/);
    assert.equal(sha(target), before);
    assert.ok(!existsSync(join(env.out, `${b.id}.json`)));
  });

  test('attack, --bundle link/ (trailing slash): the shim never writes through the link; the container still runs, unrecorded', () => {
    // The link's target is a bundle the attacker wants rewritten (its config.json would gain our
    // hooks and annotation); "link/" makes a plain open() follow the link despite O_NOFOLLOW.
    const out = join(env.out, 'via-link.json');
    const b = bundle(['true'], { 'io.containers.trace-syscall': `of:${out}` });
    const before = sha(join(b.dir, 'config.json'));
    const link = join(env.work, `bundle-link-${n}`);
    symlinkSync(b.dir, link);
    for (const arg of [`${link}/`, `${link}//`]) {
      const r = shim(['--hook-config', env.configPath, '--record-dir', env.out, '--root', root, 'run', '--bundle', arg, `${b.id}-${arg.length}`]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /bundle .* is not a directory \(a symbolic link\): left untouched/);
      assert.equal(sha(join(b.dir, 'config.json')), before, 'the target config.json is unchanged');
    }
    assert.ok(!existsSync(out), 'nothing recorded through the link');
    // The same bundle named directly, with a trailing slash, is still recorded.
    const r = shim(['--hook-config', env.configPath, '--root', root, 'run', '--bundle', `${b.dir}/`, `${b.id}-direct`]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(profileNames(out).length > 0, 'recorded through the real directory');
  });

  test('attack, a --bundle longer than PATH_MAX whose first 4095 bytes name another bundle: that bundle is never rewritten', () => {
    // Found by the fuzzer: the shim used to cut the path to its buffer and open what was left,
    // a directory the runtime itself would never use.
    const out = join(env.out, 'past-path-max.json');
    const b = bundle(['true'], { 'io.containers.trace-syscall': `of:${out}` });
    const before = sha(join(b.dir, 'config.json'));
    const arg = `${b.dir}${'/.'.repeat(2100)}/elsewhere`;
    assert.ok(arg.length > 4096);
    const r = shim(['--hook-config', env.configPath, '--record-dir', env.out, '--root', root, 'run', '--bundle', arg, `${b.id}-long`]);
    assert.match(r.stderr, /bundle path is longer than 4095 bytes: left untouched/);
    assert.equal(sha(join(b.dir, 'config.json')), before, 'the prefix bundle is unchanged');
    assert.ok(!existsSync(out), 'nothing recorded');
  });

  test('attack, a decoy hook whose argument ends in seccomp-tailor-hook: the real hook is still added and records', () => {
    const out = join(env.out, 'decoy.json');
    const b = bundle(['ls', '/'], { 'io.containers.trace-syscall': `of:${out}` });
    const cfg = JSON.parse(readFileSync(join(b.dir, 'config.json'), 'utf8'));
    cfg.hooks = {
      prestart: [{ path: '/bin/true', args: ['seccomp-tailor-hook', '/tmp/not/seccomp-tailor-hook'] }],
      poststop: [{ path: '/bin/true', args: ['true', '/usr/lib/x/bin/seccomp-tailor-hook'] }],
    };
    writeFileSync(join(b.dir, 'config.json'), JSON.stringify(cfg));
    const r = shim(['--hook-config', env.configPath, '--root', root, 'run', '--bundle', b.dir, b.id]);
    assert.equal(r.status, 0, r.stderr);
    const after = JSON.parse(readFileSync(join(b.dir, 'config.json'), 'utf8'));
    assert.equal(after.hooks.prestart.length, 2, 'the decoy and ours');
    assert.equal(after.hooks.poststop.length, 2, 'the decoy and ours');
    assert.ok(profileNames(out).includes('getdents64'), 'recorded despite the decoy');
  });

  test('bad input, the bundle is not a directory: runc says so as without the shim; one line', () => {
    const file = join(env.work, 'not-a-dir');
    writeFileSync(file, 'x');
    const direct = runc(['--root', root, 'create', '--bundle', file, 'st-nodir']);
    const r = shim(['--hook-config', env.configPath, '--record-dir', env.out, '--root', root, 'create', '--bundle', file, 'st-nodir']);
    assert.equal(r.status, direct.status);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /^seccomp-tailor-runc: st-nodir: bundle .* is not a directory/m);
    assert.equal(withoutShimLines(r.stderr).replace(/time="[^"]*"/g, ''), direct.stderr.replace(/time="[^"]*"/g, ''));
  });

  test('onFailure: fail in the hook config: a requested recording that cannot be set up stops the create', () => {
    env.setConfig({ onFailure: 'fail' });
    try {
      const b = bundle(['true']);
      writeFileSync(join(b.dir, 'config.json'), 'not json');
      const r = shim(['--hook-config', env.configPath, '--record-dir', env.out, '--root', root, 'create', '--bundle', b.dir, b.id]);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /onFailure: fail/);
      assert.equal(runc(['--root', root, 'state', b.id]).status, 1, 'runc never created it');
    } finally {
      env.setConfig({});
    }
  });

  test('a hostile container id is not turned into a file name; the container still runs', () => {
    const b = bundle(['true']);
    // runc itself accepts this id; the shim must not write <record-dir>/../x.json from it.
    const r = shim(['--hook-config', env.configPath, '--record-dir', env.out, '--root', root, 'run', '--bundle', b.dir, '..x']);
    assert.match(r.stderr, /is not a file name: not recorded/);
    assert.ok(!existsSync(join(env.out, '..x.json')) && !existsSync(join(env.work, 'x.json')));
  });

  test('the rewrite keeps config.json mode and owner, adds the hooks once, and keeps the engine\'s own hooks', () => {
    const b = bundle(['true']);
    const cfg = JSON.parse(readFileSync(join(b.dir, 'config.json'), 'utf8'));
    cfg.hooks = { prestart: [{ path: '/bin/true', args: ['true', 'engine-hook'] }] };
    writeFileSync(join(b.dir, 'config.json'), JSON.stringify(cfg), { mode: 0o600 });
    spawnSync('chmod', ['600', join(b.dir, 'config.json')]);
    for (const id of [`${b.id}-1`, `${b.id}-2`]) {
      const r = shim(['--hook-config', env.configPath, '--record-dir', env.out, '--root', root, 'run', '--bundle', b.dir, id]);
      assert.equal(r.status, 0, r.stderr);
    }
    const after = JSON.parse(readFileSync(join(b.dir, 'config.json'), 'utf8'));
    assert.equal(statSync(join(b.dir, 'config.json')).mode & 0o777, 0o600);
    assert.equal(after.hooks.prestart.length, 2, 'engine hook + ours, ours once');
    assert.deepEqual(after.hooks.prestart[0].args, ['true', 'engine-hook']);
    assert.equal(after.hooks.poststop.length, 1);
    // The runtime kills a hook after its timeout and fails the container: ours always carries one,
    // longer than the entry's own deadline; and the configured hookd socket as an argument.
    assert.equal(after.hooks.prestart[1].timeout, 30);
    assert.deepEqual(after.hooks.prestart[1].args.slice(0, 3), ['seccomp-tailor-hook', '--socket', join(env.work, 'hookd.sock')]);
    assert.equal(after.annotations['io.containers.trace-syscall'], `of:${env.out}/${b.id}-1.json`, 'the first id named the profile; the second kept it');
  });
});
