// poststop: the container is gone; read what its slot recorded (recording.ts), write the profile
// (run-profile.ts) and the shadow findings (shadow-run.ts), free the slot. runc runs poststop hooks
// in its destroy path before `runc run` exits, so the profile exists when the command returns (the
// bcc hook wrote it later, from a detached process).
import { dirname } from 'node:path';
import type { OciState } from '../../oci/state.js';
import { mark } from './timing.js';
import type { HookConfig } from './config.js';
import { isRecording, isShadowing, readRunState } from './run-state.js';
import type { Recording } from './recording.js';
import { finishShadowRun } from './shadow-run.js';
import { recordingHistory } from './recording-history.js';
import { observedCalls } from './observed-calls.js';
import { writeProfile, type WrittenProfile } from './run-profile.js';

export type PoststopResult = WrittenProfile;

export async function poststop(state: OciState, cfg: HookConfig): Promise<PoststopResult> {
  const rs = readRunState(cfg.runDir, state.id);
  // Not traced, or already finished (podman may run poststop itself after the runtime did).
  if (!rs) return { warnings: [] };
  const { Recording, TracerPool } = await import('./recording.js');
  const pool = new TracerPool();
  try {
    let recording;
    try {
      recording = Recording.open(rs, cfg.runDir, pool);
    } catch (e) {
      // The slot is gone (unloaded, reclaimed): nothing to write, the container is still done.
      Recording.forget(rs, cfg.runDir);
      throw e;
    }
    try {
      // The runtime killed the container before poststop; its last tasks may still be exiting.
      mark(`drained(${await recording.drain(cfg.drainTimeoutMs)})`);
      return await concludeRun(recording, cfg);
    } finally {
      recording.finish();
    }
  } finally {
    pool.close();
  }
}

/**
 * What a finished container leaves (poststop, or flush when its poststop never ran): the shadowed
 * profile's last evaluation and history line, the recorded profile and its history line.
 */
export async function concludeRun(r: Pick<Recording, 'rs' | 'target'>, cfg: HookConfig): Promise<PoststopResult> {
  const rs = r.rs;
  // One reading of the slot for everything written from it, and one view of its workload's calls
  // for both judgements of them (the shadowed profile's, and the history's against the profile
  // the recording replaces).
  const slot = r.target.snapshot();
  const observed = observedCalls(slot);
  const shadowNotes = isShadowing(rs) ? finishShadowRun(rs, observed) : [];
  if (!isRecording(rs)) return { warnings: shadowNotes };
  // Beside the run states, not among them: a container may be called anything.
  const out = await writeProfile(rs, slot, dirname(cfg.runDir), cfg.replaceable);
  const history = recordingHistory(rs, observed, cfg.runDir);
  return { ...out, warnings: [...shadowNotes, ...out.warnings, ...(history ? [history] : [])] };
}
