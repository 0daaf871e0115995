// The worker thread of discovery.ts: watches the runtimes' state directories (inotify) and reads a
// container's state file, its init's /proc identity and its bundle's config.json the moment the
// state file appears, before a short-lived container's `delete` removes them. It does nothing else,
// so the main thread's parsing and flushing cannot delay it. What it read goes to the main thread.
import { existsSync, readdirSync, readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, join } from 'node:path';
import { workerData, type MessagePort } from 'node:worker_threads';
import { cgroupIdOf, parseCrunStatus, parseRuncState, readConfig, type DiscoveryMessage, type RuntimeRoot, type RuntimeState } from './discovery.js';
import { primaryCgroupPath } from './cgroup-id.js';
import { readProcIdentity } from './proc.js';

const { roots, port, synced } = workerData as { roots: RuntimeRoot[]; port: MessagePort; synced: Int32Array };

const post = (m: DiscoveryMessage) => port.postMessage(m);
/** id -> posted; ids are per root directory (two engines may reuse an id). */
const known = new Set<string>();
const dirWatchers = new Map<string, FSWatcher>();

const stateFile = (root: RuntimeRoot, id: string) => join(root.dir, id, root.runtime === 'runc' ? 'state.json' : 'status');

/**
 * The runtime creates the directory first and renames its state file into it a moment later; a
 * container whose workload lasts milliseconds has its state file for only a few of them (runc:
 * ~4 ms for `uname`). Watching the directory itself catches that rename as it happens.
 */
function onDir(root: RuntimeRoot, id: string): void {
  const key = join(root.dir, id);
  if (!dirWatchers.has(key) && existsSync(key)) {
    try {
      const stateName = basename(stateFile(root, id));
      const w = watch(key, { persistent: false }, (_ev, name) => { if (name?.toString() === stateName) check(root, id, 0); });
      w.on('error', () => { w.close(); dirWatchers.delete(key); });
      dirWatchers.set(key, w);
    } catch { /* removed meanwhile */ }
  }
  check(root, id, 0);
}

function check(root: RuntimeRoot, id: string, attempt: number): void {
  const dir = join(root.dir, id);
  const key = dir;
  if (!existsSync(dir)) {
    dirWatchers.get(dir)?.close();
    dirWatchers.delete(dir);
    if (known.delete(key)) post({ kind: 'gone', id });
    return;
  }
  if (known.has(key)) return;
  let st: RuntimeState | undefined;
  try {
    const text = readFileSync(stateFile(root, id), 'utf8');
    st = root.runtime === 'runc' ? parseRuncState(id, text) : parseCrunStatus(id, text);
  } catch {
    st = undefined;
  }
  if (!st) {
    // The directory appears before its state file is renamed into it: a few quick retries.
    if (attempt < 6) setTimeout(() => check(root, id, attempt + 1), 5 * 2 ** attempt).unref();
    return;
  }
  const proc = readProcIdentity(st.pid);
  const config = readConfig(st.bundle);
  known.add(key);
  post({ kind: 'seen', runtime: root.runtime, st, captured: { proc, config, cgroupId: proc ? cgroupIdOf(primaryCgroupPath(proc.cgroupText)) : undefined } });
}

function scan(root: RuntimeRoot): void {
  let ids: string[];
  try {
    ids = readdirSync(root.dir);
  } catch {
    return;
  }
  for (const id of ids) onDir(root, id);
  // Gone while no event said so (a watch lost to a full inotify queue).
  for (const key of known) if (key.startsWith(root.dir + '/') && !existsSync(key)) check(root, basename(key), 0);
}

for (const root of roots) {
  if (!existsSync(root.dir)) continue;
  try {
    watch(root.dir, { persistent: true }, (_ev, name) => { if (name) onDir(root, name.toString()); });
  } catch (e) {
    post({ kind: 'warn', dir: root.dir, err: (e as Error).message });
    continue;
  }
  scan(root);
}

// settle(): the main thread waits on `synced` until this rescan is done.
port.on('message', (m: { kind: 'sync'; seq: number }) => {
  if (m.kind !== 'sync') return;
  for (const root of roots) if (existsSync(root.dir)) scan(root);
  Atomics.store(synced, 0, m.seq);
  Atomics.notify(synced, 0);
});
