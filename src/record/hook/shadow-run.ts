// Shadow mode's tracer side (issue 20): what a shadowed container did, from its tracer slot, set
// against the profile it shadows. The evaluation (src/shadow/evaluate.ts) and the spool
// (src/shadow/spool.ts) are pure and shared; this file is the glue the hook's poststop, `flush`
// and the live follower (shadow-follower.ts) call. Only the workload's calls count (after the
// container's first execve): the runtime's own calls before and after its filter are left out
// exactly as a recording leaves them out. Attribution is the slot's: the tracer tags the
// container's tasks itself, so no pid is looked up and no log text is read.
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import type { ArgFact } from '../arg-facts.js';
import { archOfKind, nameCounts } from '../named-calls.js';
import { clockNow, monotonicToWallMs } from '../first-seen.js';
import type { SlotSnapshot } from '../tracer.js';
import { PHASE } from '../tracer-layout.js';
import { readBaseline, type ResolvedFile } from './safe-paths.js';
import type { RunState } from './run-state.js';
import { shadowEvaluate, type Profile } from '../../shadow/evaluate.js';
import { checkShadowProfile } from '../../shadow/profile-shape.js';
import { appendShadowDenials, forgetSpoolContainer } from '../../shadow/spool.js';
import { historyAddedOf } from '../../shadow/history-added.js';
import type { ObservedCall, ShadowDenial, ShadowUndecided } from '../../shadow/types.js';
import { appendRunHistory } from '../../history/history.js';
import { shadowProfileInvalid } from '../../errors.js';
import { writeFileAtomicSync } from '../../fs/atomic-write.js';

/** The workload's calls in one slot, named per arch, with the argument tuples the tracer kept. */
export function observedCalls(slot: Pick<SlotSnapshot, 'counts' | 'argFacts'>): ObservedCall[] {
  const { named } = nameCounts(slot.counts, [PHASE.workload]);
  const facts = new Map<string, ArgFact>();
  for (const f of slot.argFacts) if (f.phase === PHASE.workload) facts.set(`${archOfKind(f.arch)}/${f.nr}`, f);
  const clock = clockNow();
  return named.map((c) => {
    const f = facts.get(`${c.arch}/${c.nr}`);
    // The tracer keeps when a call was first seen, not when last: first is what there is.
    const at = Math.floor(monotonicToWallMs(c.firstNs, clock));
    return { arch: c.arch, name: c.name, nr: c.nr, firstSeenMs: at, lastSeenMs: at, ...(f ? { args: { indexes: [...f.argIndexes], tuples: f.values, overflow: f.overflow } } : {}) };
  });
}

/** Reads and checks a profile under the hook's file rules (root's regular file, no symlink, bounded). */
export function readShadowProfile(file: ResolvedFile): Profile {
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

/** The follower re-reads a profile only when its file changed (it evaluates every 250 ms). */
export class ShadowProfileCache {
  private readonly cache = new Map<string, { stamp: string; profile: Profile }>();
  get(file: ResolvedFile): Profile {
    const st = lstatSync(file.path, { throwIfNoEntry: false });
    const stamp = st ? `${st.ino}/${st.size}/${st.mtimeMs}/${st.ctimeMs}` : '';
    const hit = this.cache.get(file.path);
    if (hit && hit.stamp === stamp && stamp) return hit.profile;
    const profile = readShadowProfile(file);
    if (this.cache.size > 256) this.cache.clear();
    this.cache.set(file.path, { stamp, profile });
    return profile;
  }
}

export interface ShadowPass { denials: ShadowDenial[]; undecided: ShadowUndecided[] }

/** One evaluation of a shadowed slot; new or moved findings are appended to the spool. */
export function evaluateShadowRun(rs: RunState & { shadow: ShadowSpec }, slot: Pick<SlotSnapshot, 'counts' | 'argFacts'>, profiles?: ShadowProfileCache, nowMs = Date.now()): ShadowPass {
  const profile = profiles ? profiles.get(rs.shadow.profile) : readShadowProfile(rs.shadow.profile);
  const r = shadowEvaluate(profile, observedCalls(slot));
  appendShadowDenials(rs.stateDir, { container: rs.id, profilePath: rs.shadow.profile.path, ...(rs.image ? { image: rs.image } : {}) }, r.denials, nowMs);
  return r;
}

export interface ShadowSpec { profile: ResolvedFile }

const list = (names: readonly string[]): string => (names.length > 8 ? `${names.slice(0, 8).join(', ')} and ${names.length - 8} more` : names.join(', '));

/**
 * The container is gone: a last evaluation, then its run in the profile's history (what it did
 * that the profile lacks). Returns lines for the operator.
 */
export function finishShadowRun(rs: RunState & { shadow: ShadowSpec }, slot: Pick<SlotSnapshot, 'counts' | 'argFacts'>, endedAt = new Date()): string[] {
  const warnings: string[] = [];
  try {
    const r = evaluateShadowRun(rs, slot);
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

// --- a recording's history -----------------------------------------------------------------------

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
export function recordingHistory(rs: RunState & { output: ResolvedFile }, slot: Pick<SlotSnapshot, 'counts' | 'argFacts'>, runDir: string, endedAt = new Date()): string | undefined {
  try {
    let prior = NOTHING_ALLOWED;
    try {
      prior = readShadowProfile({ path: priorProfilePath(runDir, rs.id), dir: runDir, name: `${rs.id}.prior` });
    } catch {
      // no earlier profile (or not a readable one): everything the run made is new to it
    }
    const { denials } = shadowEvaluate(prior, observedCalls(slot));
    appendRunHistory(rs.stateDir, {
      profile: rs.output.path, kind: 'recording', container: rs.id, ...(rs.image ? { image: rs.image } : {}),
      startedAt: rs.startedAt, endedAt: endedAt.toISOString(), added: historyAddedOf(denials),
    });
    return undefined;
  } catch (e) {
    return `could not add this run to the history of ${rs.output.path}: ${(e as Error).message}`;
  }
}
