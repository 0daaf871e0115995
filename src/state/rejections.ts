// Rejected syscalls per profile file: <stateDir>/rejections.json. The watcher asks isRejected before
// proposing, so a rejected syscall stays out of that profile's proposals until the rejection is undone.
import { readFileSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { rejectionsFile } from './paths.js';

export const Rejection = z.looseObject({ at: z.string(), reason: z.string().optional(), proposalId: z.string().optional() });
export type Rejection = z.infer<typeof Rejection>;

/** profile path (absolute) -> arch -> syscall -> rejection. */
export const Rejections = z.looseObject({
  version: z.literal(1),
  profiles: z.record(z.string(), z.record(z.string(), z.record(z.string(), Rejection))),
});
export type Rejections = z.infer<typeof Rejections>;

const empty = (): Rejections => ({ version: 1, profiles: {} });

export function readRejectionsSync(stateDir: string): Rejections {
  let text: string;
  try {
    text = readFileSync(rejectionsFile(stateDir), 'utf8');
  } catch {
    return empty();
  }
  try {
    const r = Rejections.safeParse(JSON.parse(text));
    return r.success ? r.data : empty();
  } catch {
    return empty();
  }
}

export async function writeRejections(stateDir: string, r: Rejections): Promise<void> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(rejectionsFile(stateDir), JSON.stringify(r, null, 2) + '\n', { mode: 0o600 });
}

/** Whether `syscall` on `arch` was rejected for the profile at `profilePath` (read fresh each call). */
export function isRejected(stateDir: string, profilePath: string, arch: string, syscall: string): boolean {
  return lookup(readRejectionsSync(stateDir), profilePath, arch, syscall);
}

const lookup = (r: Rejections, profilePath: string, arch: string, syscall: string): boolean =>
  Object.hasOwn(r.profiles, resolve(profilePath)) && r.profiles[resolve(profilePath)]?.[arch]?.[syscall] !== undefined;

/** isRejected for a hot path: re-reads the file only when its mtime or size changed. */
export function rejectionChecker(stateDir: string): (profilePath: string, arch: string, syscall: string) => boolean {
  let stamp = '';
  let cached = empty();
  return (profilePath, arch, syscall) => {
    let now = 'absent';
    try {
      const st = statSync(rejectionsFile(stateDir));
      now = `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch { /* absent: nothing rejected */ }
    if (now !== stamp) {
      cached = readRejectionsSync(stateDir);
      stamp = now;
    }
    return lookup(cached, profilePath, arch, syscall);
  };
}
