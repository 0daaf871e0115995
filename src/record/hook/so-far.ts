// A container being recorded right now, read without disturbing it: the profile poststop would
// write if it stopped now, and its workload's calls with their first-seen times. For `report
// --live` (src/report/live.ts), which needs nothing else of the hook.
import { loadHookConfig } from './config.js';
import { readRunState } from './run-state.js';
import { withRecording } from './recording.js';
import { profileSoFar } from './run-profile.js';
import { nameCounts, type RecordedSyscall } from '../named-calls.js';
import { PHASE } from '../tracer-layout.js';

export interface RecordingSoFar {
  /** The profile's text, as poststop would write it now. */
  text: string;
  /** The workload's calls (after its first execve), with first-seen times. */
  calls: RecordedSyscall[];
  container: { id: string; runtime: string; startedAt: string };
  /** Where the hook will write the profile, or what the container shadows. */
  output: string;
}

/** undefined when the container has no run state; throws when its recording cannot be read. */
export async function recordingSoFar(id: string, hookConfigPath?: string): Promise<RecordingSoFar | undefined> {
  const cfg = loadHookConfig(hookConfigPath);
  const rs = readRunState(cfg.runDir, id);
  if (!rs) return undefined;
  // Through the recording service: it never loads a fresh tracer where this one is gone.
  const slot = await withRecording(rs, cfg.runDir, (r) => r.target.snapshot());
  const { text } = await profileSoFar(rs, slot);
  return {
    text, calls: nameCounts(slot.counts, [PHASE.workload]).named,
    container: { id, runtime: rs.engine ? `${rs.engine}/${rs.runtime.name}` : rs.runtime.name, startedAt: rs.startedAt },
    output: rs.output?.path ?? `(shadowing ${rs.shadow?.profile.path ?? '?'})`,
  };
}
