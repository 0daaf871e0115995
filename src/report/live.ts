// A container the hook is recording right now: the profile poststop would write now and when each
// of its syscalls first appeared (src/record/hook/so-far.ts reads them). Read-only: it never loads
// the tracer and never touches the slot, so the container's poststop still writes as usual.
import { reportNoProfile } from '../errors.js';
import type { SeccompProfile } from '../profile/schema.js';
import { buildReport, type ContainerFacts, type ReportModel } from './model.js';
import type { Timeline } from './timeline.js';
import { timelineFromCalls } from '../record/first-seen.js';
import { reportReference } from './reference.js';

export interface LiveReportOptions {
  /** The container the hook is recording now. */
  id: string;
  /** The hook's config (where its run states are). */
  hookConfig?: string;
  defaultProfile?: string;
}

/** The report of a container being recorded: its profile so far, and when each syscall first appeared. */
export async function loadLiveReport(o: LiveReportOptions): Promise<ReportModel> {
  const live = await liveRecording(o.id, o.hookConfig);
  return buildReport({
    profile: live.profile,
    source: `live recording of ${o.id} (to be written to ${live.output})`,
    ...(await reportReference(o.defaultProfile)),
    timeline: live.timeline,
    container: live.container,
  });
}

export interface LiveRecording {
  profile: SeccompProfile;
  timeline: Timeline;
  container: ContainerFacts;
  /** Where the hook will write the profile (`of:`). */
  output: string;
}

export async function liveRecording(id: string, hookConfigPath?: string): Promise<LiveRecording> {
  const { recordingSoFar } = await import('../record/hook/so-far.js');
  const now = await recordingSoFar(id, hookConfigPath).catch((e: Error) => { throw reportNoProfile(`container ${id}: ${e.message}`); });
  if (!now) throw reportNoProfile(`container ${id} is not being recorded (no run state in the hook's run directory)`);
  return {
    // Exactly what poststop will write (the runtime's needs, argument rules, families, baseline).
    profile: JSON.parse(now.text) as SeccompProfile,
    timeline: timelineFromCalls(now.calls),
    container: { id, runtime: now.container.runtime, registeredAt: now.container.startedAt },
    output: now.output,
  };
}
