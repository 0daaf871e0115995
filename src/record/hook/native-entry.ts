// The hook's native entry (native/hook-client): where it is built, and building it. It is
// compiled against this checkout's node and Node hook script (it becomes them when no hookd
// listens), so it is built here rather than shipped; scripts/build-native.mjs holds the recipe.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { packagePath } from '../../native/package-root.js';

export const hookClientSource = (): string => packagePath('native', 'hook-client', 'seccomp-tailor-hook.c');
export const hookClientPath = (): string => packagePath('build', 'hook', 'seccomp-tailor-hook');

/** Builds the native entry when it is missing or older than its source; returns its path. */
export function ensureHookClient(node = process.execPath): string {
  const out = hookClientPath();
  // An installed package ships the entry built, without its C source.
  const src = hookClientSource();
  if (existsSync(out) && (!existsSync(src) || statSync(out).mtimeMs >= statSync(src).mtimeMs)) return out;
  // The node running the recipe is the one the entry embeds.
  execFileSync(node, [packagePath('scripts', 'build-native.mjs'), '--hook-entry'], { stdio: ['ignore', 'inherit', 'inherit'] });
  return out;
}

/** The native entry if it is built, else undefined (callers then use node + the script). */
export function builtHookClient(): string | undefined {
  const out = hookClientPath();
  return existsSync(out) ? out : undefined;
}

/**
 * The pid of the hookd the native entry started for this socket, if one is alive: it holds the
 * start lock, and wrote its pid there.
 */
export function startedHookdPid(socketPath: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dirname(socketPath), 'hookd.lock'), 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 1) return undefined;
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('seccomp-tailor-hookd') ? pid : undefined;
  } catch {
    return undefined;
  }
}
