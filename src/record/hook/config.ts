// The administrator's settings for the OCI hook: /etc/seccomp-tailor/hook.json. It decides where
// annotation-named profiles may be written and read, so it is trusted only when root owns it and
// nobody else may write it. Validated by hand: zod costs ~50 ms of import on every container
// start, for five fields.
//
// Allowing /tmp (so `of:/tmp/ls.json` works as in oci-seccomp-bpf-hook's examples):
//   { "allowedDirs": ["/var/lib/seccomp-tailor/profiles", "/tmp"] }
import { readFileSync, lstatSync } from 'node:fs';
import { posix } from 'node:path';
import { MAX_TARGETS } from '../tracer-layout.js';
import { hookConfigInvalid } from '../../errors.js';

export const DEFAULT_HOOK_CONFIG = '/etc/seccomp-tailor/hook.json';
export const DEFAULT_PROFILE_DIR = '/var/lib/seccomp-tailor/profiles';

export interface HookConfig {
  /** Directories (absolute, no symlinks) profiles may be written to and baselines read from. */
  allowedDirs: string[];
  /** Where a bare `of:NAME` lands; created on first use; always allowed. */
  defaultDir: string;
  /** When recording cannot start: let the container run unrecorded, or fail its creation. */
  onFailure: 'start' | 'fail';
  /** Run-state files of traced containers (tmpfs: gone after reboot, like the containers). */
  runDir: string;
  /** seccomp-tailor's state directory (the container registry for the watcher). */
  stateDir: string;
  /** bpffs directory of the shared tracer. */
  pinRoot: string;
  /** How long poststop waits for the container's last tasks to be gone. */
  drainTimeoutMs: number;
  /**
   * Other runtimes whose measured post-filter needs every profile also carries, so a profile
   * recorded under runc also runs under crun (podman's default on many distributions). Default
   * none: the profile fits the runtime it was recorded with, exactly.
   */
  alsoRuntimes: string[];
  /** Today's profiles: names only, no argument rules (for clone, socket, personality, ...). */
  namesOnly: boolean;
  /** `enosys`: clone3 fails with ENOSYS so libc falls back to clone, whose flags the profile filters. */
  clone3: 'allow' | 'enosys';
  /** Newer family members never seen (clone3, faccessat2, ...): `enosys` so libc falls back, `allow` by name, `off`. */
  families: 'enosys' | 'allow' | 'off';
  /**
   * Concurrent recordings at most (1..1024, the tracer's maximum). One more is refused: the
   * container follows onFailure and the refusal is logged, counted and listed by `status`.
   */
  maxRecordings: number;
  /**
   * Files (or directories of files) a recording may replace although another container's
   * recording, or nobody's, wrote them. Elsewhere a recording replaces only what the same
   * container recorded: any container may name any file in a shared directory.
   */
  replaceable: string[];
}

export const DEFAULT_CONFIG: HookConfig = {
  allowedDirs: [DEFAULT_PROFILE_DIR],
  defaultDir: DEFAULT_PROFILE_DIR,
  onFailure: 'start',
  runDir: '/run/seccomp-tailor/hooks',
  stateDir: '/var/lib/seccomp-tailor',
  pinRoot: '/sys/fs/bpf/seccomp-tailor',
  drainTimeoutMs: 2000,
  alsoRuntimes: [],
  namesOnly: false,
  clone3: 'allow',
  families: 'enosys',
  maxRecordings: MAX_TARGETS,
  replaceable: [],
};

const KEYS = new Set(Object.keys(DEFAULT_CONFIG));

/** The config at `path`; the defaults when it does not exist; an error when it is unsafe or wrong. */
export function loadHookConfig(path = DEFAULT_HOOK_CONFIG): HookConfig {
  let st;
  try {
    st = lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { ...DEFAULT_CONFIG };
    throw e;
  }
  if (!st.isFile()) throw hookConfigInvalid(path, 'not a regular file (symbolic links are not followed)');
  if (st.uid !== 0) throw hookConfigInvalid(path, `owned by uid ${st.uid}; the hook trusts only a root-owned config`);
  if (st.mode & 0o022) throw hookConfigInvalid(path, 'writable by group or others; the hook trusts only a config root alone may change');
  if (st.size > 64 * 1024) throw hookConfigInvalid(path, 'larger than 64 KiB');
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw hookConfigInvalid(path, `not JSON: ${(e as Error).message}`);
  }
  return parseHookConfig(json, path);
}

