// Recordings the hook refused because every recording slot was in use (the tracer's maximum or
// hook.json `maxRecordings`): one small file each in the state directory, written by the hook,
// counted by the watcher (seccomp_tailor_recordings_refused_total) and listed by `status`.
// The files are read back by root daemons, so they are parsed as hostile: size-capped, fields
// checked, names chosen by the writer (time, pid, random), never by the container.
import { mkdirSync, readFileSync, readdirSync, renameSync, unlinkSync, writeFileSync, lstatSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

export interface RefusedRecording {
  time: string;
  /** The container id from the OCI state (already validated by the hook). */
  id: string;
  /** The slots there were (the limit reached). */
  limit: number;
  /** What the hook did: let the container start unrecorded, or refuse its start. */
  onFailure: 'start' | 'fail';
  /** Where the profile would have gone. */
  output?: string;
}

/** Newest files kept; older ones are pruned by the writer. */
export const REFUSED_KEEP = 500;
const MAX_FILE_BYTES = 4096;
const NAME = /^\d{13}-\d+-[0-9a-f]{8}\.json$/;

export const refusedDir = (stateDir: string): string => join(stateDir, 'refused-recordings');

export function recordRefusal(stateDir: string, r: RefusedRecording): string {
  const dir = refusedDir(stateDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const name = `${String(Date.now()).padStart(13, '0')}-${process.pid}-${randomBytes(4).toString('hex')}.json`;
  const tmp = join(dir, `tmp-${name}`);
  writeFileSync(tmp, JSON.stringify(r) + '\n', { mode: 0o600, flag: 'wx' });
  renameSync(tmp, join(dir, name));
  prune(dir);
  return name;
}

/** The refusal files' names, oldest first (cheap: the watcher polls this). */
export function refusalNames(stateDir: string): string[] {
  try {
    return readdirSync(refusedDir(stateDir)).filter((n) => NAME.test(n)).sort();
  } catch {
    return [];
  }
}

/** The newest `max` refusals, newest first; unreadable or malformed files are skipped. */
export function listRefusals(stateDir: string, max = 20): RefusedRecording[] {
  const out: RefusedRecording[] = [];
  for (const n of refusalNames(stateDir).reverse()) {
    if (out.length >= max) break;
    const r = readRefusal(join(refusedDir(stateDir), n));
    if (r) out.push(r);
  }
  return out;
}

function readRefusal(path: string): RefusedRecording | undefined {
  try {
    const st = lstatSync(path);
    if (!st.isFile() || st.size > MAX_FILE_BYTES) return undefined;
    const o = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    if (typeof o.time !== 'string' || typeof o.id !== 'string' || typeof o.limit !== 'number' || (o.onFailure !== 'start' && o.onFailure !== 'fail')) return undefined;
    if (o.output !== undefined && typeof o.output !== 'string') return undefined;
    return { time: o.time, id: o.id, limit: o.limit, onFailure: o.onFailure, ...(typeof o.output === 'string' ? { output: o.output } : {}) };
  } catch {
    return undefined;
  }
}

function prune(dir: string): void {
  const names = readdirSync(dir).filter((n) => NAME.test(n)).sort();
  for (const n of names.slice(0, Math.max(0, names.length - REFUSED_KEEP))) {
    try {
      unlinkSync(join(dir, n));
    } catch {
      // another hook pruned it first
    }
  }
}
