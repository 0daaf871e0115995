// What the package scripts share: where things are, the names of the outputs, running a step.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PREFIX = '/usr/lib/seccomp-tailor';
export const outDir = join(root, 'build', 'pkg');
export const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
export const version = pkg.version;

const DEB_ARCH = { x64: 'amd64', arm64: 'arm64' };
export const nodeArch = process.arch;
export const debArch = DEB_ARCH[process.arch];

export const debPath = () => join(outDir, `seccomp-tailor_${version}_${debArch}.deb`);
export const tarPath = () => join(outDir, `seccomp-tailor-${version}-linux-${nodeArch}.tar.gz`);
export const ociPath = () => join(outDir, `seccomp-tailor-${version}.oci.tar`);
export const imageName = () => `localhost/seccomp-tailor:${version}`;

export function fail(msg) {
  console.error(`seccomp-tailor package: ${msg}`);
  process.exit(1);
}

/** Runs a tool; on failure says which step failed (the tool printed its own reason), no stack. */
export function run(cmd, args, opts = {}) {
  try {
    return execFileSync(cmd, args, { stdio: ['ignore', opts.capture ? 'pipe' : 'inherit', 'inherit'], encoding: 'utf8', ...opts });
  } catch {
    fail(`failed: ${cmd} ${args.join(' ')}`);
  }
}

/** sha256 over files and directories (recursively, sorted): what decides whether a build is stale. */
export function digestOf(paths) {
  const h = createHash('sha256');
  const walk = (p) => {
    if (!existsSync(p)) return;
    const st = lstatSync(p);
    if (st.isDirectory()) for (const e of readdirSync(p).sort()) walk(join(p, e));
    else if (st.isFile()) h.update(relative(root, p)).update('\0').update(readFileSync(p)).update('\0');
    else if (st.isSymbolicLink()) h.update(relative(root, p)).update('\0->').update(readlinkSync(p)).update('\0');
  };
  for (const p of paths) walk(join(root, p));
  return h.digest('hex');
}

/** Everything the package is made of: a rebuild with the same digest would make the same tree. */
export const packageInputs = () => digestOf([
  'dist/src', 'dist/parsers', 'native/ebpf-napi/build/Release', 'native/libseccomp-napi/build/Release', 'native/audit-netlink-napi/build/Release', 'native/sys-napi/build/Release',
  'build/bpf/tracer.bpf.o', 'build/bpf/witness.bpf.o', 'bin', 'package.json', 'packaging', 'scripts/package', 'scripts/build-native.mjs', 'scripts/newest-mtime.mjs',
  'native/hook-client', 'native/runtime-shim', 'native/common', 'contrib', 'src/record/runtime-needs', 'README.md',
]);

/** `--if-changed`: true when `stamp` holds `digest` and every output exists (nothing to do). */
export function upToDate(stamp, digest, outputs) {
  try {
    return readFileSync(stamp, 'utf8').trim() === digest && outputs.every((o) => existsSync(o));
  } catch {
    return false;
  }
}
