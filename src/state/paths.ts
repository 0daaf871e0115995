// Where seccomp-tailor keeps its state. One directory, shared by the watcher (writes proposals and
// the container registry) and the CLI (applies, rejects, backs up, rolls back).
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';

export const defaultStateDir = '/var/lib/seccomp-tailor';

export const proposalsDir = (stateDir: string): string => join(stateDir, 'proposals');
export const backupsDir = (stateDir: string): string => join(stateDir, 'backups');
export const registryDir = (stateDir: string): string => join(stateDir, 'registry');
/** Which container's recording wrote each profile file (the hook's right to replace it). */
export const outputsDir = (stateDir: string): string => join(stateDir, 'outputs');
/** One JSON file: rejected syscalls per profile path (see src/apply/reject.ts). */
export const rejectionsFile = (stateDir: string): string => join(stateDir, 'rejections.json');

/**
 * A profile path as one file-name component: `/etc/containers/x.json` -> `etc_containers_x.json-<hash8>`.
 * The hash keeps two paths that sanitize alike (`a/b_c`, `a_b/c`) apart.
 */
export function sanitizePath(profilePath: string): string {
  const abs = resolve(profilePath);
  const readable = abs.replace(/^\/+/, '').replace(/[^A-Za-z0-9._-]+/g, '_').slice(-100);
  const hash = createHash('sha256').update(abs).digest('hex').slice(0, 8);
  return `${readable}-${hash}`;
}
