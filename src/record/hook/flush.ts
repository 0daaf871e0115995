// `flush`: write the profile so far of containers that are still running (long-lived services
// are recorded for days; a systemd timer runs this, see contrib/), and evaluate shadowed ones.
// Nothing resident is needed: the counts live in the pinned maps, and the slot stays claimed for
// the container's poststop.
import type { HookConfig } from './config.js';
import { concludeRun, type PoststopResult } from './poststop.js';
import { writeProfile } from './run-profile.js';
import { isRecording, isShadowing, listRunStates, readRunState, type RunState } from './run-state.js';
import { evaluateShadowRun } from './shadow-run.js';
import { observedCalls } from './observed-calls.js';
import { Recording, TracerPool } from './recording.js';
import { flushNotTraced } from '../../errors.js';
import { dirname } from 'node:path';

export interface FlushResult extends PoststopResult {
  id: string;
  error?: string;
  /** The container was gone and its poststop never ran: written one last time and closed. */
  finished?: boolean;
}

export async function flush(cfg: HookConfig, ids: string[] | 'all'): Promise<FlushResult[]> {
  const states: RunState[] = ids === 'all' ? listRunStates(cfg.runDir) : ids.map((id) => {
    const rs = readRunState(cfg.runDir, id);
    if (!rs) throw flushNotTraced(id, cfg.runDir);
    return rs;
  });
  const out: FlushResult[] = [];
  const pool = new TracerPool();
  try {
    for (const rs of states) {
      try {
        const r = Recording.open(rs, cfg.runDir, pool);
        // poststop never ran for it (runtime killed, host crash of the engine): finish it here so
        // the slot does not wait for the hourly reclaim.
        if (r.gone()) {
          try {
            out.push({ id: rs.id, ...(await concludeRun(r, cfg)), finished: true });
          } finally {
            r.finish();
          }
          continue;
        }
        // One reading of the slot: the shadow findings and the profile are of the same moment.
        const slot = r.target.snapshot();
        if (isShadowing(rs)) evaluateShadowRun(rs, observedCalls(slot));
        out.push({ id: rs.id, ...(isRecording(rs) ? await writeProfile(rs, slot, dirname(cfg.runDir), cfg.replaceable) : { warnings: [] }) });
      } catch (e) {
        pool.drop(rs.pinRoot);
        out.push({ id: rs.id, warnings: [], error: (e as Error).message });
      }
    }
  } finally {
    pool.close();
  }
  return out;
}
