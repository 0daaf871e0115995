// Containers discovered from the runtimes' own state, without any hook: runc (and podman and
// CRI-O, which drive it) keeps /run/runc/<id>/state.json, crun /run/crun/<id>/status. Both are
// written at `create`, before the container's process is let go to exec its workload, and removed
// at `delete`: for `runc run` of a short job that is a few milliseconds. The directories are watched
// (inotify) by a worker thread that does nothing else (discovery-worker.ts), so parsing and flushing
// on the main thread never delay the read; the main thread takes what it found synchronously before
// it attributes a record (drain/settle), so a record is never judged against a stale registry.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { Logger } from 'pino';
import { primaryCgroupPath } from './cgroup-id.js';
import { readProcIdentity, type ProcIdentity } from './proc.js';
import { bootNsToUs } from './lifetime.js';
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

export interface RuntimeState {
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

export interface BundleConfig { annotations: Record<string, string>; seccomp?: unknown }

export function readConfig(bundle: string | undefined): BundleConfig {
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
export type ExitedIdentity = (pid: number) => { startTicks: number; mntNs: number; pidNs: number; startBootNs?: bigint; exitBootNs?: bigint; cgroupId?: number } | undefined;

/** What the worker read while the container was there: its init's /proc identity and its bundle's config. */
export interface Captured {
  proc?: ProcIdentity | undefined;
  config?: BundleConfig;
  cgroupId?: number | undefined;
}

/** cgroup v2 id of a cgroup path: the inode number of its directory (what bpf_get_current_cgroup_id returns). */
export function cgroupIdOf(path: string | undefined): number | undefined {
  if (!path) return undefined;
  try {
    return statSync(join('/sys/fs/cgroup', path)).ino;
  } catch {
    return undefined;
  }
}

/**
 * A registry entry for a runtime's container, or undefined when its process is gone and nobody
 * witnessed it. A container whose workload ran for a few milliseconds is gone before the state
 * file's inotify event is handled: the exit witness still knows its namespaces.
 */
export function entryFromState(runtime: string, st: RuntimeState, exited?: ExitedIdentity, captured?: Captured): RegistryEntry | undefined {
  let proc: { startTicks: number; mntNs?: number; pidNs?: number; cgroupText: string } | undefined = captured ? captured.proc : readProcIdentity(st.pid);
  const w = exited?.(st.pid);
  const witnessed = w && (st.startTicks === undefined || w.startTicks === st.startTicks) ? w : undefined;
  let gone = false;
  if (!proc || proc.pidNs === undefined || (st.startTicks !== undefined && proc.startTicks !== st.startTicks)) {
    proc = witnessed ? { ...witnessed, cgroupText: '' } : undefined;
    gone = true;
  }
  if (!proc) return undefined;
  const config = captured?.config ?? readConfig(st.bundle);
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
  const cgroupId = captured ? captured.cgroupId : cgroupIdOf(cg);
  if (cgroupId) entry.cgroupId = cgroupId;
  else if (witnessed?.cgroupId) entry.cgroupId = witnessed.cgroupId;
  // The witness has the init's exact start, and its exit when it is gone (the lifetime, lifetime.ts).
  if (witnessed?.startBootNs !== undefined) entry.startBootUs = bootNsToUs(witnessed.startBootNs);
  if (gone && witnessed?.exitBootNs !== undefined) entry.exitBootUs = bootNsToUs(witnessed.exitBootNs);
  if (st.bundle) entry.bundle = st.bundle;
  const profilePath = first(annotations, [PODMAN_SECCOMP_ANNOTATION, PROFILE_ANNOTATION]);
  // podman writes "unconfined" or "" when there is no profile file.
  if (profilePath && profilePath.startsWith('/')) entry.profilePath = profilePath;
  // Kept beside the annotation too: the filter that really runs, checked against the named file.
  if (config.seccomp !== undefined) entry.profile = config.seccomp;
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

/** Worker -> main. */
export type DiscoveryMessage =
  | { kind: 'seen'; runtime: RuntimeRoot['runtime']; st: RuntimeState; captured: Captured }
  | { kind: 'gone'; id: string }
  | { kind: 'warn'; dir: string; err: string };

/**
 * The main thread's side of discovery: starts the worker, and hands over what it found either as it
 * arrives (the event loop is idle) or on demand (drain, settle) while the loop is busy parsing.
 */
export class Discovery {
  private worker: Worker | undefined;
  private port: MessagePort | undefined;
  /** [0]: the last sync request the worker has answered. */
  private readonly synced = new Int32Array(new SharedArrayBuffer(4));
  private seq = 0;
  private lastSettle = 0;

  constructor(private readonly on: DiscoveryEvents, private readonly log: Logger, private readonly roots: RuntimeRoot[] = DEFAULT_ROOTS, private readonly exited?: ExitedIdentity) {}

  start(): void {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(new URL('./discovery-worker.js', import.meta.url), {
      workerData: { roots: this.roots, port: port2, synced: this.synced },
      transferList: [port2],
    });
    this.worker.on('error', (e) => this.log.error({ err: e.message }, 'container discovery stopped'));
    this.worker.unref();
    port1.on('message', (m: DiscoveryMessage) => this.handle(m));
    port1.unref();
  }

  /** Everything the worker has posted so far, now. */
  drain(): void {
    if (!this.port) return;
    for (let m = receiveMessageOnPort(this.port); m; m = receiveMessageOnPort(this.port)) this.handle(m.message as DiscoveryMessage);
  }

  /**
   * Asks the worker to rescan the state directories and waits (at most `waitMs`) until it has: a
   * container whose records are being read may have started a moment ago. At most once per
   * `everyMs`, so a flood from a process of no known container does not block the loop.
   */
  settle(waitMs = 100, everyMs = 250): void {
    this.drain();
    if (!this.port || Date.now() - this.lastSettle < everyMs) return;
    const seq = ++this.seq;
    this.port.postMessage({ kind: 'sync', seq });
    const end = Date.now() + waitMs;
    for (let now = Date.now(); Atomics.load(this.synced, 0) < seq && now < end; now = Date.now()) Atomics.wait(this.synced, 0, Atomics.load(this.synced, 0), end - now);
    this.lastSettle = Date.now();
    this.drain();
  }

  private handle(m: DiscoveryMessage): void {
    switch (m.kind) {
      case 'warn':
        this.log.warn({ dir: m.dir, err: m.err }, 'cannot watch a runtime state directory');
        return;
      case 'gone':
        this.on.stopped(m.id);
        return;
      case 'seen': {
        const entry = entryFromState(m.runtime, m.st, this.exited, m.captured);
        if (entry) this.on.started(entry);
        else this.log.warn({ container: m.st.id, initPid: m.st.pid }, 'a container exited before discovery read its process, and no exit witness saw it: its records cannot be attributed');
      }
    }
  }

  close(): void {
    this.port?.close();
    void this.worker?.terminate();
  }
}
