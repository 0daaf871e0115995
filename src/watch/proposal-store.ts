// Proposal files on disk, and the profile files they are computed against.
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import writeFileAtomic from 'write-file-atomic';
import { parseProposal, proposalPath, serializeProposal, sha256Hex, type Proposal } from '../profile/proposal.js';
import { parseProfile } from '../profile/schema.js';
import { proposalsDir } from '../state/paths.js';
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

/** Profile files parsed once per change (same dev, inode, size and mtime: same bytes). */
export class ProfileCache {
  private readonly cache = new Map<string, { stamp: string; value: ProfileRead }>();

  read(path: string): ProfileRead {
    let stamp: string;
    try {
      const s = statSync(path, { bigint: true });
      stamp = `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}`;
    } catch (e) {
      return { error: `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
    }
    const hit = this.cache.get(path);
    if (hit && hit.stamp === stamp) return hit.value;
    let value: ProfileRead;
    try {
      const bytes = readFileSync(path);
      value = { profile: parseProfile(bytes.toString('utf8'), path), sha256: sha256Hex(bytes) };
    } catch (e) {
      value = { error: (e as Error).message };
    }
    this.cache.set(path, { stamp, value });
    return value;
  }
}
