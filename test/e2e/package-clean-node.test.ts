// The package on a clean node: a Debian 12 minbase root (Debian's packages, no compiler, no node),
// the .deb installed there with apt, then from a chroot with /proc, /sys, /dev and a bpffs of its
// own: record a profile, validate it, install for podman; a machine that cannot record says so in
// one line (no bpffs, no BTF, for real: the chroot's views lack them); an upgrade over itself
// keeps the admin's hook.json, profiles and proposals; purge undoes install and removes the pins.
// Then the image: `podman load` of the OCI archive and `podman run IMAGE --version`.
// The minbase root is made once under build/test-cache/ (about 25 s); the package and the image are
// made again only when what goes into them changed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packagePath, packageRoot } from '../../src/native/package-root.js';
import { haveEngines, startEngines } from '../helpers/engines.js';

const root = packageRoot();
const version = (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;
const debArch = { x64: 'amd64', arm64: 'arm64' }[process.arch as 'x64' | 'arm64'];
const deb = join(root, 'build', 'pkg', `seccomp-tailor_${version}_${debArch}.deb`);
const oci = join(root, 'build', 'pkg', `seccomp-tailor-${version}.oci.tar`);
const cacheDir = join(root, 'build', 'test-cache');
const image = `localhost/seccomp-tailor:${version}`;

const isRoot = process.geteuid?.() === 0;
const missingTool = ['/usr/sbin/debootstrap', '/usr/bin/dpkg-deb', '/usr/bin/dpkg-shlibdeps', '/usr/bin/podman'].find((t) => !existsSync(t));
const skip = !isRoot ? 'needs root (chroot, mounts, eBPF)' : missingTool ? `${missingTool} is missing (scripts/bootstrap.sh --tests installs it)` : false;

/** The package of this build, made again only when what goes into it changed (build.mjs --if-changed). */
function ensurePackage(): void {
  execFileSync(process.execPath, [join(root, 'scripts', 'package', 'build.mjs'), '--if-changed'], { stdio: ['ignore', 'ignore', 'inherit'] });
}

const ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', DEBIAN_FRONTEND: 'noninteractive', LANG: 'C' };
const inRoot = (r: string, cmd: string[]): SpawnSyncReturns<string> => spawnSync('chroot', [r, ...cmd], { encoding: 'utf8', env: ENV });
function ok(r: string, cmd: string[]): string {
  const res = inRoot(r, cmd);
  assert.equal(res.status, 0, `${cmd.join(' ')}: ${res.stderr}${res.stdout}`);
  return res.stdout + res.stderr;
}

/** Every file named node or nodejs in the root, outside the package's own runtime. */
function nodesOutsidePackage(r: string): string[] {
  const out = execFileSync('find', [r, '-xdev', '(', '-name', 'node', '-o', '-name', 'nodejs', ')', '-type', 'f'], { encoding: 'utf8' });
  return out.split('\n').filter(Boolean).filter((p) => !p.startsWith(join(r, 'usr/lib/seccomp-tailor/')));
}

test('the .deb on a clean Debian 12: record, validate, install, refusals, upgrade keeps settings, purge undoes', { skip, timeout: 900_000 }, () => {
  ensurePackage();
  const cached = execFileSync(process.execPath, [join(root, 'scripts', 'package', 'debian-root.mjs'), cacheDir], { encoding: 'utf8' }).trim();
  const r = join(cacheDir, 'clean-root');
  rmSync(r, { recursive: true, force: true });
  execFileSync('cp', ['-a', '--reflink=auto', cached, r]);
  const mounted: string[] = [];
  const mount = (args: string[], target: string) => {
    mkdirSync(target, { recursive: true });
    execFileSync('mount', [...args, target]);
    mounted.push(target);
  };
  const umount = (target: string) => {
    execFileSync('umount', [target]);
    mounted.splice(mounted.indexOf(target), 1);
  };
  try {
    // The clean node as Debian makes it: no compiler, no Node.js.
    for (const c of ['cc', 'gcc', 'clang', 'c++']) for (const d of ['usr/bin', 'bin', 'usr/local/bin']) assert.equal(existsSync(join(r, d, c)), false, `${d}/${c} in a minbase root`);
    assert.deepEqual(nodesOutsidePackage(r), []);

    copyFileSync('/etc/resolv.conf', join(r, 'etc', 'resolv.conf'));
    writeFileSync(join(r, 'usr', 'sbin', 'policy-rc.d'), '#!/bin/sh\nexit 101\n', { mode: 0o755 });
    copyFileSync(deb, join(r, 'tmp', 'st.deb'));
    mount(['-t', 'proc', 'proc'], join(r, 'proc'));
    mount(['-t', 'sysfs', 'sysfs'], join(r, 'sys'));
    mount(['--bind', '/dev'], join(r, 'dev'));
    mount(['--bind', '/dev/pts'], join(r, 'dev', 'pts'));
    // A bpffs of the chroot's own: its pins are not the host's.
    mount(['-t', 'bpf', 'bpf'], join(r, 'sys', 'fs', 'bpf'));

    // apt-get install ./x.deb to the first recorded profile: the figure the README quotes.
    const t0 = Date.now();
    ok(r, ['apt-get', 'update', '-qq']);
    ok(r, ['apt-get', 'install', '-y', '-qq', '--no-install-recommends', '/tmp/st.deb']);
    const recorded = ok(r, ['seccomp-tailor', 'record', '-o', '/tmp/ls.json', '--', '/bin/ls', '/']);
    const seconds = (Date.now() - t0) / 1000;
    process.stderr.write(`# figure: apt-get install ./${deb.split('/').pop()} to the first recorded profile on a clean root: ${seconds.toFixed(1)} s (apt-get update included)\n`);
    assert.match(recorded, /recorded \d+ syscalls/);

    // Still no compiler, no -dev package, and no node but the package's own.
    for (const c of ['cc', 'gcc', 'clang']) assert.equal(inRoot(r, ['sh', '-c', `command -v ${c}`]).stdout, '', `${c} after install`);
    assert.deepEqual(ok(r, ['dpkg-query', '-W', '-f', '${Package}\\n']).split('\n').filter((p) => p.endsWith('-dev')), []);
    assert.deepEqual(nodesOutsidePackage(r), []);
    assert.equal(inRoot(r, ['sh', '-c', 'command -v node nodejs']).stdout, '', 'no node on PATH');

    const profile = JSON.parse(readFileSync(join(r, 'tmp', 'ls.json'), 'utf8')) as { syscalls: Array<{ names: string[] }> };
    const names = profile.syscalls.flatMap((s) => s.names);
    // What `ls /` cannot do without: open the directory, read it, write the listing.
    for (const n of ['openat', 'getdents64', 'write']) assert.ok(names.includes(n), `${n} recorded: ${names.join(',')}`);
    assert.match(ok(r, ['seccomp-tailor', 'profile', 'validate', '/tmp/ls.json']), /valid|ok/i);
    const v = ok(r, ['seccomp-tailor', '--version']);
    assert.match(v, new RegExp(`^seccomp-tailor ${version.replace(/\./g, '\\.')} \\(commit [0-9a-f]{12}`));
    assert.match(v, /libbpf \d+\.\d+, libseccomp \d+\.\d+\.\d+/);

    // install for podman, with the root's own paths: the hook is the package's native entry,
    // built to run the package's node and scripts, none of the checkout's.
    ok(r, ['seccomp-tailor', 'install', '--engine', 'podman']);
    const hooksFile = join(r, 'usr/share/containers/oci/hooks.d/seccomp-tailor.json');
    const hook = JSON.parse(readFileSync(hooksFile, 'utf8')) as { hook: { path: string } };
    assert.equal(hook.hook.path, '/usr/lib/seccomp-tailor/build/hook/seccomp-tailor-hook');
    // The package carries no C source: what would rebuild the entry in a checkout takes it as built.
    assert.match(ok(r, ['seccomp-tailor', 'hooks-config', '--runtime', 'runc']), /"path": "\/usr\/lib\/seccomp-tailor\/build\/hook\/seccomp-tailor-hook"/);
    for (const bin of ['build/hook/seccomp-tailor-hook', 'build/runtime-shim/seccomp-tailor-runc']) {
      const text = readFileSync(join(r, 'usr/lib/seccomp-tailor', bin)).toString('latin1');
      assert.ok(text.includes('/usr/lib/seccomp-tailor/runtime/bin/node'), `${bin} runs the package's node`);
      assert.ok(!text.includes(root + '/'), `${bin} names nothing of the checkout`);
    }

    // A machine that cannot record, for real: no bpffs, then no BTF in the chroot's view.
    mkdirSync(join(r, 'sys/fs/bpf/seccomp-tailor-test-pins'));
    umount(join(r, 'sys', 'fs', 'bpf'));
    let res = inRoot(r, ['seccomp-tailor', 'install', '--engine', 'podman']);
    assert.equal(res.status, 1);
    assert.equal(res.stderr, 'seccomp-tailor: no BPF file system at /sys/fs/bpf (the recorder pins its tracer there): mount it with: mount -t bpf bpf /sys/fs/bpf\n');
    mount(['-t', 'tmpfs', 'tmpfs'], join(r, 'sys', 'kernel', 'btf'));
    res = inRoot(r, ['seccomp-tailor', 'record', '--', '/bin/true']);
    assert.equal(res.status, 1);
    assert.equal(res.stderr, 'seccomp-tailor: the kernel has no BTF (/sys/kernel/btf/vmlinux is missing): seccomp-tailor needs a kernel built with CONFIG_DEBUG_INFO_BTF=y\n');
    umount(join(r, 'sys', 'kernel', 'btf'));
    mount(['-t', 'bpf', 'bpf'], join(r, 'sys', 'fs', 'bpf'));
    mkdirSync(join(r, 'sys/fs/bpf/seccomp-tailor-test-pins'));

    // The admin's settings, a profile and a proposal survive an upgrade over itself.
    const hookJson = '{ "allowedDirs": ["/var/lib/seccomp-tailor/profiles", "/srv/profiles"] }\n';
    writeFileSync(join(r, 'etc/seccomp-tailor/hook.json'), hookJson);
    mkdirSync(join(r, 'var/lib/seccomp-tailor/profiles'), { recursive: true });
    mkdirSync(join(r, 'var/lib/seccomp-tailor/proposals'), { recursive: true });
    copyFileSync(join(r, 'tmp/ls.json'), join(r, 'var/lib/seccomp-tailor/profiles/ls.json'));
    writeFileSync(join(r, 'var/lib/seccomp-tailor/proposals/p1.json'), '{"id": "p1"}\n');
    ok(r, ['apt-get', 'install', '-y', '-qq', '--reinstall', '/tmp/st.deb']);
    assert.equal(readFileSync(join(r, 'etc/seccomp-tailor/hook.json'), 'utf8'), hookJson);
    assert.ok(existsSync(hooksFile), 'an upgrade keeps what install did');
    assert.equal(statSync(join(r, 'var/lib/seccomp-tailor')).mode & 0o777, 0o700);
    ok(r, ['seccomp-tailor', 'profile', 'validate', '/var/lib/seccomp-tailor/profiles/ls.json']);

    // purge: what install did is undone, the pins go, profiles and proposals stay.
    ok(r, ['apt-get', 'purge', '-y', '-qq', 'seccomp-tailor']);
    assert.equal(existsSync(hooksFile), false, 'purge removed the hooks.d file');
    assert.equal(existsSync(join(r, 'usr/lib/seccomp-tailor')), false);
    assert.equal(existsSync(join(r, 'usr/bin/seccomp-tailor')), false);
    assert.equal(existsSync(join(r, 'etc/seccomp-tailor/hook.json')), false);
    assert.equal(existsSync(join(r, 'sys/fs/bpf/seccomp-tailor-test-pins')), false, 'pins under /sys/fs/bpf/seccomp-tailor* removed');
    assert.ok(existsSync(join(r, 'var/lib/seccomp-tailor/profiles/ls.json')));
    assert.ok(existsSync(join(r, 'var/lib/seccomp-tailor/proposals/p1.json')));
  } finally {
    for (const m of [...mounted].reverse()) spawnSync('umount', ['-l', m]);
    rmSync(r, { recursive: true, force: true });
  }
});

const PODMAN = ['--runtime', 'runc', '--cgroup-manager', 'cgroupfs'];
const RUN = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];

