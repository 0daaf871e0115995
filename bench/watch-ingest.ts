// Sustained ingest: `seccomp-tailor watch --once` over a file of 1,000,000 enriched SECCOMP records
// of one live process registered as a container. Goal: >= 200,000 records/s with RSS < 150 MB.
// Prints records/s and peak RSS per run, and the medians. Needs root (a mount namespace).
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { registerContainer } from '../src/state/registry.js';
import { nsInode } from '../src/watch/proc.js';
import { startTicksFromStat } from '../src/proc/stat.js';
import { syscallTable } from '../src/native/libseccomp.js';
import { packageRoot } from '../src/native/package-root.js';

const N = Number(process.argv[2] ?? 1_000_000);
const RUNS = Number(process.argv[3] ?? 3);
const fmt = (n: number) => Math.round(n).toLocaleString('en');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'st-bench-ingest-'));
  // A process in a mount namespace of its own stands for the container's workload.
  const child = spawn('unshare', ['-m', 'sleep', '600'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 200));
  const pid = child.pid!;
  try {
    const table = syscallTable('x86_64').slice(0, 200);
    const denied = table.filter((_, i) => i % 5 === 0).slice(0, 40);
    const profile = join(dir, 'profile.json');
    const allowed = table.filter((s) => !denied.includes(s)).map((s) => s.name);
    await import('node:fs').then((fs) => fs.writeFileSync(profile, JSON.stringify({ defaultAction: 'SCMP_ACT_LOG', syscalls: [{ names: allowed, action: 'SCMP_ACT_ALLOW' }] })));

    const log = join(dir, 'audit.log');
    const out = createWriteStream(log);
    const t0 = Date.now() / 1000;
    let serial = 1000;
    for (let i = 0; i < N; i++) {
      const s = denied[i % denied.length]!;
      const stamp = (t0 + i / 1e6).toFixed(3);
      const line = `type=SECCOMP msg=audit(${stamp}:${serial++}): auid=4294967295 uid=0 gid=0 ses=4294967295 subj=unconfined pid=${pid} comm="worker" exe="/usr/bin/worker" sig=0 arch=c000003e syscall=${s.nr} compat=0 ip=0x7f3a1c2b3d4e code=0x7ffc0000\x1dAUID="unset" UID="root" GID="root" ARCH=x86_64 SYSCALL=${s.name}\n`;
      if (!out.write(line, 'latin1')) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    console.log(`ingest: ${N} records, ${(statSync(log).size / 1e6).toFixed(0)} MB, ${denied.length} distinct syscalls, one registered container`);

    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Interleaved per round: the parser alone (`events --count`, issue 4's floor), the watcher with
    // node's defaults, and the watcher with the young generation capped as the systemd unit does.
    const variants = [
      { name: 'watcher', env: '' },
      { name: 'watcher, NODE_OPTIONS=--max-semi-space-size=2', env: '--max-semi-space-size=2' },
    ];
    const results = new Map<string, { rate: number[]; cpuRate: number[]; rss: number[] }>();
    const parseOnly: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const t = performance.now();
      const ev = spawnSync(process.execPath, [join(packageRoot(), 'bin', 'seccomp-tailor'), 'events', '--count', log], { encoding: 'utf8' });
      if (ev.status !== 0) throw new Error(ev.stderr);
      parseOnly.push(N / ((performance.now() - t) / 1000));
      for (const v of variants) {
      const stateDir = join(dir, `state-${r}-${v.env ? 'semi' : 'default'}`);
      registerContainer(stateDir, {
        id: 'bench', runtime: 'runc', initPid: pid, initStartTime: startTicksFromStat(stat)!,
        mntNs: nsInode(readlinkSync(`/proc/${pid}/ns/mnt`))!, pidNs: nsInode(readlinkSync(`/proc/${pid}/ns/pid`))!,
        profilePath: profile, registeredAt: new Date().toISOString(),
      });
      const res = spawnSync(process.execPath, [join(packageRoot(), 'bin', 'seccomp-tailor'), 'watch', '--once', '--source', log, '--state-dir', stateDir, '--no-discovery', '--no-witness', '--profile-dir', dir], {
        encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, NODE_OPTIONS: v.env },
      });
      const summary = res.stdout.split('\n').filter((l) => l.includes('"msg":"stopped"')).map((l) => JSON.parse(l) as { events: number; attributed: number; readMs: number; cpuMs: number; maxRssMB: number })[0];
      if (!summary || summary.attributed !== N) throw new Error(`run ${r}: ${res.stderr}${res.stdout.slice(-2000)}`);
      const counted = JSON.parse(readFileSync(join(stateDir, 'watch', 'state.json'), 'utf8')) as { aggregate: { subjects: Record<string, { tallies: Record<string, { count: number }> }> } };
      const total = Object.values(counted.aggregate.subjects).flatMap((s) => Object.values(s.tallies)).reduce((a, t) => a + t.count, 0);
      if (total !== N) throw new Error(`run ${r}: counted ${total} of ${N}`);
      const rate = N / (summary.readMs / 1000);
      const cpuRate = N / (summary.cpuMs / 1000);
      const acc = results.get(v.name) ?? { rate: [], cpuRate: [], rss: [] };
      acc.rate.push(rate);
      acc.cpuRate.push(cpuRate);
      acc.rss.push(summary.maxRssMB);
      results.set(v.name, acc);
      console.log(`  round ${r + 1}, ${v.name}: ${summary.readMs} ms wall, ${summary.cpuMs} ms CPU, ${fmt(rate)} records/s, peak RSS ${summary.maxRssMB} MB`);
      }
      console.log(`  round ${r + 1}, events --count (parse only): ${fmt(parseOnly[r]!)} records/s`);
    }
    console.log(`ingest medians over ${RUNS} rounds (${N} records):`);
    console.log(`  parse only (events --count, whole process):   ${fmt(median(parseOnly))} records/s`);
    for (const [name, a] of results) {
      console.log(`  ${name}: ${fmt(median(a.rate))} records/s wall (goal >= 200,000), ${fmt(median(a.cpuRate))} records per CPU-second, peak RSS ${median(a.rss)} MB (goal < 150)`);
    }
    await flood(dir, pid, stat, profile, denied);
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A minute's worth of a 100,000 records/s flood (6,000,000 records) written into the watcher's
 * stdin as fast as the pipe takes them: the writer is held back by the full pipe (backpressure),
 * and the watcher's peak RSS must stay where it was for 1,000,000.
 */
async function flood(dir: string, pid: number, stat: string, profile: string, denied: Array<{ nr: number; name: string }>) {
  const total = Number(process.env.FLOOD_RECORDS ?? 6_000_000);
  const stateDir = join(dir, 'state-flood');
  registerContainer(stateDir, {
    id: 'bench', runtime: 'runc', initPid: pid, initStartTime: startTicksFromStat(stat)!,
    mntNs: nsInode(readlinkSync(`/proc/${pid}/ns/mnt`))!, pidNs: nsInode(readlinkSync(`/proc/${pid}/ns/pid`))!,
    profilePath: profile, registeredAt: new Date().toISOString(),
  });
  const w = spawn(process.execPath, [join(packageRoot(), 'bin', 'seccomp-tailor'), 'watch', '--source', '-', '--state-dir', stateDir, '--no-discovery', '--no-witness', '--profile-dir', dir], {
    stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, NODE_OPTIONS: '--max-semi-space-size=2' },
  });
  let out = '';
  w.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; });
  const t0 = Date.now() / 1000;
  const started = performance.now();
  let serial = 1;
  let blocked = 0;
  for (let i = 0; i < total;) {
    let chunk = '';
    for (let k = 0; k < 2000 && i < total; k++, i++) {
      const s = denied[i % denied.length]!;
      chunk += `type=SECCOMP msg=audit(${(t0 + i / 1e7).toFixed(3)}:${serial++}): auid=4294967295 uid=0 gid=0 ses=4294967295 subj=unconfined pid=${pid} comm="worker" exe="/usr/bin/worker" sig=0 arch=c000003e syscall=${s.nr} compat=0 ip=0x7f3a1c2b3d4e code=0x7ffc0000\x1dAUID="unset" UID="root" GID="root" ARCH=x86_64 SYSCALL=${s.name}\n`;
    }
    if (!w.stdin!.write(chunk, 'latin1')) {
      blocked++;
      await once(w.stdin!, 'drain');
    }
  }
  w.stdin!.end();
  await once(w, 'exit');
  const secs = (performance.now() - started) / 1000;
  const summary = out.split('\n').filter((l) => l.includes('"msg":"stopped"')).map((l) => JSON.parse(l) as { attributed: number; maxRssMB: number })[0];
  if (!summary || summary.attributed !== total) throw new Error(`flood: ${out.slice(-1500)}`);
  console.log(`flood through stdin: ${total} records in ${secs.toFixed(1)} s (${fmt(total / secs)} records/s), writer held back by the pipe ${blocked} times, peak RSS ${summary.maxRssMB} MB, every record counted`);
}

main().catch((e) => { console.error(e); process.exit(1); });
