// `npm run demo` end to end (root: runc, eBPF, auditd): the loop runs through in under a minute,
// prints its key results, and leaves nothing behind — also when interrupted halfway.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { packagePath } from '../../src/native/package-root.js';
import { withoutAuditd } from '../helpers/watch-e2e.js';

const skip = process.getuid?.() !== 0 ? 'needs root' : false;
const MAIN = packagePath('dist', 'src', 'demo', 'main.js');

interface DemoRun { code: number | null; out: string; err: string; ms: number; pid: number }

const auditdRunning = (): boolean => spawnSync('pgrep', ['-x', 'auditd']).status === 0;

function runDemo(opts: { interruptAt?: RegExp; args?: string[] } = {}): Promise<DemoRun> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const p = spawn(process.execPath, [MAIN, ...(opts.args ?? [])], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    let err = '';
    let sent = false;
    p.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (opts.interruptAt && !sent && opts.interruptAt.test(out)) {
        sent = true;
        p.kill('SIGINT');
      }
    });
    p.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
    const killer = setTimeout(() => p.kill('SIGKILL'), 120_000);
    p.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, out, err, ms: Date.now() - t0, pid: p.pid! });
    });
  });
}

/** What a demo run with this pid could have left behind. */
function leftovers(r: DemoRun): string[] {
  const work = /\$DEMO=(\S+)\)/.exec(r.out)?.[1];
  const found: string[] = [];
  if (work && existsSync(work)) found.push(work);
  for (const n of readdirSync('/sys/fs/bpf')) if (n.startsWith(`seccomp-tailor-demo-${r.pid}`)) found.push(`/sys/fs/bpf/${n}`);
  const runc = spawnSync('runc', ['list', '-q'], { encoding: 'utf8' }).stdout.split('\n').filter((id) => id.startsWith(`st-demo-${r.pid}-`));
  found.push(...runc.map((id) => `container ${id}`));
  const watchers = spawnSync('pgrep', ['-f', `seccomp-tailor watch .*${work ?? 'no-work-dir'}`], { encoding: 'utf8' }).stdout.trim();
  if (watchers) found.push(`watcher pid ${watchers}`);
  const images = spawnSync('sh', ['-c', `podman images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null | grep 'seccomp-tailor-demo:${r.pid}$' || true`], { encoding: 'utf8' }).stdout.trim();
  if (images) found.push(`podman image ${images}`);
  const ctrs = spawnSync('sh', ['-c', `podman ps -a --format '{{.Names}}' 2>/dev/null | grep '^st-demo-${r.pid}-' || true`], { encoding: 'utf8' }).stdout.trim();
  if (ctrs) found.push(`podman container ${ctrs}`);
  return found;
}

test('the demo runs the whole loop in under a minute and cleans up', { skip, timeout: 150_000 }, async () => {
  const auditdBefore = auditdRunning();
  const r = await runDemo();
  if (!auditdBefore) assert.equal(auditdRunning(), false, 'the demo stops the auditd it started');
  assert.equal(r.code, 0, `demo failed:\n${r.out}\n${r.err}`);
  assert.ok(r.ms < 60_000, `took ${r.ms} ms`);
  const lines = r.out.split('\n');
  for (let i = 1; i <= 13; i++) assert.ok(lines.some((l) => l.startsWith(`[${i}/13] `)), `progress line for step ${i}`);
  assert.match(r.out, /ok \$DEMO\/profiles\/ls\.json written before runc returned/);
  assert.match(r.out, /ok \d+ syscalls, [\d.]+% smaller than podman's default \(\d+\)|ok \d+ syscalls \(podman's default profile not installed/);
  assert.match(r.out, /ok exit \d+: .*(Operation not permitted|can't)/, 'the recorded profile alone denies the bigger workload');
  assert.match(r.out, new RegExp(`container st-demo-${r.pid}-complain, profile \\$DEMO/profiles/ls-complain\\.json`));
  const added = /ok proposal [0-9a-f]+: add (.+) \(/.exec(r.out)?.[1]?.split(', ') ?? [];
  assert.ok(added.includes('uname'), `the proposal adds uname (got ${added.join(', ')})`);
  assert.match(r.out, /\+\s+"uname",/, 'the diff shows the added name');
  assert.match(r.out, /applied [0-9a-f]+ to \$DEMO\/profiles\/ls-complain\.json: .*\+uname/);
  assert.equal((r.out.match(/ok exit 0, nothing denied/g) ?? []).length, 2, 'clean under runc and under podman');
  // Production: shadowing the enforced profile proposes what it lacks (the pause), and readiness says learning.
  assert.match(r.out, /shadow proposal [0-9a-f]+: add .*(clock_nanosleep|nanosleep)/);
  assert.match(r.out, /readiness: learning \(1 open proposal/);
  assert.match(r.out, /^done in [\d.]+ s/m);
  assert.deepEqual(leftovers(r), []);
});

test('Ctrl-C halfway: exit 130 and nothing left behind (watcher, pins, containers, work directory)', { skip, timeout: 150_000 }, async () => {
  const r = await runDemo({ interruptAt: /\[7\/13\]/ });
  assert.equal(r.code, 130, `exit code; output:\n${r.out}\n${r.err}`);
  assert.match(r.out, /SIGINT: cleaning up/);
  assert.doesNotMatch(r.out, /\[9\/13\]/, 'no step starts after the interrupt');
  assert.deepEqual(leftovers(r), []);
});

test('with the kernel ring buffer as the source (no auditd)', { skip, timeout: 150_000 }, async () => {
  // A running auditd takes the records away from /dev/kmsg: stopped for this test, started again after.
  const restoreAuditd = await withoutAuditd();
  const ratelimitBefore = readFileSync('/proc/sys/kernel/printk_ratelimit', 'utf8');
  let r: DemoRun;
  try {
    r = await runDemo({ args: ['--source', 'kmsg'] });
  } finally {
    await restoreAuditd();
  }
  assert.equal(r.code, 0, `demo failed:\n${r.out}\n${r.err}`);
  assert.match(r.out, /ok watching \/dev\/kmsg/);
  // Without the rate limit every denial reaches the ring buffer: nothing lost, and so the enforced
  // profile of step 11 (which fails when a suppressed record took a syscall with it) runs clean.
  if (ratelimitBefore.trim() !== '0') assert.match(r.out, /kernel\.printk_ratelimit \d+ -> 0 while the demo runs/);
  assert.match(r.out, /the watcher reported no lost records/);
  assert.match(r.out, /ok proposal [0-9a-f]+: add .*uname/);
  assert.match(r.out, /ok exit 0, nothing denied/);
  assert.deepEqual(leftovers(r), []);
  assert.equal(readFileSync('/proc/sys/kernel/printk_ratelimit', 'utf8'), ratelimitBefore, 'the demo puts kernel.printk_ratelimit back');
});
