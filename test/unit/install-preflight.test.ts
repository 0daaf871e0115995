// A machine that cannot record says so in one line at record/install time (and watch goes on
// without its eBPF witness), instead of a libbpf error or a stack at the first container.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { packagePath } from '../../src/native/package-root.js';
import { platformProblem } from '../../src/install/preflight.js';

const cli = (args: string[], env: NodeJS.ProcessEnv) =>
  spawnSync(process.execPath, [packagePath('bin', 'seccomp-tailor'), ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

test('platformProblem names the first missing piece: architecture, BTF, bpffs', () => {
  const ok = { arch: process.arch, btfPath: '/sys/kernel/btf/vmlinux', bpffsPath: '/sys/fs/bpf' };
  assert.equal(platformProblem({ bpffs: false }, ok), undefined);
  assert.equal(platformProblem({ bpffs: false }, { ...ok, arch: 'ia32' })?.code, 'ENV_UNSUPPORTED_ARCH');
  assert.equal(platformProblem({ bpffs: false }, { ...ok, arch: 's390x' })?.code, 'ENV_UNSUPPORTED_ARCH');
  assert.equal(platformProblem({ bpffs: false }, { ...ok, btfPath: '/nonexistent/vmlinux' })?.code, 'ENV_NO_BTF');
  // A plain directory is not bpffs (statfs tells them apart), even at a path that looks right.
  const dir = mkdtempSync('/tmp/st-notbpffs-');
  try {
    assert.equal(platformProblem({ bpffs: true }, { ...ok, bpffsPath: dir })?.code, 'ENV_NO_BPFFS');
    assert.equal(platformProblem({ bpffs: false }, { ...ok, bpffsPath: dir }), undefined, 'record without pins does not need bpffs');
  } finally {
    rmSync(dir, { recursive: true });
  }
  assert.equal(platformProblem({ bpffs: true }, ok), undefined, 'this machine has bpffs mounted at /sys/fs/bpf');
});

test('install and record on a kernel without BTF: one line, exit 1, nothing written', () => {
  const dir = mkdtempSync('/tmp/st-nobtf-');
  try {
    const env = { SECCOMP_TAILOR_BTF: join(dir, 'vmlinux') };
    for (const args of [['install', '--hooks-dir', join(dir, 'hooks.d'), '--state-dir', join(dir, 'state')], ['record', '--', '/bin/true']]) {
      const r = cli(args, env);
      assert.equal(r.status, 1, `${args[0]}: ${r.stderr}`);
      assert.equal(r.stderr, `seccomp-tailor: the kernel has no BTF (${join(dir, 'vmlinux')} is missing): seccomp-tailor needs a kernel built with CONFIG_DEBUG_INFO_BTF=y\n`);
    }
    assert.equal(spawnSync('ls', [dir], { encoding: 'utf8' }).stdout, '', 'install wrote nothing');
    const w = cli(['watch', '--source', '/dev/null', '--once', '--state-dir', join(dir, 'state'), '--no-discovery'], env);
    assert.match(w.stderr, /^seccomp-tailor: warning: the kernel has no BTF .*; watching without the exit witness$/m);
    assert.doesNotMatch(w.stderr, /^\s+at /m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--version: the version, the commit, and the libbpf and libseccomp the addons loaded', () => {
  const r = cli(['--version'], {});
  assert.equal(r.status, 0, r.stderr);
  const pkg = JSON.parse(spawnSync('cat', [packagePath('package.json')], { encoding: 'utf8' }).stdout) as { version: string };
  assert.match(r.stdout, new RegExp(`^seccomp-tailor ${pkg.version.replace(/\./g, '\\.')} \\(commit [0-9a-f]{7,}`));
  // What Debian says is installed is what the loaded libraries report.
  const deb = (p: string) => spawnSync('dpkg-query', ['-W', '-f', '${Version}', p], { encoding: 'utf8' }).stdout.replace(/^\d+:/, '');
  const seccomp = deb('libseccomp2').split('-')[0]!;
  const bpf = deb('libbpf1').split('.').slice(0, 2).join('.');
  assert.ok(seccomp && bpf, 'libseccomp2 and libbpf1 are installed');
  assert.ok(r.stdout.includes(`libbpf ${bpf},`), r.stdout);
  assert.ok(r.stdout.includes(`libseccomp ${seccomp}`), r.stdout);
  assert.ok(r.stdout.includes(`Node.js ${process.version}`), r.stdout);
});
