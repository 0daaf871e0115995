// Which profile file a container's denials are proposed against, and whether its denials reach
// the log at all.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { openRootOwnedFile } from '../fs/no-follow.js';
import { backupsDir, sanitizePath } from '../state/paths.js';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../fs/atomic-write.js';
import { sha256Hex } from '../profile/proposal.js';
import { checkProfile, serializeProfile, type SeccompProfile } from '../profile/schema.js';
import type { RegistryEntry } from '../state/registry.js';
import { findProfileFile } from '../state/profile-index.js';

/**
 * Where the watcher keeps its copies of embedded profiles: its own root-only directory, not the
 * hook's shared profile directory, where any container's `of:NAME` could have planted a file
 * under the copy's name first.
 */
export const embeddedProfilesDir = (stateDir: string): string => join(stateDir, 'watch', 'embedded');

/**
 * The annotated profile file; else the profile embedded in config.json, which has no file to
 * patch: it is copied to a file of its own (named by its content) under the state directory,
 * which proposals point at and `apply` can patch for the next start. Undefined: no profile.
 */
export function profileFileOf(stateDir: string, entry: RegistryEntry): string | undefined {
  if (entry.profilePath) return entry.profilePath;
  if (entry.profile === undefined) return undefined;
  // Written by the hook, `apply` or `profile complain|enforce -o`: the file this copy came from.
  const indexed = findProfileFile(stateDir, entry.profile);
  if (indexed) return indexed;
  let profile: SeccompProfile;
  try {
    profile = checkProfile(entry.profile, `${entry.id}: config.json linux.seccomp`);
  } catch {
    return undefined;
  }
  const text = serializeProfile(profile);
  const dir = embeddedProfilesDir(stateDir);
  const sha = sha256Hex(text);
  const path = join(dir, `embedded-${sha.slice(0, 12)}.json`);
  if (!trustedCopy(stateDir, path, sha)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileAtomicSync(path, text, { mode: 0o644 });
  }
  return path;
}

/**
 * An existing copy is reused only when it is what the watcher wrote (its content hashes to its
 * name's) or what `apply` made of it (a backup's meta records the hash apply wrote); anything
 * else is rewritten from the container's config.
 */
function trustedCopy(stateDir: string, path: string, sha: string): boolean {
  let bytes: Buffer;
  try {
    const f = openRootOwnedFile(path, 1 << 20, (p, why) => new Error(`${p}: ${why}`));
    try { bytes = f.read(); } finally { f.close(); }
  } catch {
    return false;
  }
  const now = sha256Hex(bytes);
  return now === sha || appliedHashes(stateDir, path).has(now);
}

function appliedHashes(stateDir: string, path: string): Set<string> {
  const out = new Set<string>();
  const prefix = `${sanitizePath(path)}.`;
  let names: string[];
  try { names = readdirSync(backupsDir(stateDir)); } catch { return out; }
  for (const n of names) {
    if (!n.startsWith(prefix) || !n.endsWith('.meta.json')) continue;
    try {
      const m = JSON.parse(readFileSync(join(backupsDir(stateDir), n), 'utf8')) as { profilePath?: unknown; replacedBySha256?: unknown };
      if (m.profilePath === path && typeof m.replacedBySha256 === 'string') out.add(m.replacedBySha256);
    } catch { /* a half-written meta: not evidence */ }
  }
  return out;
}

/** Why this profile's denials would not reach the log, or undefined when they do. */
export function hiddenDenials(p: SeccompProfile): string | undefined {
  const logged = new Set(['SCMP_ACT_LOG', 'SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_ALLOW']);
  if (logged.has(p.defaultAction) || p.flags?.includes('SECCOMP_FILTER_FLAG_LOG')) return undefined;
  return `the profile's default action ${p.defaultAction} is not logged without SECCOMP_FILTER_FLAG_LOG: the kernel writes no record of these denials and the watcher cannot see them (use \`seccomp-tailor profile complain\` or \`enforce\`)`;
}
