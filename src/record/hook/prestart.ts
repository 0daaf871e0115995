// prestart: tag the container's init in the shared (pinned) tracer and return. Everything the
// init and its descendants do from now on is counted in the kernel; no process of ours stays.
// The runtime runs prestart after the init exists and before it execs the workload, so no early
// syscall is missed.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { parseShadowAnnotation, parseTraceAnnotation, SHADOW_ANNOTATION, TRACE_ANNOTATION } from '../../oci/annotation.js';
import type { OciState } from '../../oci/state.js';
import { mark } from './timing.js';
import { hookNoPid } from '../../errors.js';
import type { HookConfig } from './config.js';
import { checkBaseline, ensureDefaultDir, openDirNoFollow, resolveAllowed, type ResolvedFile } from './safe-paths.js';
import { readCheckedProfile } from './checked-profile.js';
import type { RunState } from './run-state.js';
import { cgroupOf, engineOf, nsInode, parentRuntime } from '../container-facts.js';
import { registerFromHook } from './registry.js';
import { imageOfContainer } from '../../oci/image.js';

export interface PrestartResult {
  traced: boolean;
  slot?: number;
  warnings: string[];
  /** Lines for the runtime's own stderr as well as the hook's log: a request refused while the container starts anyway. */
  notices: string[];
}

const MAX_CONFIG_BYTES = 16 << 20;

/**
 * The shadowed profile, checked now (allowed directories, no symlink, root's file, a profile), or
 * undefined with one line in `notices`: a bad shadow request never stops the container, nor its
 * recording.
 */
function shadowRequest(value: string, cfg: HookConfig, id: string, notices: string[]): ResolvedFile | undefined {
  try {
    const file = resolveAllowed(parseShadowAnnotation(value), cfg.allowedDirs, cfg.defaultDir);
    readCheckedProfile(file);
    return file;
  } catch (e) {
    notices.push(`${id}: not shadowed: ${(e as Error).message}`);
    return undefined;
  }
}

/** `runtimePid`: the runtime that runs the hook, when it is not our parent (hookd, native entry). */
export async function prestart(state: OciState, cfg: HookConfig, runtimePid?: number): Promise<PrestartResult> {
  const value = state.annotations[TRACE_ANNOTATION];
  const shadowValue = state.annotations[SHADOW_ANNOTATION];
  const notices: string[] = [];
  if (value === undefined && shadowValue === undefined) return { traced: false, warnings: [], notices };
  let shadow = shadowValue === undefined ? undefined : shadowRequest(shadowValue, cfg, state.id, notices);
  if (value === undefined && !shadow) return { traced: false, warnings: [], notices };
  const req = value === undefined ? undefined : parseTraceAnnotation(value);
  if (!state.pid) throw hookNoPid(state.id);

  const output = req && resolveAllowed(req.output, cfg.allowedDirs, cfg.defaultDir);
  if (output) {
    if (output.dir === cfg.defaultDir) ensureDefaultDir(cfg.defaultDir);
    openDirNoFollow(output.dir).close();
  }
  const input = req?.input === undefined ? undefined : resolveAllowed(req.input, cfg.allowedDirs, cfg.defaultDir);
  if (input) checkBaseline(input);
  if (shadow && output && shadow.path === output.path) {
    // The recording would rewrite the very profile being judged while it is judged.
    notices.push(`${state.id}: not shadowed: ${shadow.path} is also the file the recording writes (of:); shadow another file or record into another`);
    shadow = undefined;
  }

  const warnings: string[] = [];
  const bundleCfg = readBundleConfig(state.bundle);
  const enforcing = enforcingAction(bundleCfg);
  // Shadowing under the engine's enforcing default is the point; a recording under one misses calls.
  if (enforcing && output) {
    warnings.push(`container ${state.id} runs under an enforcing seccomp filter (defaultAction ${enforcing}): syscalls that filter denies never reach the tracer, so they are missing from ${output.path}; record with --security-opt seccomp=unconfined or a complain (SCMP_ACT_LOG) profile`);
  }

  mark('checked');
  const { Recording } = await import('./recording.js');
  const image = imageOfContainer(state.annotations, state.bundle, state.id);
  const engine = engineOf(state.annotations);
  const started = Recording.start(cfg, {
    id: state.id, initPid: state.pid, bundle: state.bundle,
    ...(output ? { output } : {}), ...(input ? { input } : {}), ...(shadow ? { shadow: { profile: shadow } } : {}),
    runtime: parentRuntime(runtimePid), ...(engine ? { engine } : {}),
    noNewPrivileges: bundleCfg?.process?.noNewPrivileges === true,
    ...(enforcing ? { enforcingFilter: enforcing } : {}),
    ...(cfg.alsoRuntimes.length ? { alsoRuntimes: cfg.alsoRuntimes } : {}),
    ...(cfg.namesOnly ? { namesOnly: true } : {}), ...(cfg.clone3 === 'enosys' ? { clone3: 'enosys' as const } : {}),
    ...(cfg.families !== 'enosys' ? { families: cfg.families } : {}),
    ...(image.name || image.digest ? { image } : {}),
  });
  const recording = started.recording;
  warnings.push(...started.warnings);
  try {
    mark('tagged');
    try {
      register(recording.rs, state, bundleCfg, warnings);
    } catch (e) {
      // The watcher's map is a convenience; the recording must not fail for it.
      warnings.push(`could not register container ${state.id} for the watcher: ${(e as Error).message}`);
    }
    return { traced: true, slot: recording.target.slot, warnings, notices };
  } finally {
    recording.close();
  }
}

