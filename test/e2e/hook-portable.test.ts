// The runtime's post-filter needs differ (the point): a profile recorded under runc lacks
// what crun needs, and `alsoRuntimes` in the hook config makes it carry both.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { isRoot, makeHookEnv, profileNames, type HookEnv } from '../helpers/hook-env.js';

describe('profiles across runtimes', { skip: isRoot ? false : 'needs root (eBPF, runc, crun)' }, () => {
  let env: HookEnv;
  before(() => {
    env = makeHookEnv('portable');
  });
  after(() => env.cleanup());

  test('recorded under runc: fails under crun without noNewPrivileges (setresgid is crun\'s, not runc\'s)', () => {
    const out = join(env.out, 'runc-only.json');
    assert.equal(env.run('runc', { args: ['ls', '/'], trace: `of:${out}` }).status, 0);
    assert.ok(!profileNames(out).includes('setresgid'));
    const r = env.run('crun', { args: ['ls', '/'], profile: out, noNewPrivileges: false });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /setresgid.*Operation not permitted/);
  });

  test('with alsoRuntimes ["crun"]: the runc recording runs under crun too', () => {
    env.setConfig({ alsoRuntimes: ['crun'] });
    try {
      const out = join(env.out, 'portable.json');
      assert.equal(env.run('runc', { args: ['ls', '/'], trace: `of:${out}` }).status, 0);
      for (const noNewPrivileges of [true, false]) {
        const r = env.run('crun', { args: ['ls', '/'], profile: out, noNewPrivileges });
        assert.equal(r.status, 0, `crun nnp=${noNewPrivileges}: ${r.stderr}`);
        assert.match(r.stdout, /\bbin\b/);
      }
    } finally {
      env.setConfig({});
    }
  });
});
