// Counting exactly under stress: a burst of denials while auditd rotates its log, while the
// watcher is killed with SIGKILL and restarted (with a rotation in between), and with malformed
// lines interleaved. The count in the proposal must equal the records in the log, every time.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  auditdPid, auditRecords, cleanupContainer, ensureAuditd, isRoot, makeBundle, profileDenying, proposalFor, runContainer, sleep, startWatcher, tmp, waitFor, writeJson,
  AUDIT_LOG, type Watcher,
} from '../helpers/watch-e2e.js';

const skip = !isRoot ? 'needs root' : false;
const tag = `${process.pid}`;
const PIN = `/sys/fs/bpf/st-watch-dur-${tag}`;
const BURST = 3000;
let stopAuditd: () => Promise<void> = async () => {};
let dir = '';

before(async () => {
  if (skip) return;
  stopAuditd = await ensureAuditd();
  dir = tmp('durability');
});
after(async () => {
  if (skip) return;
  rmSync(PIN, { recursive: true, force: true });
  await stopAuditd();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A container in the host's pid namespace (so it can print its own host pid) whose shell calls
 * times(2) BURST times (ash's `times` builtin, no fork): every record carries that one pid.
 */
function burstContainer(name: string): { id: string; run: () => Promise<number> } {
  const id = `std-${name}-${tag}`;
  const profile = writeJson(join(dir, `${name}.json`), profileDenying(['times'], 'SCMP_ACT_LOG'));
  const bundle = makeBundle(join(dir, name), {
    // A short pause every 100 calls stretches the burst over about a second, so that rotations
    // and kills land in the middle of it.
    args: ['sh', '-c', `echo $$; sleep 0.3; i=0; while [ $i -lt ${BURST} ]; do times >/dev/null; i=$((i+1)); [ $((i % 100)) -eq 0 ] && usleep 30000; done; true`],
    seccomp: profileDenying(['times'], 'SCMP_ACT_LOG'),
    annotations: { 'io.seccomp-tailor.profile': profile },
    namespaces: [{ type: 'mount' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }],
  });
  return {
    id,
    run: async () => {
      const r = await runContainer(bundle, id);
      assert.equal(r.status, 0);
      return Number(r.stdout.split('\n')[0]);
    },
  };
}

const stampOf = (l: string) => Number(/audit\((\d+\.\d+):/.exec(l)?.[1]);

function truth(pid: number, since: number): number {
  return auditRecords((l) => l.includes(` pid=${pid} `) && l.includes(' syscall=100 ') && stampOf(l) >= since).length;
}

async function settledCount(stateDir: string, id: string, want: number): Promise<number> {
  let last = -1;
  await waitFor(`the proposal's times count to reach ${want}`, () => {
    last = proposalFor(stateDir, id)?.add.find((a) => a.syscall === 'times')?.count ?? 0;
    return last >= want;
  }, 15000).catch(() => undefined);
  await sleep(500); // and not go beyond it
  return proposalFor(stateDir, id)?.add.find((a) => a.syscall === 'times')?.count ?? 0;
}

async function whenCounted(stateDir: string, id: string, atLeast: number): Promise<void> {
  await waitFor(`${atLeast} records counted`, () => (proposalFor(stateDir, id)?.add.find((a) => a.syscall === 'times')?.count ?? 0) >= atLeast, 15000, 5);
}

test('auditd rotates its log during a burst: counts equal the records in the log', { skip }, async () => {
  const stateDir = join(dir, 'rotate-state');
  const w = await startWatcher(['--source', 'auditd', '--state-dir', stateDir, '--witness-pin', PIN]);
  const c = burstContainer('rotate');
  const since = Date.now() / 1000 - 1;
  try {
    const running = c.run();
    await whenCounted(stateDir, c.id, BURST / 5);
    process.kill(auditdPid()!, 'SIGUSR1'); // auditd's own rotation: rename to audit.log.1, new file
    const pid = await running;
    const want = truth(pid, since);
    assert.ok(want >= BURST * 0.9, `the log holds ${want} of ${BURST} records of pid ${pid} (kernel backlog losses?)`);
    const afterRotation = readFileSync(AUDIT_LOG, 'latin1').split('\n').filter((l) => l.includes(` pid=${pid} `) && l.includes(' syscall=100 ')).length;
    assert.ok(afterRotation > 0 && afterRotation < want, `the rotation fell inside the burst (${afterRotation} of ${want} records after it)`);
    assert.equal(await settledCount(stateDir, c.id, want), want);
  } finally {
    await w.stop();
    cleanupContainer(c.id);
  }
});

test('kill -9 during a burst, rotation while down, restart: counts equal the records in the log', { skip }, async () => {
  const stateDir = join(dir, 'kill-state');
  const args = ['--source', 'auditd', '--state-dir', stateDir, '--witness-pin', PIN];
  const w1 = await startWatcher(args);
  const c = burstContainer('kill9');
  const since = Date.now() / 1000 - 1;
  let w2: Watcher | undefined;
  try {
    const running = c.run();
    await whenCounted(stateDir, c.id, BURST / 5);
    await w1.stop('SIGKILL');
    const atKill = proposalFor(stateDir, c.id)?.add[0]?.count ?? 0;
    await sleep(200);
    process.kill(auditdPid()!, 'SIGUSR1');
    await sleep(200);
    w2 = await startWatcher(args);
    const pid = await running;
    const want = truth(pid, since);
    assert.ok(want >= BURST * 0.9, `the log holds ${want} of ${BURST} records`);
    assert.ok(atKill < want, `the kill fell inside the burst (${atKill} of ${want} counted before it)`);
    assert.equal(await settledCount(stateDir, c.id, want), want);
  } finally {
    await w2?.stop();
    cleanupContainer(c.id);
  }
});

test('malformed lines interleaved with a burst: each counted as a parse issue, no record lost', { skip }, async () => {
  const stateDir = join(dir, 'malformed-state');
  const file = join(dir, 'mixed.log');
  writeFileSync(file, '');
  const w = await startWatcher(['--source', file, '--state-dir', stateDir, '--witness-pin', PIN]);
  const c = burstContainer('malformed');
  const since = Date.now() / 1000 - 1;
  // Copy audit.log's new lines into our file, a broken line after every 50 good ones.
  let offset = statSync(AUDIT_LOG).size;
  let ino = statSync(AUDIT_LOG).ino;
  let bad = 0;
  let seen = 0;
  let template = '';
  const broken = (l: string) => [
    l.slice(0, 120),
    l.replace(/ pid=\d+/, ' pid=zz'),
    l.replace(/arch=c000003e/, 'arch=deadbeef'),
    l.replace(/ syscall=\d+/, ' syscall=abc'),
    `${l.slice(0, 60)}\x01\x02\x03 binary`,
  ];
  const copy = () => {
    const st = statSync(AUDIT_LOG);
    if (st.ino !== ino) { ino = st.ino; offset = 0; }
    if (st.size <= offset) return;
    const fd = openSync(AUDIT_LOG, 'r');
    const buf = Buffer.alloc(st.size - offset);
    readSync(fd, buf, 0, buf.length, offset);
    closeSync(fd);
    const text = buf.toString('latin1');
    const end = text.lastIndexOf('\n') + 1;
    offset += end;
    let out = '';
    for (const l of text.slice(0, end).split('\n').slice(0, -1)) {
      out += l + '\n';
      if (l.includes('type=SECCOMP')) {
        template ||= l;
        if (++seen % 50 === 0) {
          out += broken(template)[bad % 5] + '\n';
          bad++;
        }
      }
    }
    appendFileSync(file, out, 'latin1');
  };
  const pump = setInterval(copy, 20);
  try {
    const pid = await c.run();
    await sleep(300);
    clearInterval(pump);
    copy();
    const want = truth(pid, since);
    assert.ok(bad >= 10, `only ${bad} broken lines were interleaved`);
    assert.equal(await settledCount(stateDir, c.id, want), want);
  } finally {
    clearInterval(pump);
    await w.stop();
    cleanupContainer(c.id);
  }
  const summary = w.lines().find((l) => l.msg === 'stopped') as { issues: Record<string, number> } | undefined;
  assert.ok(summary, 'the watcher printed its summary on SIGTERM');
  assert.equal(Object.values(summary.issues).reduce((a, b) => a + b, 0), bad);
});
