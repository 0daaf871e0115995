// Shadow mode's tracer side (issue 20): what a shadowed container did, from its tracer slot, set
// against the profile it shadows. The evaluation (src/shadow/evaluate.ts) and the spool
// (src/shadow/spool.ts) are pure and shared; this file is the glue the hook's poststop, `flush`
// and the live follower (shadow-follower.ts) call. Only the workload's calls count (after the
// container's first execve): the runtime's own calls before and after its filter are left out
// exactly as a recording leaves them out. Attribution is the slot's: the tracer tags the
// container's tasks itself, so no pid is looked up and no log text is read.
import { lstatSync } from 'node:fs';
import type { ResolvedFile } from './safe-paths.js';
import { readCheckedProfile } from './checked-profile.js';
import type { RunState } from './run-state.js';
import { shadowEvaluate, type Profile } from '../../shadow/evaluate.js';
import { appendShadowDenials, forgetSpoolContainer } from '../../shadow/spool.js';
import { historyAddedOf } from '../../shadow/history-added.js';
import type { ObservedCall, ShadowDenial, ShadowUndecided } from '../../shadow/types.js';
import { appendRunHistory } from '../../history/history.js';

/** The follower re-reads a profile only when its file changed (it evaluates every 250 ms). */
export class ShadowProfileCache {
  private readonly cache = new Map<string, { stamp: string; profile: Profile }>();
  get(file: ResolvedFile): Profile {
    const st = lstatSync(file.path, { throwIfNoEntry: false });
    const stamp = st ? `${st.ino}/${st.size}/${st.mtimeMs}/${st.ctimeMs}` : '';
    const hit = this.cache.get(file.path);
    if (hit && hit.stamp === stamp && stamp) return hit.profile;
    const profile = readCheckedProfile(file);
    if (this.cache.size > 256) this.cache.clear();
    this.cache.set(file.path, { stamp, profile });
    return profile;
  }
}

export interface ShadowPass { denials: ShadowDenial[]; undecided: ShadowUndecided[] }

/** One evaluation of a shadowed container's workload calls (observed-calls.ts); new or moved findings are appended to the spool. */
export function evaluateShadowRun(rs: RunState & { shadow: ShadowSpec }, observed: readonly ObservedCall[], profiles?: ShadowProfileCache, nowMs = Date.now()): ShadowPass {
  const profile = profiles ? profiles.get(rs.shadow.profile) : readCheckedProfile(rs.shadow.profile);
  const r = shadowEvaluate(profile, observed);
  appendShadowDenials(rs.stateDir, { container: rs.id, profilePath: rs.shadow.profile.path, ...(rs.image ? { image: rs.image } : {}) }, r.denials, nowMs);
  return r;
}

export interface ShadowSpec { profile: ResolvedFile }

const list = (names: readonly string[]): string => (names.length > 8 ? `${names.slice(0, 8).join(', ')} and ${names.length - 8} more` : names.join(', '));

/**
 * The container is gone: a last evaluation, then its run in the profile's history (what it did
 * that the profile lacks). Returns lines for the operator.
 */
export function finishShadowRun(rs: RunState & { shadow: ShadowSpec }, observed: readonly ObservedCall[], endedAt = new Date()): string[] {
  const warnings: string[] = [];
  try {
    const r = evaluateShadowRun(rs, observed);
    const names = [...new Set(r.denials.map((d) => d.name))].sort();
    if (names.length) warnings.push(`shadowing ${rs.shadow.profile.path}: it would have denied ${list(names)} (a proposal is in the watcher's store)`);
    const undecided = [...new Set(r.undecided.map((u) => u.why))];
    if (undecided.length) warnings.push(`shadowing ${rs.shadow.profile.path}: undecided: ${undecided.slice(0, 3).join('; ')}`);
    appendRunHistory(rs.stateDir, {
      profile: rs.shadow.profile.path, kind: 'shadow', container: rs.id, ...(rs.image ? { image: rs.image } : {}),
      startedAt: rs.startedAt, endedAt: endedAt.toISOString(), added: historyAddedOf(r.denials),
    });
  } catch (e) {
    warnings.push(`shadowing ${rs.shadow.profile.path}: ${(e as Error).message}`);
  } finally {
    forgetSpoolContainer(rs.stateDir, rs.id);
  }
  return warnings;
}
