// Proposal files on disk, and the profile files they are computed against.
import { mkdirSync, readFileSync } from 'node:fs';
import { openRootOwnedFile, type TrustedFile } from '../fs/no-follow.js';
import writeFileAtomic from 'write-file-atomic';
import { parseProposal, proposalPath, serializeProposal, sha256Hex, type Proposal } from '../profile/proposal.js';
import { parseProfile } from '../profile/schema.js';
import { proposalsDir } from '../state/paths.js';
import { proposalTargetRefusal } from './proposal-target.js';
import type { ProfileNow } from './render-proposal.js';

export function readProposal(stateDir: string, id: string): Proposal | undefined {
  let text: string;
  try {
    text = readFileSync(proposalPath(stateDir, id), 'utf8');
  } catch {
    return undefined;
  }
  try {
    return parseProposal(text, proposalPath(stateDir, id));
  } catch {
    // Hand-edited into something invalid: replaced by a fresh rendering rather than kept broken.
    return undefined;
  }
}

export function writeProposal(stateDir: string, p: Proposal): void {
  mkdirSync(proposalsDir(stateDir), { recursive: true, mode: 0o755 });
  writeFileAtomic.sync(proposalPath(stateDir, p.id), serializeProposal(p), { mode: 0o644 });
}

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
