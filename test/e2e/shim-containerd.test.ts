// containerd 1.6 (no OCI hooks, no NRI) recording through seccomp-tailor-runc: `ctr run
// --runc-binary` with the annotation records; the profile replays under `ctr run --seccomp-profile`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRoot, makeHookEnv, profileNames, runStateFiles, type HookEnv } from '../helpers/hook-env.js';
import { haveEngines, startEngines, type Engines } from '../helpers/engines.js';
import { packagePath } from '../../src/native/package-root.js';

const SHIM = packagePath('bin', 'seccomp-tailor-runc');
const skip = !isRoot ? 'needs root (eBPF, containerd)' : !haveEngines ? 'needs containerd (scripts/bootstrap.sh --tests)' : !existsSync(SHIM) ? 'the shim is not built (npm run build)' : false;

describe('containerd: ctr run --runc-binary seccomp-tailor-runc', { skip }, () => {
  let env: HookEnv;
  let eng: Engines;
  before(async () => {
    env = makeHookEnv('shim-ctd');
    // --runc-binary takes a path only: the shim's settings come from the file containerd's
    // environment names (the hook config of this private environment).
    const shimConfig = join(env.work, 'runtime-shim.json');
    writeFileSync(shimConfig, JSON.stringify({ hookConfig: env.configPath, hookdSocket: join(env.work, 'hookd.sock') }));
    chmodSync(shimConfig, 0o644);
    eng = await startEngines('ctd', { docker: false, containerdEnv: { SECCOMP_TAILOR_SHIM_CONFIG: shimConfig } });
  });
  after(async () => {
    try {
      assert.deepEqual(runStateFiles(env), [], 'every run state was removed');
    } finally {
      await eng?.stop();
      env?.cleanup();
    }
  });

  let n = 0;
  const ctrRun = (args: string[], opts: string[]) => eng.ctr(['run', '--rm', ...opts, '--rootfs', eng.rootfs, `st-ctd-${process.pid}-${++n}`, ...args]);

  test('the annotation records ls /; the profile replays under --seccomp-profile and refuses uname', () => {
    const out = join(env.out, 'ctr-ls.json');
    const r = ctrRun(['/bin/ls', '/'], ['--runc-binary', SHIM, '--annotation', `io.containers.trace-syscall=of:${out}`]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /\bbin\b/);
    assert.ok(existsSync(out), 'the profile exists when ctr run returns');
    const names = profileNames(out);
    for (const s of ['getdents64', 'execve', 'exit_group']) assert.ok(names.includes(s), `${s} recorded`);
    assert.ok(!names.includes('uname'));

    const ls = ctrRun(['/bin/ls', '/'], ['--seccomp', '--seccomp-profile', out]);
    assert.equal(ls.status, 0, ls.stderr);
    assert.match(ls.stdout, /\bbin\b/);
    assert.match(ctrRun(['/bin/uname', '-s'], []).stdout, /^Linux$/m);
    assert.doesNotMatch(ctrRun(['/bin/uname', '-s'], ['--seccomp', '--seccomp-profile', out]).stdout, /Linux/, 'uname(2) refused');
  });

  test('without the annotation the shim records nothing and changes nothing visible', () => {
    const script = 'echo out; echo err >&2; exit 3';
    const plain = ctrRun(['/bin/sh', '-c', script], []);
    const shim = ctrRun(['/bin/sh', '-c', script], ['--runc-binary', SHIM]);
    assert.equal(plain.status, 3);
    assert.deepEqual({ s: shim.status, o: shim.stdout, e: shim.stderr }, { s: plain.status, o: plain.stdout, e: plain.stderr });
  });
});
