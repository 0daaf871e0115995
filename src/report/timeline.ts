// When each syscall of a recording was first seen: the input of the report's growth chart.
// The tracer keeps a first-seen time per (target, phase, arch, nr) in its counts map; a recorder
// that wants the chart writes them next to the profile as `<profile>.timeline.json`, or into the
// container's registry entry as `timeline`. Either form is one array:
//   [{ "name": "openat", "arch": "x86_64", "firstSeen": "2026-11-28T15:00:00.123Z" }, ...]
// (a JSON object with a `timeline` array is read too). Nothing else is required.
import { z } from 'zod';
import { timelineInvalid } from '../errors.js';

export const TimelineEntry = z.looseObject({
  name: z.string().min(1).max(128),
  arch: z.string().min(1).max(32),
  firstSeen: z.iso.datetime({ offset: true }),
});
export type TimelineEntry = z.infer<typeof TimelineEntry>;

export const Timeline = z.array(TimelineEntry).max(100_000);
export type Timeline = z.infer<typeof Timeline>;

const Wrapped = z.looseObject({ timeline: Timeline });

/** The timeline from JSON text (an array, or an object holding one as `timeline`). */
export function parseTimeline(text: string, source: string): Timeline {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw timelineInvalid(source, `not JSON (${(err as Error).message})`);
  }
  const r = Array.isArray(json) ? Timeline.safeParse(json) : Wrapped.safeParse(json);
  if (!r.success) throw timelineInvalid(source, `not a syscall timeline: ${z.prettifyError(r.error)}`);
  return Array.isArray(r.data) ? r.data : r.data.timeline;
}

/** The timeline a registry entry carries, if any (entries without one are the norm). */
export function timelineOfEntry(entry: Record<string, unknown>): Timeline | undefined {
  if (!('timeline' in entry)) return undefined;
  const r = Timeline.safeParse(entry.timeline);
  return r.success ? r.data : undefined;
}

export const sidecarPath = (profilePath: string): string => `${profilePath}.timeline.json`;
