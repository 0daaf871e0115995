// The profile files proposals are computed against: read only under the allowed directories, as
// root under the hook's `if:` rules, parsed once per change.
import { openRootOwnedFile, type TrustedFile } from '../fs/no-follow.js';
import { sha256Hex } from '../profile/proposal.js';
import type { ProfileNow } from '../profile/proposal-render.js';
import { parseProfile } from '../profile/schema.js';
import { proposalTargetRefusal } from './proposal-target.js';

export type ProfileRead = ProfileNow | { error: string };

/** A profile is a few KiB; podman's default is 20 KiB. */
export const MAX_PROFILE_BYTES = 1 << 20;

/**
 * Profile files, read as root under the hook's `if:` rules (src/fs/no-follow.ts: root-owned
 * regular file, one name, bounded, no symlink, fstat before reading) and only under the allowed
 * directories. Parsed once per change (same dev, inode, size and mtime of what was opened).
 */
export class ProfileCache {
  private readonly cache = new Map<string, { stamp: string; value: ProfileRead }>();
  constructor(private readonly allowedDirs: readonly string[]) {}

  /** Why a proposal may not target `path`, or undefined (see proposal-target.ts). */
  refusal(path: string): string | undefined {
    return proposalTargetRefusal(path, this.allowedDirs);
  }

  read(path: string): ProfileRead {
    const refused = this.refusal(path);
    if (refused) return { error: `${path}: not read: ${refused}` };
    let f: TrustedFile;
    try {
      f = openRootOwnedFile(path, MAX_PROFILE_BYTES, (p, why) => new Error(`${p}: not read: ${why}`));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return { error: code ? `cannot read ${path}: ${code}` : (e as Error).message };
    }
    try {
      const stamp = `${f.st.dev}:${f.st.ino}:${f.st.size}:${f.st.mtimeMs}`;
      const hit = this.cache.get(path);
      if (hit && hit.stamp === stamp) return hit.value;
      let value: ProfileRead;
      try {
        const bytes = f.read();
        value = { profile: parseProfile(bytes.toString('utf8'), path), sha256: sha256Hex(bytes) };
      } catch (e) {
        value = { error: (e as Error).message };
      }
      this.cache.set(path, { stamp, value });
      return value;
    } finally {
      f.close();
    }
  }
}
