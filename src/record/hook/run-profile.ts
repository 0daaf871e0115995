// THE profile of a recording, as poststop writes it when the container stops, `flush` while it
// runs, and `report --live` shows: built from the slot's counts, the runtime's measured needs and
// the argument facts (profile-builder.ts), merged into the baseline, and written with its
// companions (the first-seen timeline, the recording's metadata, the profile index).
import type { OutputOwner } from './safe-paths.js';
import { writeOutput, readBaseline } from './safe-paths.js';
import { mark } from './timing.js';
import type { RecordingRunState, RunState } from './run-state.js';
import { buildRecordedProfile, mergeWithBaseline, type BuiltProfile } from '../profile-builder.js';
import type { ArgNoteCode } from '../arg-rules.js';
import { cachedRuntimeVersion, runtimeNeedsFor, runtimeVersion } from '../runtime-needs.js';
import type { SlotSnapshot } from '../tracer.js';
import { PHASE } from '../tracer-layout.js';
import { indexProfileFile } from '../../state/profile-index.js';
import { writeRecordingMeta } from './recording-meta.js';

export interface WrittenProfile {
  written?: string;
  syscalls?: number;
  warnings: string[];
}

/**
 * `<of>.timeline.json` beside the profile: when each workload syscall was first seen, from the
 * tracer's first-seen times, so `report PROFILE` can draw the profile's growth after the
 * container is gone. A convenience: failing to write it never fails the recording.
 */
async function writeTimeline(rs: RecordingRunState, slot: SlotSnapshot, warnings: string[], owner: OutputOwner): Promise<void> {
  const suffix = '.timeline.json';
  if (Buffer.byteLength(rs.output.name) + suffix.length > 255) return;
  try {
    const { nameCounts } = await import('../named-calls.js');
    const { timelineFromCalls } = await import('../first-seen.js');
    const timeline = timelineFromCalls(nameCounts(slot.counts, [PHASE.workload]).named);
    // A convenience beside the profile: atomic, without the two fsyncs inside `runc run`.
    await writeOutput({ ...rs.output, name: rs.output.name + suffix, path: rs.output.path + suffix }, JSON.stringify(timeline, null, 2) + '\n', owner, 'atomic');
  } catch (e) {
    warnings.push(`could not write ${rs.output.path}${suffix}: ${(e as Error).message}`);
  }
}

// Notes an operator should hear about at once, by code (rewording a note changes nothing here);
// the routine ones (clone3's, a runtime need's) are in the profile's risk notes (`profile stats`, `report`).
const NOTEWORTHY: ReadonlySet<ArgNoteCode> = new Set<ArgNoteCode>(['SET_OVERFLOW', 'SET_LOST', 'TOO_MANY_VALUES', 'ARCHES_DIFFER', 'NETLINK_NO_PROTOCOL', 'SOCKETCALL_X86']);

/**
 * THE profile of what a slot recorded so far, as poststop writes it (flush and `report --live`
 * show the same): the workload's calls, the runtime's measured needs, argument rules, families,
 * merged into the baseline; with what the operator should hear about it.
 */
export async function profileSoFar(rs: RunState, slot: SlotSnapshot, versionCacheDir?: string): Promise<{ built: BuiltProfile; text: string; warnings: string[] }> {
  const warnings: string[] = [];
  const { nativeArch } = await import('../../native/libseccomp.js');
  const exe = rs.runtime.exe;
  const version = !exe ? undefined : versionCacheDir ? cachedRuntimeVersion(exe, versionCacheDir) : runtimeVersion(exe);
  const needs = runtimeNeedsFor(rs.runtime.name, version, nativeArch());
  if (needs.warning) warnings.push(needs.warning);
  // A runtime with no table falls back to every runtime known: still portable.
  const extra = (rs.alsoRuntimes ?? []).filter((r) => r !== rs.runtime.name).flatMap((r) => runtimeNeedsFor(r, undefined, nativeArch()).names);
  const built = buildRecordedProfile({
    counts: slot.counts, runtimeNeeds: [...new Set([...needs.names, ...extra])],
    argFacts: slot.argFacts, namesOnly: rs.namesOnly === true, clone3: rs.clone3 ?? 'allow', families: rs.families ?? 'enosys',
  });
  for (const n of built.argNotes) if (NOTEWORTHY.has(n.code)) warnings.push(`argument rules: ${n.syscall} ${n.note}`);
  if (built.unexpectedRuntimeCalls.length)
    warnings.push(`the runtime made ${built.unexpectedRuntimeCalls.join(', ')} after installing the filter, which the measured table for ${needs.source} lacks: added them; re-measure with \`seccomp-tailor runtime-needs measure\``);
  if (built.unknown.length) warnings.push(`${built.unknown.length} syscall numbers no libseccomp table names were left out`);
  const st = slot.state;
  if (st.dropped) warnings.push(`${st.dropped} out-of-range syscall numbers were ignored`);
  if (st.argsLost) warnings.push(`the tracer had no room for ${st.argsLost} argument sets of this recording (its share of the kernel map): those syscalls keep their names only`);
  let text = built.text;
  if (rs.input) {
    const merged = await mergeWithBaseline(text, readBaseline(rs.input), rs.input.path);
    text = merged.text;
    warnings.push(...merged.warnings);
  }
  if (rs.enforcingFilter) warnings.push(`recorded under an enforcing filter (${rs.enforcingFilter}): calls it denied are missing`);
  return { built, text, warnings };
}

/** Writes the profile of what a slot recorded so far (poststop, and `flush` while it runs). */
export async function writeProfile(rs: RecordingRunState, slot: SlotSnapshot, versionCacheDir?: string, replaceable: readonly string[] = []): Promise<WrittenProfile> {
  const { built, text, warnings } = await profileSoFar(rs, slot, versionCacheDir);
  mark('built');
  const owner = { stateDir: rs.stateDir, containerId: rs.id, replaceable };
  await writeOutput(rs.output, text, owner);
  mark('written');
  try {
    // Docker embeds the profile and forgets its path: the watcher finds the file through this.
    indexProfileFile(rs.stateDir, rs.output.path, text);
  } catch (e) {
    warnings.push(`could not note ${rs.output.path} in the profile index: ${(e as Error).message}`);
  }
  await writeTimeline(rs, slot, warnings, owner);
  await writeRecordingMeta(rs, owner, warnings);
  return { written: rs.output.path, syscalls: built.names.length, warnings };
}
