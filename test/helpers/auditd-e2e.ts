// What the e2e files that watch auditd's log share: auditd running (stopped again after the file
// if the file started it), a work directory, one watcher on `--source auditd` with its own state
// directory and witness pin, all cleaned up after the file.
import { after, before } from 'node:test';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureAuditd, isRoot, startWatcher, tmp, type Watcher } from './watch-e2e.js';

export interface AuditdWatchSuite {
  readonly skip: string | false;
  readonly tag: string;
  /** The witness pin of the file's watcher (a replay may attach to it). */
  readonly pin: string;
  /** The file's work directory and the watcher's state directory (set in `before`). */
  readonly dir: string;
  readonly stateDir: string;
  readonly watcher: Watcher | undefined;
}

/** Registers the file's before/after hooks; call once at the top of a test file. */
export function auditdWatchSuite(name: string, extraArgs: string[] = []): AuditdWatchSuite {
  const skip = !isRoot ? 'needs root' : false;
  const tag = `${process.pid}`;
  const pin = `/sys/fs/bpf/st-${name}-e2e-${tag}`;
  let stopAuditd: () => Promise<void> = async () => {};
  let watcher: Watcher | undefined;
  let dir = '';
  let stateDir = '';
  before(async () => {
    if (skip) return;
    stopAuditd = await ensureAuditd();
    dir = tmp(name);
    stateDir = join(dir, 'state');
    watcher = await startWatcher(['--source', 'auditd', '--state-dir', stateDir, '--witness-pin', pin, ...extraArgs]);
  });
  after(async () => {
    if (skip) return;
    await watcher?.stop();
    rmSync(pin, { recursive: true, force: true });
    await stopAuditd();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    skip, tag, pin,
    get dir() { return dir; },
    get stateDir() { return stateDir; },
    get watcher() { return watcher; },
  };
}
