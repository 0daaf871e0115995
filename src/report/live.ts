// A container the hook is recording right now: its profile so far and when each of its syscalls
// first appeared, read from the pinned tracer's maps (the counts keep a first-seen time per
// (phase, arch, nr)). Read-only: it never loads the tracer and never touches the slot, so the
// container's poststop still writes the profile as usual.
import type { ArgFact } from '../record/arg-facts.js';
import type { TracerTarget } from '../record/tracer.js';
import { existsSync } from 'node:fs';
import { reportNoProfile } from '../errors.js';
import type { SeccompProfile } from '../profile/schema.js';
import type { ContainerFacts } from './model.js';
import type { Timeline } from './timeline.js';
import { timelineFromCalls } from '../record/first-seen.js';

export interface LiveRecording {
  profile: SeccompProfile;
  timeline: Timeline;
  container: ContainerFacts;
  /** Where the hook will write the profile (`of:`). */
  output: string;
}

export async function liveRecording(id: string, hookConfigPath?: string): Promise<LiveRecording> {
  const { loadHookConfig } = await import('../record/hook/config.js');
  const { readRunState } = await import('../record/hook/run-state.js');
  const cfg = loadHookConfig(hookConfigPath);
  const rs = readRunState(cfg.runDir, id);
  if (!rs) throw reportNoProfile(`container ${id} is not being recorded (no run state in ${cfg.runDir})`);
  // Tracer.shared() would load and pin a fresh (empty) tracer: a report must not do that.
  if (!existsSync(rs.pinRoot)) throw reportNoProfile(`the tracer of container ${id} is not loaded (${rs.pinRoot} is gone): its recording is lost`);
  const { Tracer } = await import('../record/tracer.js');
  const { argumentProfileOf } = await import('../record/recorded-profile.js');
  const { nameCounts } = await import('../record/named-calls.js');
  const { PHASE } = await import('../record/tracer-layout.js');
  const { runtimeNeedsFor, runtimeVersion } = await import('../record/runtime-needs.js');
  const { nativeArch } = await import('../native/libseccomp.js');
  const tracer = Tracer.shared(rs.pinRoot);
  let counts;
  let facts: ArgFact[] | undefined;
  try {
    const target = tracer.target(rs.slot, rs.generation) as TracerTarget & { argFacts?: () => ArgFact[] };
    counts = target.syscalls();
    facts = typeof target.argFacts === 'function' ? target.argFacts() : undefined;
  } catch (e) {
    throw reportNoProfile(`container ${id}: ${(e as Error).message}`);
  } finally {
    tracer.close();
  }
  // Phase 2 is the workload (after its first execve); the profile adds what the runtime was
  // measured to need, as the hook's own profile does.
  const { named } = nameCounts(counts, [PHASE.workload]);
  const needs = runtimeNeedsFor(rs.runtime.name, rs.runtime.exe ? runtimeVersion(rs.runtime.exe) : undefined, nativeArch());
  return {
    // With the argument rules the hook will write (the same options it was started with).
    profile: argumentProfileOf(named, needs.names, {
      ...(facts ? { facts } : {}), runtimeNames: needs.names, namesOnly: rs.namesOnly === true, clone3: rs.clone3 ?? 'allow',
    }).profile,
    timeline: timelineFromCalls(named),
    container: { id, runtime: rs.engine ? `${rs.engine}/${rs.runtime.name}` : rs.runtime.name, registeredAt: rs.startedAt },
    output: rs.output?.path ?? `(shadowing ${rs.shadow?.profile.path ?? '?'})`,
  };
}
