// Child processes of the demo: the CLI itself (so every step is the command a user would type),
// runc, auditd, and the watcher in the background.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { packagePath } from '../native/package-root.js';
import { auditdPid } from '../watch/choose-source.js';

export interface Ran { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** Runs a command to its end (or kills it at the timeout); never throws for a non-zero exit. */
export function run(cmd: string, args: readonly string[], timeoutMs = 30_000): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    p.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', (err) => { clearTimeout(timer); reject(err); });
    p.on('close', (status, signal) => { clearTimeout(timer); resolve({ status, signal, stdout, stderr }); });
  });
}

export const CLI = packagePath('bin', 'seccomp-tailor');
export const HOOK = packagePath('bin', 'seccomp-tailor-hook');

/** `seccomp-tailor ARGS` with this package's build. */
export const cli = (args: readonly string[], timeoutMs?: number): Promise<Ran> => run(process.execPath, [CLI, ...args], timeoutMs);

export const hasCommand = (name: string): boolean => spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;

export async function waitFor<T>(what: string, fn: () => T | undefined | false, timeoutMs: number, everyMs = 25): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${(timeoutMs / 1000).toFixed(1)} s waiting for ${what}`);
    await sleep(everyMs);
  }
}

export { auditdPid };

/** Starts auditd; returns how to stop it (only this one: it was not running before). */
export async function startAuditd(): Promise<() => Promise<void>> {
  const r = spawnSync('auditd', [], { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`auditd did not start (exit ${r.status})`);
  const pid = await waitFor('auditd', () => auditdPid(), 5000);
  return async () => {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      return;
    }
    await waitFor('auditd to stop', () => !existsSync(`/proc/${pid}`), 5000).catch(() => undefined);
  };
}

export interface Background {
  proc: ChildProcess;
  /** The JSON log lines so far. */
  lines(): Array<Record<string, unknown>>;
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * `seccomp-tailor watch ARGS` in the background. Returned at once so the caller can register
 * stop() before waiting: a Ctrl-C during start-up must still stop it.
 */
export function spawnWatcher(args: readonly string[]): Background & { ready: Promise<void> } {
  const proc = spawn(process.execPath, [CLI, 'watch', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; });
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d; });
  let gone = false;
  const exited = new Promise<void>((resolve) => proc.on('close', () => { gone = true; resolve(); }));
  const lines = (): Array<Record<string, unknown>> => out.split('\n').filter((l) => l.startsWith('{')).flatMap((l) => {
    try {
      return [JSON.parse(l) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
  const stop = async (): Promise<void> => {
    if (!gone && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    const killer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
  };
  const ready = waitFor('the watcher to start', () => {
    if (gone) throw new Error(`the watcher exited at start: ${(err + out).trim().split('\n').slice(-3).join(' | ')}`);
    return lines().some((l) => l.msg === 'watching');
  }, 15_000).then(() => undefined);
  return { proc, lines, stderr: () => err, stop, ready };
}
