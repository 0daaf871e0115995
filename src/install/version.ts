// `seccomp-tailor --version`: this build (version, and the commit the package was built from) and
// the libraries it really runs with, asked of the loaded libbpf and libseccomp themselves.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { packagePath, packageRoot } from '../native/package-root.js';
import { libbpfVersion } from '../native/ebpf.js';
import { libseccompVersion } from '../native/libseccomp.js';

export interface VersionInfo { version: string; commit: string; node: string; libbpf: string; libseccomp: string }

/** build-info.json is written by `npm run package`; a checkout asks git. */
export const BUILD_INFO = 'build-info.json';

function commit(): string {
  try {
    return (JSON.parse(readFileSync(packagePath(BUILD_INFO), 'utf8')) as { commit: string }).commit;
  } catch {
    const r = spawnSync('git', ['-C', packageRoot(), 'rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8' });
    return r.status === 0 ? `${r.stdout.trim()} (checkout)` : 'unknown';
  }
}

function attempt(f: () => string): string {
  try {
    return f();
  } catch (e) {
    return `unavailable (${(e as Error).message.split('\n')[0]})`;
  }
}

export function versionInfo(): VersionInfo {
  const pkg = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string };
  return { version: pkg.version, commit: commit(), node: process.version, libbpf: attempt(libbpfVersion), libseccomp: attempt(libseccompVersion) };
}

export const versionText = (v: VersionInfo): string =>
  `seccomp-tailor ${v.version} (commit ${v.commit})\nNode.js ${v.node}, libbpf ${v.libbpf}, libseccomp ${v.libseccomp}\n`;
