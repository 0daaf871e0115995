// The hook's native entry (native/hook-client): where it is built, and building it. It is
// compiled against this checkout's node and Node hook script (it becomes them when no hookd
// listens), so it is built here rather than shipped.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { packagePath } from '../../native/package-root.js';

export const hookClientSource = (): string => packagePath('native', 'hook-client', 'seccomp-tailor-hook.c');
export const hookClientPath = (): string => packagePath('build', 'hook', 'seccomp-tailor-hook');

/** Builds the native entry when it is missing or older than its source; returns its path. */
export function ensureHookClient(node = process.execPath): string {
  const out = hookClientPath();
  const src = hookClientSource();
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(src).mtimeMs) return out;
  mkdirSync(packagePath('build', 'hook'), { recursive: true });
  const cc = existsSync('/usr/bin/cc') ? '/usr/bin/cc' : 'clang';
  execFileSync(cc, ['-O2', '-Wall', '-Wextra', '-Werror', `-DNODE_PATH=${JSON.stringify(node)}`,
    `-DHOOK_SCRIPT=${JSON.stringify(packagePath('bin', 'seccomp-tailor-hook'))}`, '-o', out, src], { stdio: ['ignore', 'inherit', 'inherit'] });
  return out;
}

/** The native entry if it is built, else undefined (callers then use node + the script). */
export function builtHookClient(): string | undefined {
  const out = hookClientPath();
  return existsSync(out) ? out : undefined;
}
