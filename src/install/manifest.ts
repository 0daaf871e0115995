// The record of what `install` changed on this machine, so `uninstall` (and the package's prerm)
// undoes exactly that and nothing else: which files it wrote and what was there before, which
// daemon.json entry it added and the entry it replaced, which systemd units it enabled. Profiles
// and proposals are never in it. Kept in the state directory, root-only.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../fs/atomic-write.js';
import { installManifestInvalid } from '../errors.js';

export type Engine = 'podman' | 'docker' | 'containerd';
export const ENGINES: readonly Engine[] = ['podman', 'docker', 'containerd'];

/** A file install wrote whole (hooks.d file, shim settings, hookd units). */
export interface FileRecord {
  kind: 'file';
  engine: Engine;
  path: string;
  /** sha256 of what install wrote: a file the admin changed since is left alone. */
  sha256: string;
  /** The file's content before seccomp-tailor first wrote it; null: there was none. */
  previous: string | null;
  /** The file is this systemd unit; `enabled`: install ran `systemctl enable --now` on it. */
  systemdUnit?: { name: string; enabled: boolean };
}

/** One runtime entry install merged into Docker's daemon.json (every other key is the admin's). */
export interface DaemonJsonRecord {
  kind: 'daemon-json';
  engine: 'docker';
  path: string;
  runtime: string;
  shimPath: string;
  /** The entry of the same name before seccomp-tailor first replaced it; null: none. */
  previousEntry: unknown;
  /** daemon.json had a "runtimes" object before. */
  hadRuntimes: boolean;
  /** daemon.json did not exist before. */
  created: boolean;
}

export type InstallRecord = FileRecord | DaemonJsonRecord;
export interface InstallManifest { version: 1; entries: InstallRecord[] }

export const MANIFEST_FILE = 'installed.json';
export const manifestPath = (stateDir: string): string => join(stateDir, MANIFEST_FILE);
export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

function checkEntry(e: unknown, i: number, path: string): InstallRecord {
  const bad = (why: string) => installManifestInvalid(path, `entry ${i}: ${why}`);
  if (!isObject(e)) throw bad('not an object');
  if (typeof e.path !== 'string' || !e.path.startsWith('/')) throw bad('"path" is not an absolute path');
  if (!ENGINES.includes(e.engine as Engine)) throw bad('unknown "engine"');
  if (e.kind === 'file') {
    if (typeof e.sha256 !== 'string' || !(e.previous === null || typeof e.previous === 'string')) throw bad('"sha256" or "previous" missing');
    const u = e.systemdUnit;
    if (u !== undefined && !(isObject(u) && typeof u.name === 'string' && /^[\w@.-]+$/.test(u.name) && typeof u.enabled === 'boolean')) throw bad('bad "systemdUnit"');
    return e as unknown as FileRecord;
  }
  if (e.kind === 'daemon-json') {
    if (typeof e.runtime !== 'string' || typeof e.shimPath !== 'string' || typeof e.hadRuntimes !== 'boolean' || typeof e.created !== 'boolean')
      throw bad('"runtime", "shimPath", "hadRuntimes" or "created" missing');
    return e as unknown as DaemonJsonRecord;
  }
  throw bad('unknown "kind"');
}

/** The manifest at `path`; an empty one when install never ran. */
export function readManifest(path: string): InstallManifest {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, entries: [] };
    throw e;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw installManifestInvalid(path, `not JSON: ${(e as Error).message}`);
  }
  if (!isObject(doc) || doc.version !== 1 || !Array.isArray(doc.entries)) throw installManifestInvalid(path, 'expected {"version": 1, "entries": [...]}');
  return { version: 1, entries: doc.entries.map((e, i) => checkEntry(e, i, path)) };
}

export function writeManifest(path: string, m: InstallManifest): void {
  writeFileAtomicSync(path, JSON.stringify(m, null, 2) + '\n', { mode: 0o600 });
}

const sameTarget = (a: InstallRecord, b: InstallRecord): boolean =>
  a.kind === b.kind && a.path === b.path && (a.kind !== 'daemon-json' || a.runtime === (b as DaemonJsonRecord).runtime);

/**
 * Adds what one install did. A repeated install of the same target keeps the state from before the
 * first one (what uninstall restores), not the previous install's own output.
 */
export function addRecord(m: InstallManifest, r: InstallRecord): InstallManifest {
  const old = m.entries.find((e) => sameTarget(e, r));
  let merged = r;
  if (old?.kind === 'file' && r.kind === 'file') merged = { ...r, previous: old.previous };
  if (old?.kind === 'daemon-json' && r.kind === 'daemon-json')
    merged = { ...r, previousEntry: old.previousEntry, hadRuntimes: old.hadRuntimes, created: old.created };
  return { version: 1, entries: [...m.entries.filter((e) => !sameTarget(e, r)), merged] };
}
