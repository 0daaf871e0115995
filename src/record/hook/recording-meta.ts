// Writes `<of>.meta.json` beside a recorded profile (src/oci/recording-meta.ts says what it holds).
// A convenience, as the timeline: failing to write it never fails the recording.
import { recordingMetaText, META_SUFFIX } from '../../oci/recording-meta.js';
import type { RecordingRunState } from './run-state.js';
import { writeOutput, type OutputOwner } from './safe-paths.js';

export async function writeRecordingMeta(rs: RecordingRunState, owner: OutputOwner, warnings: string[]): Promise<void> {
  if (Buffer.byteLength(rs.output.name) + META_SUFFIX.length > 255) return;
  try {
    const text = recordingMetaText({ version: 1, containerId: rs.id, recordedAt: rs.startedAt, ...(rs.image ? { image: rs.image } : {}) });
    await writeOutput({ ...rs.output, name: rs.output.name + META_SUFFIX, path: rs.output.path + META_SUFFIX }, text, owner, 'atomic');
  } catch (e) {
    warnings.push(`could not write ${rs.output.path}${META_SUFFIX}: ${(e as Error).message}`);
  }
}
