// The unprivileged attacker of the trust-boundary tests: a real user created for the test (and
// removed after it), commands run as that user with setpriv, the program that makes the kernel
// write a real SECCOMP record, and a running victim container for the attacker to impersonate.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packagePath } from '../../src/native/package-root.js';
import { makeBusyboxBundle } from './busybox-bundle.js';
import { waitFor } from './watch-e2e.js';

export interface TestUser { name: string; uid: number; gid: number; remove(): void }

/** A system user with no home and no login shell; `remove()` deletes it (and its group). */
export function createUser(tag: string): TestUser {
  const name = `st-att-${tag}`.slice(0, 31);
  spawnSync('userdel', [name], { stdio: 'ignore' });
  execFileSync('useradd', ['--system', '--no-create-home', '--user-group', '--shell', '/usr/sbin/nologin', name]);
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
  return { name, uid, gid, remove: () => { spawnSync('userdel', [name], { stdio: 'ignore' }); spawnSync('groupdel', [name], { stdio: 'ignore' }); } };
}

/** `setpriv` to the user: real and effective ids, no supplementary groups, no capabilities. */
export function asUserArgs(u: TestUser, argv: string[]): string[] {
  return ['--reuid', String(u.uid), '--regid', String(u.gid), '--clear-groups', '--inh-caps=-all', '--', ...argv];
}
export function runAsUser(u: TestUser, argv: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('setpriv', asUserArgs(u, argv), { encoding: 'utf8', ...(input !== undefined ? { input } : {}) });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
export function spawnAsUser(u: TestUser, argv: string[]): ChildProcess {
  return spawn('setpriv', asUserArgs(u, argv), { stdio: ['pipe', 'pipe', 'pipe'] });
}

let logBinary: string | undefined;
/** test/fixtures/seccomp-log.c built in a directory everyone may enter (the attacker runs it). */
export function seccompLogBinary(): string {
  if (logBinary && existsSync(logBinary)) return logBinary;
  const dir = mkdtempSync(join(tmpdir(), 'st-seclog-'));
  chmodSync(dir, 0o755);
  const out = join(dir, 'seccomp-log');
  execFileSync('cc', ['-static', '-O2', '-o', out, packagePath('test', 'fixtures', 'seccomp-log.c')]);
  logBinary = out;
  return out;
}

export interface Victim { id: string; pid: number; stop(): Promise<void> }

/** A busybox container under runc that sleeps until stopped; resolves once runc's state names its pid. */
export async function startVictim(dir: string, id: string, o: { annotations?: Record<string, string>; seccomp?: unknown; args?: string[] } = {}): Promise<Victim> {
  const bundle = makeBusyboxBundle(dir, { args: ['sleep', '600'], ...o });
  const p = spawn('runc', ['run', '--bundle', bundle, id], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => p.on('exit', () => r()));
  const state = `/run/runc/${id}/state.json`;
  const pid = await waitFor(`container ${id} to run`, () => {
    try {
      const s = JSON.parse(readFileSync(state, 'utf8')) as { init_process_pid?: number };
      return s.init_process_pid && /^(sleep|sh)\0/.test(readFileSync(`/proc/${s.init_process_pid}/cmdline`, 'latin1')) ? s.init_process_pid : undefined;
    } catch {
      return undefined;
    }
  }, 10_000);
  return {
    id, pid,
    async stop() {
      spawnSync('runc', ['kill', id, 'KILL'], { stdio: 'ignore' });
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      spawnSync('runc', ['delete', '-f', id], { stdio: 'ignore' });
    },
  };
}
