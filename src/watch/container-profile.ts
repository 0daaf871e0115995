// Which profile file a container's denials are proposed against, and whether its denials reach
// the log at all.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../fs/atomic-write.js';
import { sha256Hex } from '../profile/proposal.js';
import { checkProfile, serializeProfile, type SeccompProfile } from '../profile/schema.js';
import type { RegistryEntry } from '../state/registry.js';
import { findProfileFile } from '../state/profile-index.js';

/**
 * The annotated profile file; else the profile embedded in config.json, which has no file to
 * patch: it is copied once to a file of its own (named by its content) under the state directory,
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
  const dir = join(stateDir, 'profiles');
  const path = join(dir, `embedded-${sha256Hex(text).slice(0, 12)}.json`);
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    writeFileAtomicSync(path, text, { mode: 0o644 });
  }
  return path;
}

/** Why this profile's denials would not reach the log, or undefined when they do. */
export function hiddenDenials(p: SeccompProfile): string | undefined {
  const logged = new Set(['SCMP_ACT_LOG', 'SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_ALLOW']);
  if (logged.has(p.defaultAction) || p.flags?.includes('SECCOMP_FILTER_FLAG_LOG')) return undefined;
  return `the profile's default action ${p.defaultAction} is not logged without SECCOMP_FILTER_FLAG_LOG: the kernel writes no record of these denials and the watcher cannot see them (use \`seccomp-tailor profile complain\` or \`enforce\`)`;
}
