// `flush`: write the profile so far of containers that are still running (long-lived services
// are recorded for days; a systemd timer runs this, see contrib/). Nothing resident is needed:
// the counts live in the pinned maps, and the slot stays claimed for the container's poststop.
import type { HookConfig } from './hook-config.js';
import { writeProfile, type PoststopResult } from './hook-poststop.js';
import { listRunStates, readRunState, type RunState } from './run-state.js';
import { Tracer } from './tracer.js';
import { RecordError } from '../errors.js';
import { dirname } from 'node:path';

export interface FlushResult extends PoststopResult { id: string; error?: string }

export async function flush(cfg: HookConfig, ids: string[] | 'all'): Promise<FlushResult[]> {
  const states: RunState[] = ids === 'all' ? listRunStates(cfg.runDir) : ids.map((id) => {
    const rs = readRunState(cfg.runDir, id);
    if (!rs) throw new RecordError('FLUSH_NOT_TRACED', `container ${id} is not being traced (no run state in ${cfg.runDir})`);
    return rs;
  });
  const out: FlushResult[] = [];
  for (const rs of states) {
    const tracer = Tracer.shared(rs.pinRoot);
    try {
      out.push({ id: rs.id, ...(await writeProfile(rs, tracer.target(rs.slot, rs.generation), dirname(cfg.runDir))) });
    } catch (e) {
      out.push({ id: rs.id, warnings: [], error: (e as Error).message });
    } finally {
      tracer.close();
    }
  }
  return out;
}
