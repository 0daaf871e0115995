// Which running containers use a profile file: read from the watcher's registry
// (<stateDir>/registry/*.json, one container a file, at least {id, profilePath}). Lenient: a
// missing registry or an unreadable entry only means fewer names in a reminder.
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { registryDir } from '../state/paths.js';

export interface ContainerRef {
  id: string;
  name?: string;
}

export async function containersUsing(stateDir: string, profilePath: string): Promise<ContainerRef[]> {
  const dir = registryDir(stateDir);
  const want = resolve(profilePath);
  const out: ContainerRef[] = [];
  for (const f of (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).sort()) {
    try {
      const e = JSON.parse(await readFile(join(dir, f), 'utf8')) as { id?: unknown; name?: unknown; profilePath?: unknown; stoppedAt?: unknown };
      if (typeof e.id !== 'string' || typeof e.profilePath !== 'string' || e.stoppedAt !== undefined) continue;
      if (resolve(e.profilePath) !== want) continue;
      out.push({ id: e.id, ...(typeof e.name === 'string' ? { name: e.name } : {}) });
    } catch { /* a half-written or foreign file: skip */ }
  }
  return out;
}
