// Starts a command that waits, before its execve, until the tracer has tagged it: nothing the
// command does can happen before recording starts, and the shell's own syscalls end at the
// exec that the tracer uses to start the workload phase.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import type { Writable } from 'node:stream';
import { recordSpawnFailed } from '../errors.js';

export interface PausedChild {
  child: ChildProcess;
  pid: number;
  /** Lets the command exec. */
  release(): void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

// `read` blocks on fd 3 until release() writes a line; fd 3 is closed before the exec so the
// command inherits nothing of ours.
const WAIT_THEN_EXEC = 'read _ <&3; exec 3<&-; exec "$0" "$@"';

export function spawnPaused(command: string, args: readonly string[], stdio: 'inherit' | 'ignore' | 'pipe' = 'inherit'): PausedChild {
  const io: StdioOptions = [stdio, stdio, stdio, 'pipe'];
  const child = spawn('/bin/sh', ['-c', WAIT_THEN_EXEC, command, ...args], { stdio: io });
  if (child.pid === undefined) throw recordSpawnFailed(command);
  const gate = child.stdio[3] as Writable;
  gate.on('error', () => {}); // the child may die before release(); that shows in `exited`
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return { child, pid: child.pid, release: () => gate.end('go\n'), exited };
}
