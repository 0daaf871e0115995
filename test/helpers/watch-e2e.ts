// Shared by the watch e2e tests: auditd on demand, a watcher child process, runc containers with
// busybox, profiles that deny exactly a chosen set of syscalls.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, fstatSync, mkdtempSync, openSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syscallTable } from '../../src/native/libseccomp.js';
import { makeBusyboxBundle, type BundleOptions } from './busybox-bundle.js';
import { packageRoot } from '../../src/native/package-root.js';
import { auditdPid } from '../../src/watch/choose-source.js';

export const isRoot = process.getuid?.() === 0;
export const AUDIT_LOG = '/var/log/audit/audit.log';

export function tmp(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `st-watch-${prefix}-`));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(what: string, fn: () => T | undefined | false, timeoutMs = 5000, everyMs = 20): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** A complain (LOG) or kill profile that allows every x86_64 syscall except `denied`. */
export function profileDenying(denied: string[], defaultAction: 'SCMP_ACT_LOG' | 'SCMP_ACT_KILL_PROCESS'): object {
  const names = syscallTable('x86_64').map((s) => s.name).filter((n) => !denied.includes(n)).sort();
  return { defaultAction, architectures: ['SCMP_ARCH_X86_64'], syscalls: [{ names, action: 'SCMP_ACT_ALLOW' }] };
}

export { auditdPid };

/** Starts auditd unless it runs; returns a function that stops it again only if we started it. */
export async function ensureAuditd(): Promise<() => Promise<void>> {
  if (auditdPid()) return async () => {};
  const r = spawnSync('auditd', [], { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`auditd failed to start (${r.status})`);
  const pid = await waitFor('auditd', () => auditdPid(), 5000);
  // No audit rate limit: the tests count records.
  spawnSync('auditctl', ['-r', '0'], { stdio: 'ignore' });
  return async () => {
    try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
    await waitFor('auditd to stop', () => !existsSync(`/proc/${pid}`), 5000).catch(() => undefined);
  };
}

/** Stops auditd if it runs (kmsg tests); returns a function that restarts it if it ran. */
export async function withoutAuditd(): Promise<() => Promise<void>> {
  const pid = auditdPid();
  if (!pid) return async () => {};
  process.kill(pid, 'SIGTERM');
  await waitFor('auditd to stop', () => !existsSync(`/proc/${pid}`), 5000);
  return async () => { await ensureAuditd(); };
}

export interface Watcher {
  proc: ChildProcess;
  lines: () => Array<Record<string, unknown>>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** `seccomp-tailor watch` as a child; resolves once it reads its source. */
export async function startWatcher(args: string[]): Promise<Watcher> {
  const bin = join(packageRoot(), 'bin', 'seccomp-tailor');
  // The tests keep their profiles in temporary directories: the admin's profile directories here.
  const dirs = args.includes('--profile-dir') ? [] : ['--profile-dir', tmpdir()];
  const proc = spawn(process.execPath, [bin, 'watch', ...dirs, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; });
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d; });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code, sig) => resolve(code ?? (sig ? 128 : null))));
  const lines = () => out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  await Promise.race([
    waitFor('the watcher to be ready', () => lines().some((l) => l.msg === 'ready'), 15000),
    exited.then((c) => { throw new Error(`watcher exited (${c}) at start: ${err}${out}`); }),
  ]);
  // "ready" comes just before the source's first read: give that read a moment.
  await sleep(100);
  return {
    proc,
    lines,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

export function makeBundle(dir: string, o: BundleOptions): string {
  return makeBusyboxBundle(dir, o);
}

/** `runc run` in the foreground; resolves with the exit status. */
export function runContainer(bundle: string, id: string): Promise<{ status: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const p = spawn('runc', ['run', '--bundle', bundle, id], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    p.on('exit', (status) => resolve({ status, stdout }));
  });
}

export function cleanupContainer(id: string): void {
  spawnSync('runc', ['delete', '-f', id], { stdio: 'ignore' });
}

export interface ProposalLike {
  id: string;
  /** The container that asked most recently. */
  container: { id?: string };
  /** Every container that asked (bounded), with its own count and syscalls. */
  containers: Array<{ id?: string; host?: string; count: number; syscalls: string[] }>;
  otherContainers: { containers: number; count: number };
  profile: { path: string; sha256: string };
  add: Array<{ syscall: string; arch: string; count: number; actions: string[] }>;
  blockedByRule: unknown[];
  status: string;
}

export function proposals(stateDir: string): ProposalLike[] {
  const dir = join(stateDir, 'proposals');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as ProposalLike);
}

/** The proposal a container's denials went into (one per profile file, shared with its replicas). */
export function proposalFor(stateDir: string, containerId: string): ProposalLike | undefined {
  return proposals(stateDir).find((p) => p.containers.some((c) => c.id === containerId && c.host === undefined));
}

export function writeJson(path: string, v: unknown): string {
  writeFileSync(path, JSON.stringify(v, null, 2) + '\n');
  return path;
}

/** SECCOMP records (raw text) in audit.log and its rotated siblings that match `pred`. */
export function auditRecords(pred: (line: string) => boolean, dir = '/var/log/audit'): string[] {
  const out: string[] = [];
  // A rotation between listing and reading shows one file under two names: read each inode once.
  const seen = new Set<number>();
  for (const f of readdirSync(dir).filter((n) => n.startsWith('audit.log'))) {
    let text: string;
    try {
      const fd = openSync(join(dir, f), 'r');
      const ino = fstatSync(fd).ino;
      text = seen.has(ino) ? '' : readFileSync(fd, 'latin1');
      seen.add(ino);
      closeSync(fd);
    } catch {
      continue;
    }
    for (const l of text.split('\n')) if (l.includes('type=SECCOMP') && pred(l)) out.push(l);
  }
  return out;
}
