// The hook's side of the container registry (src/state/registry.ts owns the format). The hook
// writes entries itself instead of calling registerContainer because that validates with zod,
// whose import alone costs ~50 ms on every container start; the type import below keeps the
// fields in step with the schema at compile time.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RegistryEntry } from '../../state/registry.js';
import { registryDir } from '../../state/paths.js';
import { writeFileAtomicSync } from '../../fs/atomic-write.js';

function write(stateDir: string, entry: RegistryEntry): void {
  const dir = registryDir(stateDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${entry.id}.json`);
  // No fsync on the container's start path: the watcher's discovery rebuilds a lost entry.
  writeFileAtomicSync(path, JSON.stringify(entry, null, 2) + '\n', { mode: 0o600, durability: 'atomic' });
}

export function registerFromHook(stateDir: string, entry: RegistryEntry): void {
  write(stateDir, entry);
}

/** Marks the entry stopped (the watcher forgets it after its grace period). */
export function markStoppedFromHook(stateDir: string, id: string, when = new Date()): void {
  let entry: RegistryEntry;
  try {
    entry = JSON.parse(readFileSync(join(registryDir(stateDir), `${id}.json`), 'utf8')) as RegistryEntry;
  } catch {
    return;
  }
  if (entry.id !== id || entry.stoppedAt) return;
  write(stateDir, { ...entry, stoppedAt: when.toISOString() });
}
