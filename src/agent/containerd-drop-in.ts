// The runtime handler the agent installs for containerd: a drop-in file in a directory the node's
// containerd reads through `imports` (containerd merges imported files into its config at start;
// each must say `version = 2`). Where the node's config imports no such directory, the agent
// prints the stanza for the administrator instead of editing the main config.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomicSync } from '../fs/atomic-write.js';
import { containerdStanza } from '../oci/engine-config.js';

export const DEFAULT_DROP_IN_DIR = '/etc/containerd/conf.d';
export const DROP_IN_FILE = 'seccomp-tailor.toml';
/** The RuntimeClass handler (contrib/kubernetes/runtimeclass.yaml names it). */
export const DEFAULT_HANDLER = 'runc-record';

export function dropInToml(handler: string, shimPath: string): string {
  return `version = 2\n${containerdStanza({ name: handler, shimPath })}`;
}

export interface DropInResult {
  /** The file written, or undefined when the directory does not exist (nothing written). */
  path?: string;
  /** Whether the main config (config.toml beside the directory) names the directory in `imports`. */
  imported: boolean;
  toml: string;
}

/** Which of containerd's `imports` entries would pick up DIR/seccomp-tailor.toml. */
export function importsDir(configToml: string, dir: string): boolean {
  const m = /^\s*imports\s*=\s*\[([^\]]*)\]/m.exec(configToml);
  if (!m) return false;
  const entries = [...m[1]!.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'/g)].map((x) => x[1] ?? x[2] ?? '');
  return entries.some((e) => e === join(dir, DROP_IN_FILE) || e === `${dir}/*.toml` || e === `${dir}/*`);
}

export function installDropIn(dir: string, handler: string, shimPath: string): DropInResult {
  const toml = dropInToml(handler, shimPath);
  let imported = false;
  try {
    imported = importsDir(readFileSync(join(dirname(dir), 'config.toml'), 'utf8'), dir);
  } catch {
    // no main config: containerd runs on its defaults, which import nothing
  }
  if (!existsSync(dir)) return { imported, toml };
  const path = join(dir, DROP_IN_FILE);
  writeFileAtomicSync(path, toml, { mode: 0o644 });
  return { path, imported, toml };
}
