// Docker: a runtime entry merged into daemon.json (every other key kept, a backup written first);
// dockerd reloads "runtimes" on SIGHUP. Uninstall takes out that entry again, or puts back the
// one it replaced.
import { copyFileSync, existsSync, mkdirSync, readFileSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { mergeDaemonJson } from '../oci/engine-config.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { installBadDaemonJson } from '../errors.js';
import { allowedDirsNote } from './allowed-dirs-note.js';
import { shimRuntime } from './shim-runtime.js';
import type { DaemonJsonRecord } from './manifest.js';
import type { DockerInstall } from './options.js';
import type { Recorder, Say } from './recorder.js';

const backupName = (path: string): string => `${path}.seccomp-tailor-${new Date().toISOString().replace(/[:.]/g, '-')}.bak`;

const runtimesOf = (doc: Record<string, unknown>): Record<string, unknown> | undefined =>
  doc.runtimes && typeof doc.runtimes === 'object' && !Array.isArray(doc.runtimes) ? (doc.runtimes as Record<string, unknown>) : undefined;

export async function installDocker(o: DockerInstall, rec: Recorder, say: Say): Promise<void> {
  const r = shimRuntime(o);
  const path = o.daemonJson;
  const existing = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  // Validates the file first: nothing is written when dockerd could not read it either.
  const merged = mergeDaemonJson(existing, r, path);
  const before = existing?.trim() ? (JSON.parse(existing) as Record<string, unknown>) : {};
  const runtimes = runtimesOf(before);
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  let backup: string | undefined;
  if (existing !== undefined) copyFileSync(path, (backup = backupName(path)));
  rec.add({
    kind: 'daemon-json', engine: 'docker', path, runtime: r.name, shimPath: r.shimPath,
    previousEntry: runtimes && Object.hasOwn(runtimes, r.name) ? runtimes[r.name] : null,
    hadRuntimes: runtimes !== undefined, created: existing === undefined,
  });
  await writeFileAtomic(path, merged.text, { mode: 0o644 });
  say(`seccomp-tailor: ${merged.replaced ? 'replaced' : 'added'} the runtime "${r.name}" in ${path}${backup ? ` (the previous file is ${backup})` : ''}\n` +
    `  dockerd reloads "runtimes" on SIGHUP: sudo systemctl reload docker (or restart it)\n` +
    (r.recordDir
      ? `  record: docker run --runtime ${r.name} --security-opt seccomp=unconfined IMAGE ...   -> ${r.recordDir}/<container id>.json\n`
      : `  record: docker run --runtime ${r.name} --annotation io.containers.trace-syscall=of:FILE IMAGE ...   (Docker >= 24)\n`) +
    `  replay: docker run --security-opt seccomp=FILE IMAGE ...\n${allowedDirsNote(r.hookConfig)}`);
}

/** Takes our runtime entry out of daemon.json (after a backup); false: it is not ours any more. */
export async function uninstallDaemonJson(r: DaemonJsonRecord, say: Say): Promise<boolean> {
  if (!existsSync(r.path)) return true;
  const text = readFileSync(r.path, 'utf8');
  let doc: Record<string, unknown>;
  try {
    const parsed: unknown = text.trim() ? JSON.parse(text) : {};
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
    doc = parsed as Record<string, unknown>;
  } catch (e) {
    throw installBadDaemonJson(r.path, (e as Error).message);
  }
  const runtimes = runtimesOf(doc);
  const entry = runtimes?.[r.runtime] as { path?: unknown } | undefined;
  if (!runtimes || entry?.path !== r.shimPath) {
    say(`seccomp-tailor: ${r.path}: the runtime "${r.runtime}" no longer runs ${r.shimPath}: left as it is`);
    return false;
  }
  const nextRuntimes = { ...runtimes };
  if (r.previousEntry !== null && r.previousEntry !== undefined) nextRuntimes[r.runtime] = r.previousEntry;
  else delete nextRuntimes[r.runtime];
  const next: Record<string, unknown> = { ...doc, runtimes: nextRuntimes };
  if (!r.hadRuntimes && Object.keys(nextRuntimes).length === 0) delete next.runtimes;
  const backup = backupName(r.path);
  copyFileSync(r.path, backup);
  if (r.created && Object.keys(next).length === 0) unlinkSync(r.path);
  else await writeFileAtomic(r.path, JSON.stringify(next, null, 2) + '\n', { mode: 0o644 });
  say(`seccomp-tailor: ${r.previousEntry ? 'restored the previous' : 'removed the'} runtime "${r.runtime}" in ${r.path} (the file before is ${backup});` +
    ' reload dockerd: sudo systemctl reload docker');
  return true;
}
