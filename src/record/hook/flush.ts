// `flush`: write the profile so far of containers that are still running (long-lived services
// are recorded for days; a systemd timer runs this, see contrib/), and evaluate shadowed ones. Nothing resident is needed:
// the counts live in the pinned maps, and the slot stays claimed for the container's poststop.
import type { HookConfig } from './config.js';
import { writeProfile, type PoststopResult } from './poststop.js';
import { isRecording, isShadowing, listRunStates, readRunState, removeRunState, type RunState } from './run-state.js';
import { evaluateShadowRun, finishShadowRun, recordingHistory } from './shadow-run.js';
import { markStoppedFromHook } from './registry.js';
import { processStartTime, Tracer } from '../tracer.js';
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
  for (const rs of states) {
    const tracer = Tracer.shared(rs.pinRoot);
    try {
      const target = tracer.target(rs.slot, rs.generation);
      // poststop never ran for it (runtime killed, host crash of the engine): finish it here so
      // the slot does not wait for the hourly reclaim.
      const gone = processStartTime(rs.initPid) !== rs.initStartTime && target.state().liveTasks <= 0;
      const warnings: string[] = [];
      if (isShadowing(rs)) {
        if (gone) warnings.push(...finishShadowRun(rs, target));
        else evaluateShadowRun(rs, target);
      }
      const r: PoststopResult = isRecording(rs) ? await writeProfile(rs, target, dirname(cfg.runDir), cfg.replaceable) : { warnings: [] };
      if (gone) {
        const history = isRecording(rs) ? recordingHistory(rs, target, cfg.runDir) : undefined;
        if (history) warnings.push(history);
        target.release();
        removeRunState(cfg.runDir, rs.id);
        markStoppedFromHook(rs.stateDir, rs.id);
      }
      out.push({ id: rs.id, ...r, warnings: [...warnings, ...r.warnings], ...(gone ? { finished: true } : {}) });
    } catch (e) {
      out.push({ id: rs.id, warnings: [], error: (e as Error).message });
    } finally {
      tracer.close();
    }
  }
  return out;
}
