// What the package scripts share: where things are, the names of the outputs, running a step.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
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