interface BundleConfig {
  process?: { noNewPrivileges?: boolean };
  linux?: { seccomp?: { defaultAction?: string } & Record<string, unknown> };
}

/**
 * The bundle's config.json, or undefined. The bundle is the caller's: its config.json may be a FIFO
 * (a blocking read would stall hookd, which serves every container on the host), a symlink or
 * huge. Opened non-blocking without following a link, checked to be a bounded regular file by
 * fstat of what was opened, then read.
 */
export function readBundleConfig(bundle: string): BundleConfig | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(`${bundle}/config.json`, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > MAX_CONFIG_BYTES) return undefined;
    const buf = Buffer.alloc(st.size + 1);
    const n = readSync(fd, buf, 0, buf.length, 0);
    if (n > st.size) return undefined; // grew while we read: not the file we sized
    return JSON.parse(buf.subarray(0, n).toString('utf8')) as BundleConfig;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The default action when it denies (the tracer only sees what the filter lets through). */
export function enforcingAction(c: BundleConfig | undefined): string | undefined {
  const a = c?.linux?.seccomp?.defaultAction;
  return a && a !== 'SCMP_ACT_ALLOW' && a !== 'SCMP_ACT_LOG' ? a : undefined;
}

function register(rs: RunState, state: OciState, bundleCfg: BundleConfig | undefined, notes: readonly string[]): void {
  const profilePath = state.annotations['io.podman.annotations.seccomp'];
  const mntNs = nsInode(rs.initPid, 'mnt');
  const pidNs = nsInode(rs.initPid, 'pid');
  const cgroup = cgroupOf(rs.initPid);
  registerFromHook(rs.stateDir, {
    id: rs.id, runtime: rs.engine ?? rs.runtime.name, initPid: rs.initPid, initStartTime: rs.initStartTime,
    ...(mntNs ? { mntNs } : {}), ...(pidNs ? { pidNs } : {}), ...(cgroup ? { cgroup } : {}),
    bundle: rs.bundle,
    ...(profilePath ? { profilePath } : bundleCfg?.linux?.seccomp ? { profile: bundleCfg.linux.seccomp } : {}),
    source: 'hook', registeredAt: rs.startedAt,
    // For the watcher and operators: e.g. that this recording missed what the filter denied.
    ...(notes.length ? { recordingNotes: [...notes] } : {}),
  });
}

