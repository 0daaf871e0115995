// A private hook environment for e2e tests: its own config, run dir, registry and output
// directories, so tests never touch /etc or /var/lib; containers run by real runc or crun.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeBundle, writeBundleConfig, type BundleOptions } from './oci-bundle.js';
import { runtimeCommand } from '../../src/record/hook/runtime-needs-measure.js';
import { TRACE_ANNOTATION } from '../../src/oci/annotation.js';
import { packagePath } from '../../src/native/package-root.js';

export const isRoot = process.getuid?.() === 0;
export const HOOK_BIN = packagePath('bin', 'seccomp-tailor-hook');
export type Runtime = 'runc' | 'crun';

export interface HookEnv {
  work: string;
  /** An allowed output directory under /tmp (the user flow writes /tmp/ls.json). */
  out: string;
  runDir: string;
  stateDir: string;
  configPath: string;
  hookEntry: { path: string; args: string[]; timeout?: number };
  setConfig(extra: Record<string, unknown>): void;
  run(runtime: Runtime, o: RunOptions): RunResult;
  runAsync(runtime: Runtime, o: RunOptions): Promise<RunResult>;
  /**
   * As run, with the runtime's stderr a FIFO (`| cat`), as under a shell: the hook tells the
   * runtime's stderr what it refused only when that is a FIFO or a terminal (Node's own child pipes
   * are sockets, which /proc/PID/fd/2 cannot open).
   */
  runPiped(runtime: Runtime, o: RunOptions): RunResult;
  cleanup(): void;
}

export interface RunOptions extends Partial<BundleOptions> {
  args: string[];
  trace?: string;
  /** Profile file to enforce (embedded in config.json like podman does). */
  profile?: string;
  id?: string;
}

export interface RunResult { status: number | null; stdout: string; stderr: string; id: string; ms: number }

let counter = 0;

export function makeHookEnv(name: string): HookEnv {
  const work = mkdtempSync(`/tmp/st-e2e-${name}-`);
  chmodSync(work, 0o755);
  const out = join(work, 'out');
  mkdirSync(out, { mode: 0o755 });
  const runDir = join(work, 'run');
  const stateDir = join(work, 'state');
  const configPath = join(work, 'hook.json');
  const base = { allowedDirs: [out], defaultDir: join(work, 'profiles'), runDir, stateDir };
  const setConfig = (extra: Record<string, unknown>) => {
    writeFileSync(configPath, JSON.stringify({ ...base, ...extra }));
    chmodSync(configPath, 0o644);
  };
  setConfig({});
  const hookEntry = { path: HOOK_BIN, args: ['seccomp-tailor-hook', '--config', configPath] };
  const prepare = (o: RunOptions) => {
    const id = o.id ?? `st-${name}-${process.pid}-${++counter}`;
    const dir = join(work, 'bundles', id);
    const seccomp = o.profile ? JSON.parse(readFileSync(o.profile, 'utf8')) : o.seccomp;
    const opts: BundleOptions = {
      ...o, seccomp,
      annotations: { ...(o.annotations ?? {}), ...(o.trace === undefined ? {} : { [TRACE_ANNOTATION]: o.trace }) },
      hooks: o.hooks ?? { prestart: [hookEntry], poststop: [hookEntry] },
    };
    if (existsSync(dir)) writeBundleConfig(dir, opts);
    else makeBundle(dir, opts);
    return { id, dir };
  };
  return {
    work, out, runDir, stateDir, configPath, hookEntry, setConfig,
    run(runtime, o) {
      const { id, dir } = prepare(o);
      const { cmd, args } = runtimeCommand(runtime, ['run', '--bundle', dir, id]);
      const t0 = Date.now();
      const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr, id, ms: Date.now() - t0 };
    },
    runPiped(runtime, o) {
      const { id, dir } = prepare(o);
      const { cmd, args } = runtimeCommand(runtime, ['run', '--bundle', dir, id]);
      const stdoutFile = join(work, `${id}.stdout`);
      const t0 = Date.now();
      const r = spawnSync('sh', ['-c', '{ "$@" 2>&1 >"$OUT"; echo "rc=$?"; } | cat', 'sh', cmd, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, OUT: stdoutFile } });
      const m = /rc=(\d+)\n$/.exec(r.stdout);
      const stdout = existsSync(stdoutFile) ? readFileSync(stdoutFile, 'utf8') : '';
      rmSync(stdoutFile, { force: true });
      return { status: m ? Number(m[1]) : null, stdout, stderr: r.stdout.replace(/rc=\d+\n$/, ''), id, ms: Date.now() - t0 };
    },
    runAsync(runtime, o) {
      const { id, dir } = prepare(o);
      const { cmd, args } = runtimeCommand(runtime, ['run', '--bundle', dir, id]);
      const t0 = Date.now();
      return new Promise((resolve, reject) => {
        const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        c.stdout.on('data', (d: Buffer) => (stdout += d));
        c.stderr.on('data', (d: Buffer) => (stderr += d));
        c.on('error', reject);
        c.on('close', (status) => resolve({ status, stdout, stderr, id, ms: Date.now() - t0 }));
      });
    },
    cleanup() {
      rmSync(work, { recursive: true, force: true });
    },
  };
}

export function profileNames(path: string): string[] {
  const p = JSON.parse(readFileSync(path, 'utf8')) as { syscalls: Array<{ names: string[]; action: string }> };
  // A name with argument rules appears in several rules: once here.
  return [...new Set(p.syscalls.filter((r) => r.action === 'SCMP_ACT_ALLOW').flatMap((r) => r.names))].sort();
}

/**
 * Hook processes still alive (there must be none once the runtime returned). hookd is not one:
 * it is one per machine, not per container (scripts/run-tests.mjs stops one the tests started).
 */
export function strayHookProcesses(): number[] {
  const pids: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      if (cmd.includes('seccomp-tailor-hook') && !cmd.includes('seccomp-tailor-hookd')) pids.push(Number(p));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

export function runStateFiles(env: HookEnv): string[] {
  try {
    return readdirSync(env.runDir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
}

/** Tracer slots currently claimed (a hook that finished must leave this unchanged). */
export async function claimedSlots(): Promise<number[]> {
  const { Tracer } = await import('../../src/record/tracer.js');
  const { MAX_TARGETS } = await import('../../src/record/tracer-layout.js');
  const t = Tracer.shared();
  try {
    return Array.from({ length: MAX_TARGETS }, (_, i) => i).filter((s) => t.owner(s) !== undefined);
  } finally {
    t.close();
  }
}

export function hookLog(env: HookEnv): string {
  try {
    return readFileSync(join(env.runDir, 'hook.log'), 'utf8');
  } catch {
    return '';
  }
}

/**
 * The end of a hook test: no run state, no tracer slot beyond those claimed before it, no hook
 * process left running; then the work directory goes, whatever the checks found.
 */
export async function assertNothingLeft(env: HookEnv, slotsBefore: readonly number[]): Promise<void> {
  try {
    assert.deepEqual(runStateFiles(env), [], 'every run state was removed');
    assert.deepEqual(await claimedSlots(), slotsBefore, 'no tracer slot leaked');
    assert.deepEqual(strayHookProcesses(), [], 'no hook process left running');
  } finally {
    env.cleanup();
  }
}
