// Attack 5 of issue 12, performed for real with the hook under runc: a second container names
// the first one's profile file with `of:NAME` (a bare name lands in the shared default
// directory, which every container's annotation can reach). Its recording must not replace it;
// the first container re-recording its own file still may.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hookLog, isRoot, makeHookEnv, type HookEnv } from '../helpers/hook-env.js';

const skip = !isRoot ? 'needs root (eBPF, runc)' : false;
let env: HookEnv;
before(() => { if (!skip) env = makeHookEnv('shared-out'); });
after(() => { if (!skip) env.cleanup(); });

test('another container\'s of:NAME does not replace a recorded profile; the same container\'s does', { skip }, () => {
  const victim = env.run('runc', { args: ['true'], trace: 'of:web.json', id: `st-web-${process.pid}` });
  assert.equal(victim.status, 0, victim.stderr);
  const path = join(env.work, 'profiles', 'web.json');
  const recorded = readFileSync(path, 'utf8');
  assert.match(recorded, /"SCMP_ACT_ALLOW"/);

  const before = hookLog(env).length;
  // The attacker's workload calls uname, which the victim's never did.
  const evil = env.run('runc', { args: ['uname'], trace: 'of:web.json', id: `st-evil-${process.pid}` });
  assert.equal(evil.status, 0, 'the container still runs, unrecorded');
  const log = hookLog(env).slice(before);
  assert.match(log, new RegExp(`web\\.json: exists and was recorded by container st-web-${process.pid}; not replacing it`));
  assert.equal(readFileSync(path, 'utf8'), recorded, 'the victim\'s profile is byte for byte as it was');
  assert.doesNotMatch(readFileSync(path, 'utf8'), /"uname"/);

  const again = env.run('runc', { args: ['uname'], trace: 'of:web.json', id: `st-web-${process.pid}` });
  assert.equal(again.status, 0, again.stderr);
  assert.match(readFileSync(path, 'utf8'), /"uname"/, 'the same container id re-records its own file');
});
