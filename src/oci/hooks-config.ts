// How runtimes and engines are told to run the hook. podman and CRI-O read hooks.d JSON files
// (containers/common pkg/hooks, schema 1.0.0) and run the hook only for containers whose
// annotation matches; runc and crun take `hooks` from config.json as is. prestart is deprecated
// in the runtime spec in favour of createRuntime, but it is what podman's hooks.d, runc 1.1 and
// this annotation's users rely on, and it runs at the same point for our purpose (init exists,
// workload not yet exec'd).
import { packagePath } from '../native/package-root.js';
import { SHADOW_ANNOTATION, TRACE_ANNOTATION } from './annotation.js';

export const HOOKS_D_FILE = 'seccomp-tailor.json';
export const DEFAULT_HOOKS_DIR = '/usr/share/containers/oci/hooks.d';

// Runtimes run hooks with exactly the env given here; the hook spawns `logger` and the runtime
// (for its version) by name.
const HOOK_ENV = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'];

/**
 * Seconds a runtime gives the hook before killing it (runc and crun then fail the container's
 * creation; podman's hooks.d passes it on). Generous for a first recording, which loads the tracer;
 * the native entry's own deadline (25 s) is shorter, so without an answer from hookd it decides
 * first (the container starts unrecorded unless onFailure is fail). The runtime shim adds the same.
 */
export const HOOK_TIMEOUT_SECONDS = 30;

export interface HookCommand { path: string; args: string[]; env: string[]; timeout: number }

/**
 * node itself as the hook's executable, the entry script as its first argument: saves the
 * `/usr/bin/env` exec of the script's shebang on every container start and stop.
 */
export function hookCommand(configPath?: string, hookScript = packagePath('bin', 'seccomp-tailor-hook'), node = process.execPath): HookCommand {
  return { path: node, args: ['node', hookScript, ...(configPath ? ['--config', configPath] : [])], env: HOOK_ENV, timeout: HOOK_TIMEOUT_SECONDS };
}

/**
 * The native entry (build/hook/seccomp-tailor-hook): hands each stage to hookd, starting it on
 * first use (a few ms per stage once it runs), and runs the Node hook when it cannot. `socket`
 * (`--socket`, consumed by the entry) overrides hookd's default socket path, and lets a hookd in
 * another mount namespace serve (the Kubernetes agent's pod); `env` adds variables (e.g.
 * SECCOMP_TAILOR_HOOKD_IDLE).
 */
export function nativeHookCommand(client: string, configPath?: string, socket?: string, env: readonly string[] = []): HookCommand {
  return {
    path: client,
    args: ['seccomp-tailor-hook', ...(socket ? ['--socket', socket] : []), ...(configPath ? ['--config', configPath] : [])],
    env: [...HOOK_ENV, ...env],
    timeout: HOOK_TIMEOUT_SECONDS,
  };
}

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The hooks.d file: one hook for both stages; it tells them apart by the state's status. */
export function hooksDJson(cmd: HookCommand): object {
  return {
    version: '1.0.0',
    hook: cmd,
    // Recorded or shadowed containers: one key pattern (podman matches any annotation key against it).
    when: { annotations: { [`^(${escapeRegex(TRACE_ANNOTATION)}|${escapeRegex(SHADOW_ANNOTATION)})$`]: '.*' } },
    stages: ['prestart', 'poststop'],
  };
}

/** For runc/crun: `{"hooks": {...}}` whose `hooks` goes into config.json unchanged. */
export function runcHooksJson(cmd: HookCommand): { hooks: Record<string, HookCommand[]> } {
  return { hooks: { prestart: [{ ...cmd, args: [...cmd.args, 'prestart'] }], poststop: [{ ...cmd, args: [...cmd.args, 'poststop'] }] } };
}
