// Which profile files a proposal may be computed against (and so `apply` may later patch). The
// path comes from a container's annotations (`io.seccomp-tailor.profile`,
// `io.podman.annotations.seccomp`), which the container's author chooses: without this check a
// container could make the watcher read any file as root and propose patches to, say, the
// engine's host-wide default profile. Only files under the directories the administrator named
// (the hook config's allowedDirs, `watch --profile-dir`, and the watcher's own copies of embedded
// profiles) qualify; the caller reports anything else and never opens it.
import { posix } from 'node:path';

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
