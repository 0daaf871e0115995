// A seccomp profile the hook reads to judge a container by (the profile it shadows, or the file a
// recording replaces): under the hook's file rules (root's regular file, no symlink on the way,
// bounded), then checked to be a profile without zod (the hook's start stays small).
import { readBaseline, type ResolvedFile } from './safe-paths.js';
import type { Profile } from '../../shadow/evaluate.js';
import { checkShadowProfile } from '../../shadow/profile-shape.js';
import { shadowProfileInvalid } from '../../errors.js';

/** Reads and checks a profile under the hook's file rules (root's regular file, no symlink, bounded). */
export function readCheckedProfile(file: ResolvedFile): Profile {
  const text = readBaseline(file);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw shadowProfileInvalid(file.path, `not JSON (${(e as Error).message.slice(0, 80)})`);
  }
  const p = checkShadowProfile(json);
  if (typeof p === 'string') throw shadowProfileInvalid(file.path, p);
  return p;
}
