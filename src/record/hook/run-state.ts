// What prestart leaves for poststop, flush and status: one small JSON file per traced container in
// a root-only directory on tmpfs (/run), so nothing outlives a reboot and no process stays behind.
import { mkdirSync, readFileSync, readdirSync, unlinkSync, lstatSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { CONTAINER_ID } from '../../oci/state.js';
import { writeFileAtomicSync } from '../../fs/atomic-write.js';
import { hookRunDirUnsafe, notAContainerId } from '../../errors.js';
import type { ResolvedFile } from './safe-paths.js';

export interface RunState {
  version: 1;
  id: string;
  slot: number;
  generation: number;
  pinRoot: string;
  /** Where the recording writes the profile (io.containers.trace-syscall); absent when only shadowed. */
  output?: ResolvedFile;
  /** The profile the container shadows (io.seccomp-tailor.shadow), evaluated against what it does. */
  shadow?: { profile: ResolvedFile };
  input?: ResolvedFile;
  /** runc, crun, ... (the hook's parent at prestart) and its executable, for its version later. */
  runtime: { name: string; exe?: string };
  /** podman, cri-o, ... when the annotations tell. */
  engine?: string;
  initPid: number;
  initStartTime: number;
  bundle: string;
  noNewPrivileges: boolean;
  /** The recorded container's own filter denies by default (its denials were not recorded). */
  enforcingFilter?: string;
  startedAt: string;
  stateDir: string;
  /** Runtimes whose needs the profile also carries (hook config `alsoRuntimes` at prestart). */
  alsoRuntimes?: string[];
  /** Hook config `namesOnly` and `clone3` at prestart (flush and poststop build the same profile). */
  namesOnly?: boolean;
  clone3?: 'enosys';
  /** Hook config `families` at prestart, when not the default (enosys). */
  families?: 'allow' | 'off';
  /** The image the container ran, as its engine says (src/oci/image.ts), for `<of>.meta.json`. */
  image?: { name?: string; digest?: string };
}

/** A run state that records a profile (it may shadow one as well). */
export type RecordingRunState = RunState & { output: ResolvedFile };
export const isRecording = (rs: RunState): rs is RecordingRunState => rs.output !== undefined;
export const isShadowing = (rs: RunState): rs is RunState & { shadow: { profile: ResolvedFile } } => rs.shadow !== undefined;

export const runStatePath = (runDir: string, id: string): string => {
  if (!CONTAINER_ID.test(id)) throw notAContainerId(id);
  return join(runDir, `${id}.json`);
};

export function writeRunState(runDir: string, s: RunState): void {
  mkdirSync(runDir, { recursive: true, mode: 0o700 });
  // A directory someone else made (or made group-readable) would let them plant run states.
  const st = lstatSync(runDir);
  if (!st.isDirectory() || st.uid !== (process.getuid?.() ?? 0)) throw hookRunDirUnsafe(runDir);
  if (st.mode & 0o077) chmodSync(runDir, 0o700);
  const path = runStatePath(runDir, s.id);
  // tmpfs and read only while the container lives: atomic is enough, no fsync on the start path.
  writeFileAtomicSync(path, JSON.stringify(s) + '\n', { mode: 0o600, durability: 'atomic' });
}

export function readRunState(runDir: string, id: string): RunState | undefined {
  let text: string;
  try {
    text = readFileSync(runStatePath(runDir, id), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const s = JSON.parse(text) as RunState;
    return s.version === 1 && s.id === id && Number.isInteger(s.slot) && Number.isInteger(s.generation) && (s.output !== undefined || s.shadow !== undefined) ? s : undefined;
  } catch {
    return undefined;
  }
}

export function removeRunState(runDir: string, id: string): void {
  // The state, and the copy of the profile it replaces (recording-history.ts keepPriorProfile).
  for (const path of [runStatePath(runDir, id), join(runDir, `${id}.prior`)]) {
    try {
      unlinkSync(path);
    } catch {
      // already gone: poststop may run twice (runc and podman both run it for some setups)
    }
  }
}

export function listRunStates(runDir: string): RunState[] {
  let names: string[];
  try {
    names = readdirSync(runDir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith('.json') && CONTAINER_ID.test(n.slice(0, -5)))
    .map((n) => readRunState(runDir, n.slice(0, -5)))
    .filter((s): s is RunState => s !== undefined)
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}
