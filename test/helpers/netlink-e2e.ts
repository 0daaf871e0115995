// What the audit netlink e2e files share: a work directory, watchers and witness pins cleaned up
// after the file, auditd put back as the file found it, and a complain container calling times(2).
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  cleanupContainer, isRoot, makeBundle, profileDenying, proposalFor, runContainer, startWatcher, tmp, writeJson, type Watcher,
} from './watch-e2e.js';

export type LossLine = { loss: { source: string; count: number; from?: string; to?: string } };

export interface NetlinkSuite {
  readonly skip: string | false;
  readonly tag: string;
  /** The file's work directory (set in its `before`). */
  readonly dir: string;
  /** How to put auditd back as the file found it; a test that stops or starts auditd sets it. */
  auditd: { restore?: () => Promise<void> };
  pin(name: string): string;
  watch(args: string[]): Promise<Watcher>;
  /** Runs a complain container that calls times(2) `n` times and removes it. */
  runUnames(name: string, id: string, n: number): Promise<void>;
  unameCount(stateDir: string, id: string): number;
  losses(w: Watcher): LossLine[];
}

/** Registers the file's before/after hooks; call once at the top of a test file. */
export function netlinkSuite(): NetlinkSuite {
  const skip = !isRoot ? 'needs root' : false;
  const tag = `${process.pid}`;
  const pins: string[] = [];
  const watchers: Watcher[] = [];
  let dir = '';
  const suite: NetlinkSuite = {
    skip, tag, auditd: {},
    get dir() { return dir; },
    pin(name) { const p = `/sys/fs/bpf/st-watch-nl-${name}-${tag}`; pins.push(p); return p; },
    async watch(args) {
      const w = await startWatcher(args);
      watchers.push(w);
      return w;
    },
    async runUnames(name, id, n) {
      // ash's `times` builtin makes one times(2) call each; runc itself calls uname after
      // installing the filter, never times.
      const profile = writeJson(join(dir, `${name}.json`), profileDenying(['times'], 'SCMP_ACT_LOG'));
      const bundle = makeBundle(join(dir, name), {
        args: ['sh', '-c', `i=0; while [ $i -lt ${n} ]; do times >/dev/null; i=$((i+1)); done`],
        seccomp: profileDenying(['times'], 'SCMP_ACT_LOG'), annotations: { 'io.seccomp-tailor.profile': profile },
      });
      try {
        const r = await runContainer(bundle, id);
        assert.equal(r.status, 0);
      } finally {
        cleanupContainer(id);
      }
    },
    unameCount: (stateDir, id) => proposalFor(stateDir, id)?.add.find((a) => a.syscall === 'times')?.count ?? 0,
    losses: (w) => w.lines().filter((l) => l.loss !== undefined) as LossLine[],
  };
  before(() => {
    if (skip) return;
    dir = tmp('netlink');
    spawnSync('auditctl', ['-r', '0'], { stdio: 'ignore' });
  });
  after(async () => {
    if (skip) return;
    for (const w of watchers) await w.stop('SIGKILL');
    for (const p of pins) rmSync(p, { recursive: true, force: true });
    await suite.auditd.restore?.();
    rmSync(dir, { recursive: true, force: true });
  });
  return suite;
}
