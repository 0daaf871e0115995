// The administrator's profile directories, as `apply` and `proposals import` check them: a proposal
// may only ever target a file inside one of them (issue 19: a fleet document naming the host-wide
// /usr/share/containers/seccomp.json was imported, and apply would have written it). The list is
// what the administrator named: `--profile-dir` when given, else the hook config's `allowedDirs`
// and the directories the watcher was started with (it records them here, in the root-only state
// directory, so that `apply` after `watch --profile-dir D` needs no repetition); the watcher's own
// copies of embedded profiles always qualify.
import { join, posix } from 'node:path';
import { mkdirSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { writeFileAtomicSync } from '../fs/atomic-write.js';

const Recorded = z.object({ profileDirs: z.array(z.string().min(1).max(4096).regex(/^\//)).max(256) });

export const watcherProfileDirsFile = (stateDir: string): string => join(stateDir, 'watch', 'profile-dirs.json');
export const embeddedProfilesDir = (stateDir: string): string => join(stateDir, 'watch', 'embedded');

/** Called by the watcher at start with the directories it proposes against. */
export function recordWatcherProfileDirs(stateDir: string, dirs: readonly string[]): void {
  mkdirSync(join(stateDir, 'watch'), { recursive: true, mode: 0o700 });
  writeFileAtomicSync(watcherProfileDirsFile(stateDir), JSON.stringify({ profileDirs: [...dirs] }) + '\n', { mode: 0o600 });
}

export function watcherProfileDirs(stateDir: string): string[] {
  try {
    const r = Recorded.safeParse(JSON.parse(readFileSync(watcherProfileDirsFile(stateDir), 'utf8')));
    return r.success ? r.data.profileDirs : [];
  } catch {
    return [];
  }
}

/** The directories a proposal's file must be in; `explicit` (--profile-dir) replaces the defaults. */
export function adminProfileDirs(stateDir: string, hookAllowedDirs: readonly string[], explicit?: readonly string[]): string[] {
  const named = explicit && explicit.length > 0 ? [...explicit] : [...hookAllowedDirs, ...watcherProfileDirs(stateDir)];
  return [...new Set([...named, embeddedProfilesDir(stateDir)])];
}

/** Why `path` may not be a proposal's target, or undefined when it may. Lexical: pure. */
export function proposalTargetRefusal(path: string, allowedDirs: readonly string[]): string | undefined {
  if (!path.startsWith('/')) return 'not an absolute path';
  if (path.split('/').includes('..')) return 'the path contains ".."';
  const norm = posix.normalize(path);
  const dir = posix.dirname(norm);
  const inside = allowedDirs.some((a) => {
    const d = posix.normalize(a).replace(/\/+$/, '') || '/';
    return dir === d || dir.startsWith(d === '/' ? '/' : `${d}/`);
  });
  if (!inside) return `outside the profile directories the administrator allows (${allowedDirs.join(', ') || 'none'}): see allowedDirs in /etc/seccomp-tailor/hook.json or watch --profile-dir`;
  return undefined;
}
