// Which profile file a profile embedded in a container's spec came from. Docker embeds the JSON
// of `--security-opt seccomp=FILE` and forgets FILE (the kubelet does the same with localhost
// profiles), so the writers of profile files — the hook when it records, `apply`, `profile
// complain|enforce -o` — note each file here under its fingerprint, and the watcher looks the
// embedded copy up to propose against the file itself. One small JSON file per fingerprint in
// <stateDir>/profile-files/, written atomically; no schema library (the hook imports this).
import { mkdirSync, readFileSync, renameSync, writeFileSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { profileFingerprint } from './profile-fingerprint.js';

export const profileIndexDir = (stateDir: string): string => join(stateDir, 'profile-files');

interface IndexEntry { path: string; fingerprint: string; at: string }

const MAX_PROFILE_BYTES = 4 << 20;

/** Notes that `path` now holds `text` (a profile). Returns false when `text` is no profile. */
export function indexProfileFile(stateDir: string, path: string, text: string, now = new Date()): boolean {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return false;
  }
  const fingerprint = profileFingerprint(json);
  if (!fingerprint || !path.startsWith('/')) return false;
  const dir = profileIndexDir(stateDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${fingerprint}.json`);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ path, fingerprint, at: now.toISOString() } satisfies IndexEntry) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
  return true;
}

/**
 * The file last noted for this profile's fingerprint, if it still holds a profile with that
 * fingerprint (a file edited or replaced since is not the container's any more). Regular files only.
 */
export function findProfileFile(stateDir: string, embedded: unknown): string | undefined {
  const fingerprint = profileFingerprint(embedded);
  if (!fingerprint) return undefined;
  let entry: IndexEntry;
  try {
    entry = JSON.parse(readFileSync(join(profileIndexDir(stateDir), `${fingerprint}.json`), 'utf8')) as IndexEntry;
  } catch {
    return undefined;
  }
  if (typeof entry.path !== 'string' || !entry.path.startsWith('/') || entry.fingerprint !== fingerprint) return undefined;
  try {
    const st = lstatSync(entry.path);
    if (!st.isFile() || st.size > MAX_PROFILE_BYTES) return undefined;
    return profileFingerprint(JSON.parse(readFileSync(entry.path, 'utf8'))) === fingerprint ? entry.path : undefined;
  } catch {
    return undefined;
  }
}
