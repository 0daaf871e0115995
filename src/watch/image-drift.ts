// Image drift: a container runs a profile that was recorded from another image (digest). The
// newer image may call what the older one never did (a new libc, a new code path), so the
// profile's fit is unproven there. The recording's image is in `<profile>.meta.json` (the hook
// writes it); the running one comes from the container's config.json annotations or podman's
// storage record (src/oci/image.ts). Said once per container: a log line and a metric.
import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { imageOfContainer, type ImageRef } from '../oci/image.js';
import { readRecordingMeta } from '../oci/recording-meta.js';
import { findProfileFile } from '../state/profile-index.js';
import type { RegistryEntry } from '../state/registry.js';

export interface ImageDrift {
  container: string;
  profile: string;
  recordedFrom: ImageRef & { containerId: string; recordedAt: string };
  running: ImageRef;
}

const MAX_CONFIG_BYTES = 4 << 20;

function bundleAnnotations(bundle: string | undefined): Record<string, string> | undefined {
  if (!bundle) return undefined;
  try {
    const path = join(bundle, 'config.json');
    const st = lstatSync(path);
    if (!st.isFile() || st.size > MAX_CONFIG_BYTES) return undefined;
    const a = (JSON.parse(readFileSync(path, 'utf8')) as { annotations?: unknown }).annotations;
    return a && typeof a === 'object' && !Array.isArray(a) ? (a as Record<string, string>) : undefined;
  } catch {
    return undefined;
  }
}

/** The drift of one registered container, or undefined (no meta, no digest on either side, same digest). */
export function imageDriftOf(stateDir: string, entry: RegistryEntry): ImageDrift | undefined {
  const profile = entry.profilePath ?? (entry.profile === undefined ? undefined : findProfileFile(stateDir, entry.profile));
  if (!profile) return undefined;
  const meta = readRecordingMeta(profile);
  if (!meta?.image?.digest) return undefined;
  const running = imageOfContainer(bundleAnnotations(entry.bundle), entry.bundle, entry.id);
  if (!running.digest || running.digest === meta.image.digest) return undefined;
  return { container: entry.id, profile, recordedFrom: { ...meta.image, containerId: meta.containerId, recordedAt: meta.recordedAt }, running };
}

export const describeDrift = (d: ImageDrift): string =>
  `${d.container.slice(0, 12)} runs ${d.profile}, recorded from ${d.recordedFrom.name ?? '?'} (${d.recordedFrom.digest}), under ${d.running.name ?? '?'} (${d.running.digest}): the profile's fit is unproven for this image`;

const counters = new WeakMap<Registry, Counter>();

/** The watcher's one call: log and count a container that runs a profile recorded from another image. */
export function noticeImageDrift(stateDir: string, entry: RegistryEntry, log: Logger, registry: Registry): void {
  let c = counters.get(registry);
  if (!c) counters.set(registry, (c = new Counter({ name: 'seccomp_tailor_watch_image_drift_total', help: 'Containers started with a profile recorded from another image digest', registers: [registry] })));
  let d: ImageDrift | undefined;
  try {
    d = imageDriftOf(stateDir, entry);
  } catch (e) {
    log.debug({ container: entry.id, err: (e as Error).message }, 'image drift check failed');
  }
  if (!d) return;
  c.inc();
  log.warn({ container: d.container, profile: d.profile, recordedFrom: d.recordedFrom, running: d.running }, 'image drift: the container runs a profile recorded from another image');
}
