// `<profile>.meta.json`: what a recorded profile was recorded from (the image, the container, when),
// written by the hook beside the profile like `<profile>.timeline.json`. The watcher and `status`
// compare its image digest with the one a container runs the profile under (image drift). Read
// with bounds and checked field by field: it lies in a directory containers name files in.
import { lstatSync, readFileSync } from 'node:fs';
import { digestOf, imageNameOf, type ImageRef } from './image.js';

export const META_SUFFIX = '.meta.json';
const MAX_META_BYTES = 64 * 1024;

export interface RecordingMeta {
  version: 1;
  containerId: string;
  recordedAt: string;
  image?: ImageRef;
}

export const metaPathOf = (profilePath: string): string => profilePath + META_SUFFIX;

export function recordingMetaText(m: RecordingMeta): string {
  return JSON.stringify(m, null, 2) + '\n';
}

/** The meta beside `profilePath`, or undefined when there is none or it is not one. */
export function readRecordingMeta(profilePath: string): RecordingMeta | undefined {
  try {
    const path = metaPathOf(profilePath);
    const st = lstatSync(path);
    if (!st.isFile() || st.size > MAX_META_BYTES) return undefined;
    const o = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    if (o.version !== 1 || typeof o.containerId !== 'string' || typeof o.recordedAt !== 'string') return undefined;
    const img = o.image as Record<string, unknown> | undefined;
    const name = typeof img?.name === 'string' ? imageNameOf(img.name) : undefined;
    const digest = typeof img?.digest === 'string' ? digestOf(img.digest) : undefined;
    return { version: 1, containerId: o.containerId.slice(0, 128), recordedAt: o.recordedAt.slice(0, 64), ...(name || digest ? { image: { ...(name ? { name } : {}), ...(digest ? { digest } : {}) } } : {}) };
  } catch {
    return undefined;
  }
}
