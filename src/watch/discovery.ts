// Containers discovered from the runtimes' own state, without any hook: runc (and podman and
// CRI-O, which drive it) keeps /run/runc/<id>/state.json, crun /run/crun/<id>/status. Both are
// written at `create`, before the container's process is let go to exec its workload, and removed
// at `delete`. The directories are watched (inotify through fs.watch), never polled, so container
// start pays nothing for it.
import { existsSync, readdirSync, readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, join } from 'node:path';
import type { Logger } from 'pino';
import { primaryCgroupPath } from './cgroup-id.js';
import { readProcIdentity } from './proc.js';
import type { RegistryEntry } from '../state/registry.js';
import { watchBadRuntimeRoot } from '../errors.js';

export interface RuntimeRoot {
  runtime: 'runc' | 'crun';
  dir: string;
}
// podman and CRI-O use the runtimes' default roots; containerd and Docker give runc roots of their
// own (per containerd namespace). Roots that do not exist are skipped.
export const DEFAULT_ROOTS: RuntimeRoot[] = [
  { runtime: 'runc', dir: '/run/runc' },
  { runtime: 'crun', dir: '/run/crun' },
  { runtime: 'runc', dir: '/run/containerd/runc/k8s.io' },
  { runtime: 'runc', dir: '/run/containerd/runc/default' },
  { runtime: 'runc', dir: '/run/docker/runtime-runc/moby' },
];

/** `runc:/run/x` -> a root; throws WATCH_BAD_ARGUMENT for anything else. */
export function parseRuntimeRoot(spec: string): RuntimeRoot {
  const m = /^(runc|crun):(\/.*)$/.exec(spec);
  if (!m || m[2]!.split('/').includes('..')) throw watchBadRuntimeRoot(spec);
  return { runtime: m[1] as 'runc' | 'crun', dir: m[2]! };
}

/** The annotation podman sets to the profile file of `--security-opt seccomp=FILE`. */
export const PODMAN_SECCOMP_ANNOTATION = 'io.podman.annotations.seccomp';
/** Ours, for runtimes and engines that record no profile path. */
export const PROFILE_ANNOTATION = 'io.seccomp-tailor.profile';
const NAME_ANNOTATIONS = ['io.kubernetes.cri-o.ContainerName', 'io.kubernetes.container.name', 'io.podman.annotations.name', 'nerdctl/name'];
const IMAGE_ANNOTATIONS = ['io.kubernetes.cri-o.ImageName', 'io.kubernetes.cri.image-name', 'org.opencontainers.image.ref.name', 'io.podman.annotations.image'];

interface RuntimeState {
  id: string;
  pid: number;
  startTicks?: number;
  bundle?: string;
  annotations: Record<string, string>;
}

/** runc's state.json: pid, start time, and the bundle and annotations as `key=value` labels. */
export function parseRuncState(id: string, text: string): RuntimeState | undefined {
  const s = JSON.parse(text) as { init_process_pid?: number; init_process_start?: number; config?: { labels?: string[] } };
  if (typeof s.init_process_pid !== 'number') return undefined;
  const annotations: Record<string, string> = {};
  let bundle: string | undefined;
  for (const l of s.config?.labels ?? []) {
    const eq = l.indexOf('=');
    if (eq < 0) continue;
    if (l.slice(0, eq) === 'bundle') bundle = l.slice(eq + 1);
    else annotations[l.slice(0, eq)] = l.slice(eq + 1);
  }
  const out: RuntimeState = { id, pid: s.init_process_pid, annotations };
  if (typeof s.init_process_start === 'number') out.startTicks = s.init_process_start;
  if (bundle) out.bundle = bundle;
  return out;
}

/** crun's status file: pid and bundle; the annotations come from the bundle's config.json. */
export function parseCrunStatus(id: string, text: string): RuntimeState | undefined {
  const s = JSON.parse(text) as { pid?: number; bundle?: string; 'process-start-time'?: number };
  if (typeof s.pid !== 'number') return undefined;
  const out: RuntimeState = { id, pid: s.pid, annotations: {} };
  if (typeof s['process-start-time'] === 'number') out.startTicks = s['process-start-time'];
  if (s.bundle) out.bundle = s.bundle;
  return out;
}

function readConfig(bundle: string | undefined): { annotations: Record<string, string>; seccomp?: unknown } {
  if (!bundle) return { annotations: {} };
  try {
    const c = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8')) as { annotations?: Record<string, string>; linux?: { seccomp?: unknown } };
    return { annotations: c.annotations ?? {}, seccomp: c.linux?.seccomp };
  } catch {
    return { annotations: {} };
  }
}

const first = (a: Record<string, string>, keys: string[]): string | undefined => keys.map((k) => a[k]).find((v) => v !== undefined && v !== '');

/** Namespaces of a process that has exited already (the eBPF exit witness), when known. */
export type ExitedIdentity = (pid: number) => { startTicks: number; mntNs: number; pidNs: number } | undefined;

/**
 * A registry entry for a runtime's container, or undefined when its process is gone and nobody
 * witnessed it. A container whose workload ran for a few milliseconds is gone before the state
 * file's inotify event is handled: the exit witness still knows its namespaces.
 */
