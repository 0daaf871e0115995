#!/usr/bin/env node
// npm run image: localhost/seccomp-tailor:<version> (podman), a Debian 12 minbase root with the
// package installed by apt, and build/pkg/seccomp-tailor-<version>.oci.tar (podman save
// --format oci-archive: for podman load, docker load, ctr images import). Builds the package first
// when there is none. No compiler, no -dev package, no apt lists or caches inside.
import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { debPath, digestOf, fail, imageName, ociPath, outDir, root, run, upToDate, version } from './common.mjs';
import { chroot, copyRoot, minbaseRoot, mountKernelFs, prepareApt } from './debian-root.mjs';

/**
 * dockerd with its own image store (not containerd's) loads only archives that carry Docker's
 * manifest.json; an OCI layout with that file beside it, naming the same blobs, is what `docker
 * save` itself writes since Docker 25, and what podman load and ctr import read as OCI.
 */
function addDockerManifest(archive) {
  const read = (member) => run('tar', ['-xOf', archive, member], { capture: true });
  const index = JSON.parse(read('index.json'));
  const digest = (d) => `blobs/sha256/${d.split(':')[1]}`;
  const manifest = JSON.parse(read(digest(index.manifests[0].digest)));
  const dir = mkdtempSync('/tmp/st-image-');
  try {
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify([{ Config: digest(manifest.config.digest), RepoTags: [imageName()], Layers: manifest.layers.map((l) => digest(l.digest)) }]));
    run('tar', ['-rf', archive, '-C', dir, '--owner=0', '--group=0', 'manifest.json']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const t0 = Date.now();
run(process.execPath, [join(root, 'scripts', 'package', 'build.mjs'), '--if-changed']);
// `--if-changed` (the tests): the archive of this very .deb exists already.
const stamp = join(outDir, 'image-inputs.sha256');
const digest = digestOf([debPath().slice(root.length + 1), 'scripts/package/image.mjs', 'scripts/package/debian-root.mjs']);
if (process.argv.includes('--if-changed') && upToDate(stamp, digest, [ociPath()])) {
  console.log(`seccomp-tailor image: ${ociPath()} is up to date`);
  process.exit(0);
}
rmSync(stamp, { force: true });
if (!existsSync('/usr/bin/podman')) fail('podman is missing: apt-get install podman');

// SECCOMP_TAILOR_ROOT_CACHE: the tests share their cached root with the image build.
const cached = minbaseRoot(process.env.SECCOMP_TAILOR_ROOT_CACHE || join(root, 'build', 'debootstrap'));
const work = `${join(root, 'build', 'image-root')}-${process.pid}`;
copyRoot(cached, work);
const deb = basename(debPath());
run('cp', [debPath(), join(work, 'tmp', deb)]);
prepareApt(work);
const unmount = mountKernelFs(work);
try {
  chroot(work, ['apt-get', 'update', '-qq']);
  chroot(work, ['apt-get', 'install', '-y', '-qq', '--no-install-recommends', `/tmp/${deb}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  chroot(work, ['apt-get', 'clean']);
} finally {
  unmount();
}

// What an image does not carry: apt's lists and caches, the package file, logs, docs, the
// build-time resolver and the service guard.
for (const d of ['var/lib/apt/lists', 'var/cache/apt', 'var/cache/debconf', 'var/log', 'usr/share/doc', 'usr/share/man', 'usr/share/info', 'tmp'])
  for (const e of existsSync(join(work, d)) ? readdirSync(join(work, d)) : []) rmSync(join(work, d, e), { recursive: true, force: true });
rmSync(join(work, 'usr', 'sbin', 'policy-rc.d'), { force: true });
run('truncate', ['-s', '0', join(work, 'etc', 'resolv.conf')]);

const compilers = ['cc', 'gcc', 'clang', 'c++', 'g++', 'ld', 'as'].filter((c) => existsSync(join(work, 'usr', 'bin', c)));
if (compilers.length) fail(`the image root has build tools: ${compilers.join(' ')}`);
const dev = chroot(work, ['dpkg-query', '-W', '-f', '${Package}\\n'], { capture: true }).split('\n').filter((p) => /-dev$/.test(p));
if (dev.length) fail(`the image root has -dev packages: ${dev.join(' ')}`);

// podman import: one layer, the entrypoint the program.
const tar = spawnSync('sh', ['-c', `tar -C "$1" --numeric-owner -c . | podman import --change 'ENTRYPOINT ["/usr/bin/seccomp-tailor"]' --change 'CMD ["--help"]' --change 'LABEL org.opencontainers.image.version=${version}' - "$2"`, 'sh', work, imageName()],
  { stdio: ['ignore', 'ignore', 'inherit'] });
if (tar.status !== 0) fail('podman import failed');
const partial = `${ociPath()}.tmp-${process.pid}`;
run('podman', ['save', '--format', 'oci-archive', '-o', partial, imageName()], { stdio: ['ignore', 'ignore', 'inherit'] });
addDockerManifest(partial);
renameSync(partial, ociPath());
rmSync(work, { recursive: true, force: true });
writeFileSync(stamp, digest + '\n');

const size = run('podman', ['image', 'inspect', '--format', '{{.Size}}', imageName()], { capture: true }).trim();
console.log(`seccomp-tailor image: ${imageName()} (${(Number(size) / 1e6).toFixed(0)} MB), ${ociPath()} (${(statSync(ociPath()).size / 1e6).toFixed(0)} MB); ${((Date.now() - t0) / 1000).toFixed(0)} s`);

