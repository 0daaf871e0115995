// The recording side of the Kubernetes node agent on the host: the hook's native entry and the
// runtime shim, copied from the image into a host directory (for example /opt/seccomp-tailor/bin,
// as the NVIDIA container toolkit and the Security Profiles Operator place their binaries), with
// the shim's settings beside them (the shim reads runtime-shim.json next to its executable first:
// containerd's BinaryName passes no arguments). Both are C programs without Node.js: the entry
// hands each hook to the agent's hookd over a host-path socket, and starts the container
// unrecorded, saying so, when no hookd answers (the agent is gone).
import { lstatSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../fs/atomic-write.js';
import { packagePath } from '../native/package-root.js';
import { agentHostDirUnsafe, agentMissingBinary } from '../errors.js';

export const DEFAULT_HOST_BIN = '/opt/seccomp-tailor/bin';
export const ENTRY_NAME = 'seccomp-tailor-hook';
export const SHIM_NAME = 'seccomp-tailor-runc';
export const SHIM_SETTINGS_NAME = 'runtime-shim.json';

export interface HostBinOptions {
  /** The host directory (seen at the same path in the pod through a host-path mount). */
  dir: string;
  /** hookd's socket, as the host sees it (the pod mounts it at the same path). */
  hookdSocket: string;
  /** The hook config the hook gets (read by hookd, in the pod). */
  hookConfig?: string;
  /** The node's real runc; default: runc on the engine's PATH, /usr/bin/runc, /usr/sbin/runc. */
  runtimePath?: string;
  /** Sources (default: this installation's built entry and shim). */
  entrySource?: string;
  shimSource?: string;
}

export interface HostBin { entry: string; shim: string; settings: string }

/**
 * The directory and every ancestor must be directories (no symbolic link anywhere) that only root
 * may change: the engine runs what lies there as root on every container start.
 */
function assertRootOnly(dir: string): void {
  const parts = dir.split('/').filter(Boolean);
  let p = '';
  for (const part of ['', ...parts]) {
    p = part ? `${p}/${part}` : '/';
    const st = lstatSync(p);
    if (st.isSymbolicLink()) throw agentHostDirUnsafe(dir, `${p} is a symbolic link`);
    if (!st.isDirectory()) throw agentHostDirUnsafe(dir, `${p} is not a directory`);
    if (st.uid !== 0) throw agentHostDirUnsafe(dir, `${p} is owned by uid ${st.uid}, not root`);
    // /tmp-like sticky directories above are fine only as ancestors nobody can rename us out of.
    if ((st.mode & 0o022) !== 0 && !(p !== dir && (st.mode & 0o1000) !== 0)) throw agentHostDirUnsafe(dir, `${p} is writable by others (mode ${(st.mode & 0o7777).toString(8)})`);
  }
}

function readBinary(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw agentMissingBinary(path, (e as NodeJS.ErrnoException).code ?? String(e));
  }
}

/** Copies (atomically: a running container start keeps the old file) and writes the settings. */
export function installHostBin(o: HostBinOptions): HostBin {
  const entrySource = o.entrySource ?? packagePath('build', 'hook', ENTRY_NAME);
  const shimSource = o.shimSource ?? packagePath('build', 'runtime-shim', SHIM_NAME);
  const entryBytes = readBinary(entrySource);
  const shimBytes = readBinary(shimSource);
  mkdirSync(o.dir, { recursive: true, mode: 0o755 });
  assertRootOnly(o.dir);
  const entry = join(o.dir, ENTRY_NAME);
  const shim = join(o.dir, SHIM_NAME);
  const settings = join(o.dir, SHIM_SETTINGS_NAME);
  writeFileAtomicSync(entry, entryBytes, { mode: 0o755 });
  writeFileAtomicSync(shim, shimBytes, { mode: 0o755 });
  writeFileAtomicSync(settings, shimSettingsJson(o), { mode: 0o644 });
  return { entry, shim, settings };
}

/** The shim's settings: the shim passes the socket to the entry it adds as the hook. */
export function shimSettingsJson(o: Pick<HostBinOptions, 'hookdSocket' | 'hookConfig' | 'runtimePath'>): string {
  return JSON.stringify({
    hookdSocket: o.hookdSocket,
    ...(o.hookConfig ? { hookConfig: o.hookConfig } : {}),
    ...(o.runtimePath ? { runtimePath: o.runtimePath } : {}),
  }, null, 2) + '\n';
}