export function parseHookConfig(json: unknown, source: string): HookConfig {
  const bad = (why: string): never => {
    throw hookConfigInvalid(source, why);
  };
  if (!json || typeof json !== 'object' || Array.isArray(json)) return bad('expected a JSON object');
  const o = json as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!KEYS.has(k)) bad(`unknown setting "${k}" (known: ${[...KEYS].join(', ')})`);
  const absDir = (k: string, v: unknown): string => {
    if (typeof v !== 'string' || !v.startsWith('/') || v.includes('\0') || v.split('/').includes('..'))
      return bad(`${k}: expected an absolute directory path without ".."`);
    return posix.normalize(v).replace(/(.)\/+$/, '$1');
  };
  const cfg: HookConfig = { ...DEFAULT_CONFIG };
  for (const k of ['defaultDir', 'runDir', 'stateDir', 'pinRoot'] as const) if (o[k] !== undefined) cfg[k] = absDir(k, o[k]);
  if (o.allowedDirs !== undefined) {
    if (!Array.isArray(o.allowedDirs)) bad('allowedDirs: expected a list of absolute directories');
    cfg.allowedDirs = (o.allowedDirs as unknown[]).map((d, i) => absDir(`allowedDirs[${i}]`, d));
  }
  if (o.replaceable !== undefined) {
    if (!Array.isArray(o.replaceable)) bad('replaceable: expected a list of absolute paths');
    cfg.replaceable = (o.replaceable as unknown[]).map((d, i) => absDir(`replaceable[${i}]`, d));
  }
  if (!cfg.allowedDirs.includes(cfg.defaultDir)) cfg.allowedDirs = [cfg.defaultDir, ...cfg.allowedDirs];
  if (o.onFailure !== undefined) {
    if (o.onFailure !== 'start' && o.onFailure !== 'fail') bad('onFailure: expected "start" or "fail"');
    cfg.onFailure = o.onFailure as 'start' | 'fail';
  }
  if (o.alsoRuntimes !== undefined) {
    if (!Array.isArray(o.alsoRuntimes) || !o.alsoRuntimes.every((r) => typeof r === 'string' && /^[a-z0-9._-]{1,32}$/.test(r)))
      bad('alsoRuntimes: expected a list of runtime names such as ["crun"]');
    cfg.alsoRuntimes = o.alsoRuntimes as string[];
  }
  if (o.namesOnly !== undefined) {
    if (typeof o.namesOnly !== 'boolean') bad('namesOnly: expected true or false');
    cfg.namesOnly = o.namesOnly as boolean;
  }
  if (o.clone3 !== undefined) {
    if (o.clone3 !== 'allow' && o.clone3 !== 'enosys') bad('clone3: expected "allow" or "enosys"');
    cfg.clone3 = o.clone3 as 'allow' | 'enosys';
  }
  if (o.families !== undefined) {
    if (o.families !== 'enosys' && o.families !== 'allow' && o.families !== 'off') bad('families: expected "enosys", "allow" or "off"');
    cfg.families = o.families as HookConfig['families'];
  }
  if (o.maxRecordings !== undefined) {
    if (typeof o.maxRecordings !== 'number' || !Number.isInteger(o.maxRecordings) || o.maxRecordings < 1 || o.maxRecordings > MAX_TARGETS)
      bad(`maxRecordings: expected an integer from 1 to ${MAX_TARGETS}`);
    cfg.maxRecordings = o.maxRecordings as number;
  }
  if (o.drainTimeoutMs !== undefined) {
    if (typeof o.drainTimeoutMs !== 'number' || !Number.isInteger(o.drainTimeoutMs) || o.drainTimeoutMs < 0 || o.drainTimeoutMs > 60_000)
      bad('drainTimeoutMs: expected an integer from 0 to 60000');
    cfg.drainTimeoutMs = o.drainTimeoutMs as number;
  }
  return cfg;
}