export function entryFromState(runtime: string, st: RuntimeState, exited?: ExitedIdentity): RegistryEntry | undefined {
  let proc: { startTicks: number; mntNs?: number; pidNs?: number; cgroupText: string } | undefined = readProcIdentity(st.pid);
  if (!proc || proc.pidNs === undefined || (st.startTicks !== undefined && proc.startTicks !== st.startTicks)) {
    const w = exited?.(st.pid);
    proc = w && (st.startTicks === undefined || w.startTicks === st.startTicks) ? { ...w, cgroupText: '' } : undefined;
  }
  if (!proc) return undefined;
  const config = readConfig(st.bundle);
  const annotations = { ...config.annotations, ...st.annotations };
  const entry: RegistryEntry = {
    id: st.id,
    runtime,
    initPid: st.pid,
    initStartTime: st.startTicks ?? proc.startTicks,
    registeredAt: new Date().toISOString(),
    source: 'discovery',
  };
  if (proc.mntNs !== undefined) entry.mntNs = proc.mntNs;
  if (proc.pidNs !== undefined) entry.pidNs = proc.pidNs;
  const cg = primaryCgroupPath(proc.cgroupText);
  if (cg) entry.cgroup = cg;
  if (st.bundle) entry.bundle = st.bundle;
  const profilePath = first(annotations, [PODMAN_SECCOMP_ANNOTATION, PROFILE_ANNOTATION]);
  // podman writes "unconfined" or "" when there is no profile file.
  if (profilePath && profilePath.startsWith('/')) entry.profilePath = profilePath;
  else if (config.seccomp !== undefined) entry.profile = config.seccomp;
  const name = first(annotations, NAME_ANNOTATIONS);
  if (name) entry.name = name;
  const image = first(annotations, IMAGE_ANNOTATIONS);
  if (image) entry.image = image;
  return entry;
}

export interface DiscoveryEvents {
  started(e: RegistryEntry): void;
  stopped(id: string): void;
}

export class Discovery {
  private readonly watchers: FSWatcher[] = [];
  private readonly known = new Map<string, string>(); // id -> runtime root dir
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly dirWatchers = new Map<string, FSWatcher>();

  constructor(private readonly on: DiscoveryEvents, private readonly log: Logger, private readonly roots: RuntimeRoot[] = DEFAULT_ROOTS, private readonly exited?: ExitedIdentity) {}

  start(): void {
    for (const root of this.roots) {
      if (!existsSync(root.dir)) continue;
      try {
        this.watchers.push(watch(root.dir, { persistent: false }, (_ev, name) => { if (name) this.onDir(root, name.toString()); }));
      } catch (e) {
        this.log.warn({ dir: root.dir, err: (e as Error).message }, 'cannot watch a runtime state directory');
        continue;
      }
      for (const id of readdirSync(root.dir)) this.onDir(root, id);
    }
  }

  /**
   * The runtime creates the directory first and renames its state file into it a moment later; a
   * container whose workload lasts milliseconds has its state file for only a few of them (runc:
   * ~4 ms for `uname`). Watching the directory itself catches that rename as it happens.
   */
  private onDir(root: RuntimeRoot, id: string): void {
    const key = join(root.dir, id);
    if (!this.dirWatchers.has(key) && existsSync(key)) {
      try {
        const stateName = basename(this.stateFile(root, id));
        const w = watch(key, { persistent: false }, (_ev, name) => { if (name?.toString() === stateName) this.check(root, id, 0); });
        w.on('error', () => { w.close(); this.dirWatchers.delete(key); });
        this.dirWatchers.set(key, w);
      } catch { /* removed meanwhile */ }
    }
    this.check(root, id, 0);
  }

  private stateFile(root: RuntimeRoot, id: string): string {
    return join(root.dir, id, root.runtime === 'runc' ? 'state.json' : 'status');
  }

  /**
   * The directory appears before its state file is written (and the file is written once, by
   * rename): a few quick retries cover that window without polling for ever.
   */
  private check(root: RuntimeRoot, id: string, attempt: number): void {
    const dir = join(root.dir, id);
    if (!existsSync(dir)) {
      this.dirWatchers.get(dir)?.close();
      this.dirWatchers.delete(dir);
      if (this.known.delete(id)) this.on.stopped(id);
      return;
    }
    if (this.known.has(id)) return;
    let st: RuntimeState | undefined;
    try {
      const text = readFileSync(this.stateFile(root, id), 'utf8');
      st = root.runtime === 'runc' ? parseRuncState(id, text) : parseCrunStatus(id, text);
    } catch {
      st = undefined;
    }
    const entry = st && entryFromState(root.runtime, st, this.exited);
    if (!entry) {
      if (attempt < 6) {
        const t = setTimeout(() => { this.timers.delete(t); this.check(root, id, attempt + 1); }, 5 * 2 ** attempt);
        t.unref();
        this.timers.add(t);
      }
      return;
    }
    this.known.set(id, root.dir);
    this.on.started(entry);
  }

  close(): void {
    for (const w of this.watchers) w.close();
    for (const w of this.dirWatchers.values()) w.close();
    for (const t of this.timers) clearTimeout(t);
  }
}
