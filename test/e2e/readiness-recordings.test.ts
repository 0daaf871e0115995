// profile readiness over real recordings (issue 20): the same busybox workload recorded eight
// times through the hook under runc, then a ninth that also calls uname. The verdict goes from
// ready to learning, lastNewAt is the ninth's, pNew is the formula's, computed here from the
// recorded files themselves.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRoot, makeHookEnv, type HookEnv } from '../helpers/hook-env.js';
import { packageRoot } from '../../src/native/package-root.js';

const skip = !isRoot ? 'needs root (eBPF, runc)' : false;
const BIN = join(packageRoot(), 'bin', 'seccomp-tailor');

/** A recorded profile's permitted syscalls as (name, conditions) identities. */
function identities(path: string): Set<string> {
  const p = JSON.parse(readFileSync(path, 'utf8')) as { syscalls: Array<{ names: string[]; action: string; args?: unknown[] }> };
  const out = new Set<string>();
  for (const r of p.syscalls) if (r.action === 'SCMP_ACT_ALLOW' || r.action === 'SCMP_ACT_LOG') for (const n of r.names) out.add(`${n} ${JSON.stringify(r.args ?? [])}`);
  return out;
}

describe('readiness over real recordings', { skip }, () => {
  let env: HookEnv;
  before(() => { env = makeHookEnv('readiness'); });
  after(() => env?.cleanup());

  test('eight alike: ready; a ninth with uname: learning, lastNewAt the ninth\'s, pNew = once-seen ÷ runs', () => {
    const files: string[] = [];
    const record = (i: number, script: string) => {
      const out = join(env.out, `run${i}.json`);
      const r = env.run('runc', { args: ['sh', '-c', script], trace: `of:${out}` });
      assert.equal(r.status, 0, r.stderr);
      files.push(out);
    };
    for (let i = 1; i <= 8; i++) record(i, 'echo hi >/dev/null');
    const profile = join(env.out, 'app.json');
    writeFileSync(profile, readFileSync(files[0]!));
    const ask = (fs: string[]) => {
      const r = spawnSync(BIN, ['profile', 'readiness', profile, ...fs, '--json', '--min-runs', '8', '--quiet-for', '0', '--max-p-new', '0.1', '--state-dir', env.stateDir], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as { verdict: string; reason: string; pNew: number; lastNewAt: string; observations: { runs: number } };
    };
    const formula = (fs: string[]) => {
      const seenIn = new Map<string, number>();
      for (const f of fs) for (const k of identities(f)) seenIn.set(k, (seenIn.get(k) ?? 0) + 1);
      return [...seenIn.values()].filter((n) => n === 1).length / fs.length;
    };
    const before8 = ask(files);
    assert.equal(before8.pNew, formula(files));
    assert.equal(before8.verdict, 'ready', `${before8.reason} (the eight recordings should be alike)`);

    record(9, 'echo hi >/dev/null; uname >/dev/null');
    const after9 = ask(files);
    assert.ok(identities(files[8]!).has('uname []'), 'the ninth recording has uname');
    assert.equal(after9.observations.runs, 9 + 0);
    assert.equal(after9.verdict, 'learning');
    assert.equal(after9.lastNewAt, statSync(files[8]!).mtime.toISOString());
    assert.equal(after9.pNew, formula(files));
  });
});
