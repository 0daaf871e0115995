// The container registry: one JSON file per container in <stateDir>/registry/<id>.json. Written by
// the record hook when it runs anyway and by the watcher's own discovery of runc/crun state; read
// by the watcher's mapper and by `apply` (to name the containers that must restart).
import { mkdirSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../fs/atomic-write.js';
import { z } from 'zod';
import { registryDir } from './paths.js';
import { CONTAINER_ID } from '../oci/state.js';
import { registryEntryInvalid } from '../errors.js';

// An OCI container id becomes a file name: no path separators, no leading dot.
const containerId = z.string().regex(CONTAINER_ID, 'a container id is letters, digits, _ . - (at most 128)');

export const RegistryEntry = z.looseObject({
  id: containerId,
  /** runc, crun, podman, cri-o, ... */
  runtime: z.string().min(1),
  name: z.string().optional(),
  image: z.string().optional(),
  initPid: z.number().int().positive(),
  /** /proc/<initPid>/stat field 22 (clock ticks after boot): with initPid, survives pid reuse. */
  initStartTime: z.number().int().nonnegative(),
  mntNs: z.number().int().positive().optional(),
  pidNs: z.number().int().positive().optional(),
  /** The init process's cgroup path (v2, else the most telling v1 hierarchy). */
  cgroup: z.string().optional(),
  bundle: z.string().optional(),
  /** The profile file the container was started with (annotation), when there is one. */
  profilePath: z.string().optional(),
  /** Else the profile embedded in config.json's linux.seccomp. */
  profile: z.unknown().optional(),
  /** Who wrote the entry. */
  source: z.enum(['hook', 'discovery']).optional(),
  registeredAt: z.string(),
  stoppedAt: z.string().optional(),
  /** The init's start and exit, CLOCK_BOOTTIME microseconds, when the exit witness saw them: the
   * container's lifetime in the kernel's clock (src/watch/lifetime.ts). */
  startBootUs: z.number().int().nonnegative().optional(),
  exitBootUs: z.number().int().nonnegative().optional(),
  /** cgroup v2 id (the cgroup directory's inode number) of the init. */
  cgroupId: z.number().int().positive().optional(),
});
export type RegistryEntry = z.infer<typeof RegistryEntry>;

export const registryEntryPath = (stateDir: string, id: string): string => join(registryDir(stateDir), `${id}.json`);


/** Records a running container (atomically: readers never see half a file). */
export function registerContainer(stateDir: string, entry: RegistryEntry): void {
  const r = RegistryEntry.safeParse(entry);
  if (!r.success) throw registryEntryInvalid(String((entry as { id?: unknown }).id), z.prettifyError(r.error));
  mkdirSync(registryDir(stateDir), { recursive: true, mode: 0o700 });
  writeFileAtomicSync(registryEntryPath(stateDir, r.data.id), JSON.stringify(r.data, null, 2) + '\n', { mode: 0o600 });
}

/**
 * Marks a container stopped. The entry stays for a grace period (see forgetStopped) because the
 * audit records of its last moments can reach the log after the runtime's poststop hook ran.
 */
export function unregisterContainer(stateDir: string, id: string, stoppedAt: Date = new Date()): boolean {
  const entry = readRegistryEntry(stateDir, id);
  if (!entry) return false;
  if (entry.stoppedAt === undefined) registerContainer(stateDir, { ...entry, stoppedAt: stoppedAt.toISOString() });
  return true;
}

export function readRegistryEntry(stateDir: string, id: string): RegistryEntry | undefined {
  if (!containerId.safeParse(id).success) return undefined;
  let text: string;
  try {
    text = readFileSync(registryEntryPath(stateDir, id), 'utf8');
  } catch {
    return undefined;
  }
  return parseEntry(text);
}

export function parseEntry(text: string): RegistryEntry | undefined {
  try {
    const r = RegistryEntry.safeParse(JSON.parse(text));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

/** Every readable entry; unreadable or foreign files are skipped (a half-deleted file is not fatal). */
export function readRegistry(stateDir: string): RegistryEntry[] {
  let names: string[];
  try {
    names = readdirSync(registryDir(stateDir));
  } catch {
    return [];
  }
  const out: RegistryEntry[] = [];
  for (const n of names) {
    if (!n.endsWith('.json')) continue;
    const e = readRegistryEntry(stateDir, n.slice(0, -'.json'.length));
    if (e) out.push(e);
  }
  return out;
}

/** Deletes entries stopped longer ago than `graceMs`; returns their ids. */
export function forgetStopped(stateDir: string, graceMs: number, now: number = Date.now()): string[] {
  const gone: string[] = [];
  for (const e of readRegistry(stateDir)) {
    if (e.stoppedAt === undefined || now - Date.parse(e.stoppedAt) < graceMs) continue;
    try {
      unlinkSync(registryEntryPath(stateDir, e.id));
      gone.push(e.id);
    } catch {
      // Removed by someone else meanwhile: the same outcome.
    }
  }
  return gone;
}
