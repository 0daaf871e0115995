// Docker 20.10 (no OCI hooks, no --annotation) recording through seccomp-tailor-runc, with a
// private containerd + dockerd: the runtime registered with a record directory records every
// container; the same shim without one is invisible.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isRoot, makeHookEnv, profileNames, runStateFiles, strayHookProcesses, type HookEnv } from '../helpers/hook-env.js';
import { haveEngines, startEngines, type Engines } from '../helpers/engines.js';
import { packagePath } from '../../src/native/package-root.js';
import { ensureAuditd, proposals, startWatcher, waitFor } from '../helpers/watch-e2e.js';

const SHIM = packagePath('bin', 'seccomp-tailor-runc');
const skip = !isRoot ? 'needs root (eBPF, dockerd)' : !haveEngines ? 'needs docker.io and containerd (scripts/bootstrap.sh --tests)' : !existsSync(SHIM) ? 'the shim is not built (npm run build)' : false;

describe('Docker: record through the runtime shim', { skip }, () => {
  let env: HookEnv;
  let eng: Engines;
  before(async () => {
    env = makeHookEnv('shim-docker');
    eng = await startEngines('docker', {
      runtimes: {
        // A private hookd socket: the hook's native entry must not hand our containers to a hookd
        // some other checkout runs on the machine's default socket.
        'st-record': { path: SHIM, runtimeArgs: ['--hook-config', env.configPath, '--hookd-socket', join(env.work, 'hookd.sock'), '--record-dir', env.out] },
        'st-pass': { path: SHIM, runtimeArgs: ['--hook-config', env.configPath, '--hookd-socket', join(env.work, 'hookd.sock')] },
      },
    });
  });
  after(async () => {
    try {
      assert.deepEqual(runStateFiles(env), [], 'every run state was removed');
      assert.deepEqual(strayHookProcesses(), [], 'no hook process left running');
    } finally {
      await eng?.stop();
      env?.cleanup();
    }
  });

  let n = 0;
  /** docker run ARGS with a cidfile; returns the result and the container id. */
  const run = (runtime: string | undefined, args: string[], o: { rm?: boolean; seccomp?: string } = {}) => {
    const cid = join(eng.work, `cid-${++n}`);
    const r = eng.docker(['run', ...(o.rm === false ? [] : ['--rm']), '--network', 'none', '--cidfile', cid,
      ...(runtime ? ['--runtime', runtime] : []), '--security-opt', `seccomp=${o.seccomp ?? 'unconfined'}`, eng.image, ...args]);
    const id = existsSync(cid) ? readFileSync(cid, 'utf8').trim() : '';
    return { ...r, id };
  };

  for (const rm of [true, false]) {
    test(`${rm ? '--rm' : 'no --rm'}: ls / is recorded into <record-dir>/<id>.json before docker run returns; the profile runs ls and refuses uname`, () => {
      const r = run('st-record', ['ls', '/'], { rm });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /\bbin\b/);
      const profile = join(env.out, `${r.id}.json`);
      assert.ok(existsSync(profile), `${profile} exists when docker run returns`);
      const names = profileNames(profile);
      for (const s of ['getdents64', 'execve', 'exit_group']) assert.ok(names.includes(s), `${s} recorded`);
      assert.ok(!names.includes('uname'), 'ls does not call uname');
      if (!rm) assert.equal(eng.docker(['rm', r.id]).status, 0);

      const ls = run(undefined, ['ls', '/'], { seccomp: profile });
      assert.equal(ls.status, 0, ls.stderr);
      assert.match(ls.stdout, /\bbin\b/);
      // busybox uname prints whatever the failed uname(2) left in its buffer and exits 0: the
      // kernel name is what tells the call went through.
      assert.match(run(undefined, ['uname', '-s']).stdout, /^Linux$/m, 'unconfined uname works');
      const un = run(undefined, ['uname', '-s'], { seccomp: profile });
      assert.doesNotMatch(un.stdout, /Linux/, `uname(2) is refused under the ls profile: ${un.stdout}`);
    });
  }

  test('without a record directory the shim is invisible: same stdout, stderr and exit code of a failing workload', () => {
    const script = 'echo out; echo err >&2; ls /nonexistent; exit 3';
    const plain = run(undefined, ['sh', '-c', script]);
    const shim = run('st-pass', ['sh', '-c', script]);
    assert.equal(plain.status, 3);
    assert.deepEqual({ status: shim.status, stdout: shim.stdout, stderr: shim.stderr }, { status: plain.status, stdout: plain.stdout, stderr: plain.stderr });
    assert.ok(!existsSync(join(env.out, `${shim.id}.json`)), 'not recorded');
  });

  test('docker stop delivers SIGTERM through the shim; docker exec works', async () => {
    for (const runtime of ['runc', 'st-pass', 'st-record']) {
      const name = `st-stop-${runtime}-${process.pid}`;
      const d = eng.docker(['run', '-d', '--name', name, '--network', 'none', '--runtime', runtime, '--security-opt', 'seccomp=unconfined', eng.image,
        'sh', '-c', 'trap "echo got-TERM; exit 42" TERM; echo ready; while :; do sleep 0.1; done']);
      assert.equal(d.status, 0, d.stderr);
      const id = d.stdout.trim();
      const ex = eng.docker(['exec', name, 'sh', '-c', 'echo exec-ok; exit 5']);
      assert.equal(ex.status, 5, `${runtime}: docker exec exit code`);
      assert.equal(ex.stdout, 'exec-ok\n');
      const st = eng.docker(['stop', '-t', '10', name]);
      assert.equal(st.status, 0, st.stderr);
      const code = eng.docker(['inspect', '-f', '{{.State.ExitCode}}', name]);
      assert.equal(code.stdout.trim(), '42', `${runtime}: the workload's TERM trap ran`);
      assert.match(eng.docker(['logs', name]).stdout, /ready\ngot-TERM/);
      assert.equal(eng.docker(['rm', name]).status, 0);
      if (runtime === 'st-record') {
        const names = profileNames(join(env.out, `${id}.json`));
        assert.ok(names.includes('rt_sigreturn') || names.includes('nanosleep') || names.includes('clock_nanosleep'), 'the long-running container was recorded when it stopped');
      }
    }
  });

  test('the watcher attributes a complain-mode denial to the Docker container and proposes against the file; apply, then the enforced profile runs clean', async () => {
    const stopAuditd = await ensureAuditd();
    const pin = `/sys/fs/bpf/st-shim-docker-${process.pid}`;
    const watcher = await startWatcher(['--source', 'auditd', '--state-dir', env.stateDir, '--witness-pin', pin,
      '--runtime-root', `runc:${join(eng.dockerExecRoot, 'runtime-runc', 'moby')}`]);
    const cli = (args: string[]) => spawnSync(process.execPath, [packagePath('bin', 'seccomp-tailor'), ...args], { encoding: 'utf8', timeout: 60_000 });
    try {
      const rec = run('st-record', ['sh', '-c', 'ls / >/dev/null; sleep 0.3']);
      assert.equal(rec.status, 0, rec.stderr);
      const recorded = join(env.out, `${rec.id}.json`);
      const complain = join(env.out, 'complain.json');
      const c = cli(['profile', 'complain', recorded, '-o', complain, '--state-dir', env.stateDir]);
      assert.equal(c.status, 0, c.stderr);
      // Docker embeds complain.json's JSON in the spec; the denial must still be proposed against complain.json.
      const workload = ['sh', '-c', 'ls / >/dev/null; sleep 0.3; uname -a'];
      const live = run(undefined, workload, { seccomp: complain });
      assert.equal(live.status, 0, live.stderr);
      // The proposal names the container (one proposal per container or per profile file, with its containers).
      const ofContainer = (p: unknown) => JSON.stringify(p).includes(`"${live.id}"`);
      const prop = await waitFor('a proposal for the Docker container', () => proposals(env.stateDir).find((p) => ofContainer(p) && p.add.some((a) => a.syscall === 'uname')), 5000);
      assert.equal(prop.profile.path, complain, 'proposed against the file, not an embedded copy');
      const a = cli(['apply', prop.id, '--yes', '--state-dir', env.stateDir]);
      assert.equal(a.status, 0, a.stderr + a.stdout);
      const enforced = join(env.out, 'enforced.json');
      // runc 1.1 refuses "flags": --runtime runc leaves them out.
      const e = cli(['profile', 'enforce', complain, '--runtime', 'runc', '-o', enforced, '--state-dir', env.stateDir]);
      assert.equal(e.status, 0, e.stderr);
      for (const rm of [true, false]) {
        const ok = run(undefined, ['uname', '-s'], { seccomp: enforced, rm });
        assert.equal(ok.status, 0, ok.stderr);
        assert.equal(ok.stdout, 'Linux\n', `uname runs under the enforced profile (${rm ? '--rm' : 'kept'})`);
        if (!rm) assert.equal(eng.docker(['rm', ok.id]).status, 0);
      }
      const full = run(undefined, workload, { seccomp: enforced });
      assert.equal(full.status, 0, full.stderr);
    } finally {
      await watcher.stop();
      rmSync(pin, { recursive: true, force: true });
      await stopAuditd();
    }
  });

  test('20 containers started concurrently through the shim all record', async () => {
    const runs = await Promise.all(Array.from({ length: 20 }, (_, i) => {
      const cid = join(eng.work, `cid-c${i}`);
      return eng.dockerAsync(['run', '--rm', '--network', 'none', '--cidfile', cid, '--runtime', 'st-record', '--security-opt', 'seccomp=unconfined', eng.image,
        ...(i % 2 ? ['ls', '/'] : ['uname', '-a'])]).then((r) => ({ ...r, i, id: readFileSync(cid, 'utf8').trim() }));
    }));
    for (const r of runs) {
      assert.equal(r.status, 0, `#${r.i}: ${r.stderr}`);
      const names = profileNames(join(env.out, `${r.id}.json`));
      assert.equal(names.includes('uname'), r.i % 2 === 0, `#${r.i}: its own workload only`);
      rmSync(join(env.out, `${r.id}.json`));
    }
  });
});