test('the image: podman load of the OCI archive, then podman run IMAGE --version', { skip, timeout: 900_000 }, () => {
  ensurePackage();
  execFileSync(process.execPath, [join(root, 'scripts', 'package', 'image.mjs'), '--if-changed'],
    { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, SECCOMP_TAILOR_ROOT_CACHE: cacheDir } });
  // Loaded from the archive, not left over from the build.
  spawnSync('podman', [...PODMAN, 'rmi', '-f', image], { encoding: 'utf8' });
  try {
    podmanLoadAndRun();
  } finally {
    spawnSync('podman', [...PODMAN, 'rmi', '-f', image], { encoding: 'utf8' });
  }
});

function podmanLoadAndRun(): void {
  const load = spawnSync('podman', [...PODMAN, 'load', '-i', oci], { encoding: 'utf8' });
  assert.equal(load.status, 0, load.stderr);
  const run = spawnSync('podman', [...PODMAN, 'run', '--rm', ...RUN, image, '--version'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, new RegExp(`^seccomp-tailor ${version.replace(/\./g, '\\.')} \\(commit [0-9a-f]{12}`));
  assert.match(run.stdout, /Node\.js v24\.\d+\.\d+, libbpf \d+\.\d+, libseccomp \d+\.\d+\.\d+/);
  // No compiler and no apt lists inside.
  const look = spawnSync('podman', [...PODMAN, 'run', '--rm', ...RUN, '--entrypoint', '/bin/sh', image, '-c',
    'for c in cc gcc clang node; do command -v $c; done; ls /var/lib/apt/lists | wc -l'], { encoding: 'utf8' });
  assert.equal(look.status, 0, look.stderr);
  assert.equal(look.stdout.trim(), '0');
}

test('the image archive loads into docker (docker load) and containerd (ctr images import), and runs under docker', { skip: skip || (!haveEngines ? 'containerd/dockerd missing' : false), timeout: 600_000 }, async () => {
  execFileSync(process.execPath, [join(root, 'scripts', 'package', 'image.mjs'), '--if-changed'],
    { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, SECCOMP_TAILOR_ROOT_CACHE: cacheDir } });
  const eng = await startEngines('pkgimg');
  try {
    const load = eng.docker(['load', '-i', oci], { timeout: 300_000 });
    assert.equal(load.status, 0, load.stderr);
    const run = eng.docker(['run', '--rm', image, '--version'], { timeout: 120_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^seccomp-tailor ${version.replace(/\./g, '\\.')} \\(commit`));
    const imp = eng.ctr(['images', 'import', oci], { timeout: 300_000 });
    assert.equal(imp.status, 0, imp.stderr);
    const ls = eng.ctr(['images', 'ls', '-q']);
    assert.ok(ls.stdout.split('\n').includes(image), `ctr images ls: ${ls.stdout}`);
  } finally {
    await eng.stop();
  }
});
