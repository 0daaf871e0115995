// `report --live ID`: a container the hook records right now (real runc, the pinned tracer) shows
// its profile so far and when each syscall first appeared; the report leaves the recording intact.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { isTailorError } from '../../src/errors.js';
import { packagePath } from '../../src/native/package-root.js';
import { makeBundle } from '../../src/oci/busybox-bundle.js';
import { TRACE_ANNOTATION } from '../../src/oci/annotation.js';
import { loadLiveReport } from '../../src/report/live.js';
import { profileNames } from '../helpers/hook-env.js';

const skip = process.getuid?.() !== 0 ? 'needs root' : false;

test('a running recorded container: profile so far, growth with the late syscall, recording intact', { skip, timeout: 60_000 }, async () => {
  const work = mkdtempSync('/tmp/st-report-live-');
  chmodSync(work, 0o755);
  const out = join(work, 'out');
  mkdirSync(out, { mode: 0o755 });
  const pin = `/sys/fs/bpf/st-report-live-${process.pid}`;
  const config = join(work, 'hook.json');
  writeFileSync(config, JSON.stringify({ allowedDirs: [out], defaultDir: out, runDir: join(work, 'run'), stateDir: join(work, 'state'), pinRoot: pin }));
  chmodSync(config, 0o644);
  const id = `st-report-live-${process.pid}`;
  const hooks = (JSON.parse(execFileSync(process.execPath, [packagePath('bin', 'seccomp-tailor'), 'hooks-config', '--runtime', 'runc', '--no-native', '--config', config], { encoding: 'utf8' })) as { hooks: Record<string, unknown> }).hooks;
  const bundle = makeBundle(join(work, 'bundle'), {
    // cat comes a second after everything else: a step in the growth curve.
    args: ['sh', '-c', 'sleep 1; cat /etc/passwd; sleep 3'],
    annotations: { [TRACE_ANNOTATION]: `of:${join(out, 'live.json')}` }, hooks,
  });
  const runc = spawn('runc', ['run', '--bundle', bundle, id], { stdio: 'ignore' });
  const exited = new Promise<number | null>((r) => runc.on('close', r));
  try {
    await sleep(2500);
    const m = await loadLiveReport({ id, hookConfig: config });
    assert.equal(m.container?.id, id);
    assert.match(m.source, new RegExp(`live recording of ${id} \\(to be written to .*live\\.json\\)`));
    const g = m.growth!;
    assert.ok(g, 'a growth curve');
    assert.ok(g.spanMs >= 900, `the syscalls cat adds came about a second after the first ones (span ${g.spanMs} ms)`);
    const allowed = new Set(m.kinds.flatMap((k) => k.allowed));
    for (const p of g.points) assert.ok(allowed.has(p.name), `${p.name} from the timeline is in the profile so far`);
    assert.ok(allowed.has('execve') && (allowed.has('clock_nanosleep') || allowed.has('nanosleep')), 'the workload so far');

    assert.equal(await exited, 0);
    assert.ok(existsSync(join(out, 'live.json')), 'poststop still wrote the profile after the live report');
    // A syscall with argument rules (clone) is allowed by a rule of its own, not in the first one.
    const written = new Set(profileNames(join(out, 'live.json')));
    for (const p of g.points) assert.ok(written.has(p.name), `${p.name} in the written profile`);
    await assert.rejects(loadLiveReport({ id, hookConfig: config }),
      (e: unknown) => isTailorError(e) && e.code === 'REPORT_NO_PROFILE' && /not being recorded/.test(e.message));
  } finally {
    runc.kill('SIGKILL');
    spawnSync('runc', ['delete', '-f', id], { stdio: 'ignore' });
    rmSync(pin, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
});
