#!/usr/bin/env node
// A clean Debian 12 root file system from Debian's own packages (`debootstrap --variant=minbase
// bookworm`: about 25 s and 210 MB here), made once per cache directory and reused: the image
// (image.mjs) and the clean-node test start from a copy of it. Also chroot helpers with the kernel
// file systems mounted, always unmounted again.
// CLI: node scripts/package/debian-root.mjs CACHE_DIR  -> prints the cached root's path.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fail, run } from './common.mjs';

const READY = '.seccomp-tailor-minbase-ready';

/** The cached minbase root under `cacheDir`, made on first use. */
export function minbaseRoot(cacheDir) {
  const root = join(cacheDir, 'bookworm-minbase');
  if (existsSync(join(root, READY))) return root;
  if (!existsSync('/usr/sbin/debootstrap')) fail('debootstrap is missing: apt-get install debootstrap');
  rmSync(root, { recursive: true, force: true });
  mkdirSync(cacheDir, { recursive: true });
  // debootstrap's default mirror: Debian's own.
  run('debootstrap', ['--variant=minbase', 'bookworm', root], { stdio: ['ignore', 'ignore', 'inherit'] });
  writeFileSync(join(root, READY), '');
  return root;
}

/** A fresh copy of the cached root at `dest` (reflinks where the file system has them). */
export function copyRoot(cached, dest) {
  rmSync(dest, { recursive: true, force: true });
  run('cp', ['-a', '--reflink=auto', cached, dest]);
  rmSync(join(dest, READY), { force: true });
}

/** Mounts /proc, /sys, /dev (and a bpffs of its own if asked) in `root`; returns the undo. */
export function mountKernelFs(root, { bpffs = false } = {}) {
  const mounted = [];
  const mount = (args, target) => {
    mkdirSync(target, { recursive: true });
    execFileSync('mount', [...args, target]);
    mounted.push(target);
  };
  try {
    mount(['-t', 'proc', 'proc'], join(root, 'proc'));
    mount(['-t', 'sysfs', 'sysfs'], join(root, 'sys'));
    mount(['--bind', '/dev'], join(root, 'dev'));
    mount(['--bind', '/dev/pts'], join(root, 'dev', 'pts'));
    // A bpffs mount is a new instance: pins made in the chroot are not the host's.
    if (bpffs) mount(['-t', 'bpf', 'bpf'], join(root, 'sys', 'fs', 'bpf'));
  } catch (e) {
    unmountAll(mounted);
    throw e;
  }
  return () => unmountAll(mounted);
}

export function unmountAll(targets) {
  for (const t of [...targets].reverse()) {
    try {
      execFileSync('umount', [t]);
    } catch {
      execFileSync('umount', ['-l', t]);
    }
  }
}

/** apt inside the chroot reaches Debian's packages with the host's resolver and no service starts. */
export function prepareApt(root) {
  copyFileSync('/etc/resolv.conf', join(root, 'etc', 'resolv.conf'));
  writeFileSync(join(root, 'usr', 'sbin', 'policy-rc.d'), '#!/bin/sh\nexit 101\n', { mode: 0o755 });
}

export function chroot(root, cmd, opts = {}) {
  return run('chroot', [root, ...cmd], { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', DEBIAN_FRONTEND: 'noninteractive', LANG: 'C' }, ...opts });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (!process.argv[2]) fail('usage: debian-root.mjs CACHE_DIR');
  console.log(minbaseRoot(process.argv[2]));
}
