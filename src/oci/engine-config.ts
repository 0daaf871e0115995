// What Docker and containerd need to run containers through seccomp-tailor-runc. Neither runs OCI
// hooks (moby#36987; containerd 1.6 has no NRI), but both run a runc-compatible binary of the
// admin's choice: dockerd's daemon.json `runtimes` (runtimeArgs go before runc's own arguments),
// containerd's CRI runtime `options.BinaryName` (no arguments: the shim reads
// /etc/seccomp-tailor/runtime-shim.json). Pure: text in, text out.
import { installBadDaemonJson } from '../errors.js';

export const DEFAULT_DAEMON_JSON = '/etc/docker/daemon.json';
export const SHIM_CONFIG = '/etc/seccomp-tailor/runtime-shim.json';
export const DEFAULT_RUNTIME_NAME = 'st-record';

export interface ShimRuntime {
  /** The runtime's name in the engine (`docker run --runtime NAME`, the RuntimeClass handler). */
  name: string;
  shimPath: string;
  /** Record every container this runtime runs into this directory (else: annotated ones only). */
  recordDir?: string;
  hookConfig?: string;
  /** The real runtime (default: runc on PATH). */
  runtimePath?: string;
}

export function shimArgs(r: ShimRuntime): string[] {
  return [
    ...(r.runtimePath ? ['--runtime-path', r.runtimePath] : []),
    ...(r.recordDir ? ['--record-dir', r.recordDir] : []),
    ...(r.hookConfig ? ['--hook-config', r.hookConfig] : []),
  ];
}

/**
 * daemon.json with our runtime added (or replaced, same name), every other key kept as it was.
 * `existing` undefined: no file yet. Throws INSTALL_BAD_DAEMON_JSON rather than overwrite a file
 * it cannot read, since dockerd refuses to start on a broken daemon.json.
 */
export function mergeDaemonJson(existing: string | undefined, r: ShimRuntime, source: string): { text: string; replaced: boolean } {
  let doc: Record<string, unknown> = {};
  if (existing !== undefined && existing.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(existing);
    } catch (e) {
      throw installBadDaemonJson(source, `not JSON (${(e as Error).message})`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw installBadDaemonJson(source, 'not a JSON object');
    doc = parsed as Record<string, unknown>;
  }
  const runtimes = doc.runtimes ?? {};
  if (!runtimes || typeof runtimes !== 'object' || Array.isArray(runtimes)) throw installBadDaemonJson(source, '"runtimes" is not an object');
  const replaced = Object.prototype.hasOwnProperty.call(runtimes, r.name);
  const args = shimArgs(r);
  const entry = { path: r.shimPath, ...(args.length ? { runtimeArgs: args } : {}) };
  const out = { ...doc, runtimes: { ...(runtimes as Record<string, unknown>), [r.name]: entry } };
  return { text: JSON.stringify(out, null, 2) + '\n', replaced };
}

const tomlString = (s: string): string => JSON.stringify(s);

/** The containerd 1.6 config.toml stanza (CRI plugin, config version 2) for a RuntimeClass handler. */
export function containerdStanza(r: ShimRuntime): string {
  const key = `plugins."io.containerd.grpc.v1.cri".containerd.runtimes.${tomlString(r.name)}`;
  return [
    `# seccomp-tailor: a RuntimeClass handler "${r.name}" whose containers go through seccomp-tailor-runc.`,
    `[${key}]`,
    '  runtime_type = "io.containerd.runc.v2"',
    '  # Pod annotations containerd copies into config.json for this handler only: pods of other',
    '  # handlers cannot ask to be recorded.',
    '  pod_annotations = ["io.containers.trace-syscall", "io.seccomp-tailor.shadow"]',
    `[${key}.options]`,
    `  BinaryName = ${tomlString(r.shimPath)}`,
    '',
  ].join('\n');
}

/** The shim's own settings file for engines that pass it no arguments (containerd's BinaryName). */
export function shimConfigJson(r: ShimRuntime): string {
  return JSON.stringify({
    ...(r.runtimePath ? { runtimePath: r.runtimePath } : {}),
    ...(r.recordDir ? { recordDir: r.recordDir } : {}),
    ...(r.hookConfig ? { hookConfig: r.hookConfig } : {}),
  }, null, 2) + '\n';
}
