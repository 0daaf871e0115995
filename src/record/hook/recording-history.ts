// A recording's line in its profile's history (src/history/): what the run made that the profile
// lacked before it. The profile as it was is copied at prestart, because `flush` rewrites the file
// while the container runs.
import { join } from 'node:path';
import { readBaseline, type ResolvedFile } from './safe-paths.js';
import { readCheckedProfile } from './checked-profile.js';
import type { RunState } from './run-state.js';
import { shadowEvaluate, type Profile } from '../../shadow/evaluate.js';
import { historyAddedOf } from '../../shadow/history-added.js';
import type { ObservedCall } from '../../shadow/types.js';
import { appendRunHistory } from '../../history/history.js';
import { writeFileAtomicSync } from '../../fs/atomic-write.js';

/** Where prestart keeps the output file as it was before the recording (for its history entry). */
export const priorProfilePath = (runDir: string, id: string): string => join(runDir, `${id}.prior`);

/** Copies the profile a recording will replace, when there is one (flush rewrites it while the container runs). */
export function keepPriorProfile(runDir: string, id: string, output: ResolvedFile): void {
  let text: string;
  try {
    text = readBaseline(output);
  } catch {
    return; // none yet, or not a file the hook reads: the run's history counts every call as new
  }
  writeFileAtomicSync(priorProfilePath(runDir, id), text, { mode: 0o600, durability: 'atomic' });
}

const NOTHING_ALLOWED: Profile = { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [] } as unknown as Profile;

/** A recording's run in its profile's history: what it made that the profile lacked before it. */
export function recordingHistory(rs: RunState & { output: ResolvedFile }, observed: readonly ObservedCall[], runDir: string, endedAt = new Date()): string | undefined {
  try {
    let prior = NOTHING_ALLOWED;
    try {
      prior = readCheckedProfile({ path: priorProfilePath(runDir, rs.id), dir: runDir, name: `${rs.id}.prior` });
    } catch {
      // no earlier profile (or not a readable one): everything the run made is new to it
    }
    const { denials } = shadowEvaluate(prior, observed);
    appendRunHistory(rs.stateDir, {
      profile: rs.output.path, kind: 'recording', container: rs.id, ...(rs.image ? { image: rs.image } : {}),
      startedAt: rs.startedAt, endedAt: endedAt.toISOString(), added: historyAddedOf(denials),
    });
    return undefined;
  } catch (e) {
    return `could not add this run to the history of ${rs.output.path}: ${(e as Error).message}`;
  }
}
