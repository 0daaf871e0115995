// Two figures for the watcher's sources, from one run each, side by side:
//
// 1. Latency from the kernel's record to the proposal on disk, over 1,000 denials, for the file
//    source (auditd writes audit.log, the watcher follows it) and the netlink source, both
//    watching the SAME container at the same time: a runc container (host pid namespace, so its
//    shell's pid is known) calls times(2) under a complain profile that leaves it out, one call
//    every ~5 ms. For record i (audit time stamp t_i), the latency is the mtime of the first
//    proposal write whose count reached i, minus t_i. Goals: netlink p99 <= 50 ms.
// 2. Ingest from netlink under a flood of other audit records (AUDIT_USER messages from
//    test/fixtures/audit-flood.c at a target of 100,000/s for 60 s; auditd stopped, or audit.log
//    would take them all) while a container makes denials: SECCOMP records lost (denials made
//    minus counted), the socket's drops (/proc/net/netlink), the watcher's CPU, and the flood
//    rate really reached (records the kernel logged, not the target).
//   npm run bench -- watch-latency   [env DENIALS=1000 FLOOD_RATE=100000 FLOOD_SECONDS=60 FLUSH_MS=default,100]
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync, watch } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_FLUSH_INTERVAL_MS } from '../src/watch/defaults.js';
import { auditFloodBinary } from '../test/helpers/audit-noise.js';
import {
  auditRecords, cleanupContainer, ensureAuditd, makeBundle, profileDenying, proposals, runContainer, startWatcher, tmp, waitFor, withoutAuditd, writeJson, type Watcher,
} from '../test/helpers/watch-e2e.js';

const DENIALS = Number(process.env.DENIALS ?? 1000);
const FLOOD_RATE = Number(process.env.FLOOD_RATE ?? 100_000);
const FLOOD_SECONDS = Number(process.env.FLOOD_SECONDS ?? 60);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
const pins: string[] = [];

/** Every proposal write for container `id`, seen as it happens: (count, mtime). */
function proposalWrites(stateDir: string, id: string, syscall: string): { writes: Array<{ count: number; at: number }>; stop(): void } {
  const writes: Array<{ count: number; at: number }> = [];
  const pdir = join(stateDir, 'proposals');
  const seen = () => {
    for (const p of proposals(stateDir)) {
      if (p.container.id !== id) continue;
      const count = p.add.find((a) => a.syscall === syscall)?.count ?? 0;
      const at = statSync(join(pdir, `${p.id}.json`)).mtimeMs;
      if (!writes.length || writes[writes.length - 1]!.count !== count) writes.push({ count, at });
    }
  };
  let w: ReturnType<typeof watch> | undefined;
  try { w = watch(pdir, () => { try { seen(); } catch { /* mid-rename */ } }); } catch { /* not yet there: the poll covers it */ }
  const poll = setInterval(() => { try { seen(); } catch { /* mid-rename */ } }, 2);
  return { writes, stop: () => { clearInterval(poll); w?.close(); } };
}

async function startOne(name: string, source: string, dir: string, extra: string[] = []): Promise<{ w: Watcher; stateDir: string }> {
  const stateDir = join(dir, `state-${name}`);
  const pin = `/sys/fs/bpf/st-bench-latency-${name}-${process.pid}`;
  pins.push(pin);
  const w = await startWatcher(['--source', source, '--state-dir', stateDir, '--witness-pin', pin, ...extra]);
  return { w, stateDir };
}

function denialBundle(dir: string, name: string, syscall: string, n: number, gapUs: number): string {
  const profile = writeJson(join(dir, `${name}.json`), profileDenying([syscall], 'SCMP_ACT_LOG'));
  return makeBundle(join(dir, name), {
    args: ['sh', '-c', `echo $$; sleep 0.5; i=0; while [ $i -lt ${n} ]; do times >/dev/null; i=$((i+1)); usleep ${gapUs}; done; true`],
    seccomp: profileDenying([syscall], 'SCMP_ACT_LOG'), annotations: { 'io.seccomp-tailor.profile': profile },
    namespaces: [{ type: 'mount' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }],
  });
}

/** `flushMs` undefined: the watcher's default. */
async function latency(dir: string, flushMs: number | undefined): Promise<void> {
  const stopAuditd = await ensureAuditd();
  const label = flushMs === undefined ? 'default' : String(flushMs);
  const id = `stb-latency-${label}-${process.pid}`;
  const extra = flushMs === undefined ? [] : ['--flush-ms', String(flushMs)];
  const file = await startOne(`file-${label}`, 'auditd', dir, extra);
  const nl = await startOne(`netlink-${label}`, 'netlink', dir, extra);
  const ws = { file: proposalWrites(file.stateDir, id, 'times'), netlink: proposalWrites(nl.stateDir, id, 'times') };
  try {
    const r = await runContainer(denialBundle(dir, 'lat', 'times', DENIALS, 5000), id);
    const pid = Number(r.stdout.split('\n')[0]);
    const stamps = auditRecords((l) => l.includes(` pid=${pid} `) && l.includes(' syscall=100 '))
      .map((l) => { const m = /audit\((\d+)\.(\d+):(\d+)\)/.exec(l)!; return { ms: Number(m[1]) * 1000 + Number(m[2]), serial: Number(m[3]) }; })
      .sort((a, b) => a.serial - b.serial);
    console.log(`latency record -> proposal on disk over ${stamps.length} denials, both sources watching the same container, ${flushMs === undefined ? `the default --flush-ms ${DEFAULT_FLUSH_INTERVAL_MS}` : `--flush-ms ${flushMs}`}:`);
    const p99: Record<string, number> = {};
    for (const [name, w] of Object.entries(ws)) {
      await waitFor(`${name}: all records counted`, () => w.writes.length > 0 && w.writes[w.writes.length - 1]!.count >= stamps.length, 15000);
      const lat: number[] = [];
      stamps.forEach((s, i) => {
        const wr = w.writes.find((x) => x.count >= i + 1);
        if (wr) lat.push(wr.at - s.ms);
      });
      p99[name] = pct(lat, 99);
      console.log(`  ${name.padEnd(7)} p50 ${pct(lat, 50).toFixed(0)} ms, p90 ${pct(lat, 90).toFixed(0)} ms, p99 ${pct(lat, 99).toFixed(0)} ms, max ${Math.max(...lat).toFixed(0)} ms (${w.writes.length} proposal writes)`);
    }
    console.log(`  netlink/file p99 ratio ${(p99.netlink! / p99.file!).toFixed(2)} (goal: netlink p99 <= 50 ms)`);
  } finally {
    ws.file.stop();
    ws.netlink.stop();
    await file.w.stop();
    await nl.w.stop();
    cleanupContainer(id);
    await stopAuditd();
  }
}

const cpuTicks = (pid: number): number => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]);
};
const socketDrops = (portid: number): number | undefined => {
  for (const line of readFileSync('/proc/net/netlink', 'utf8').split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 10 && f[1] === '9' && Number(f[2]) === portid) return Number(f[8]);
  }
  return undefined;
};
const auditStatus = (): Record<string, number> => Object.fromEntries(
  spawnSync('auditctl', ['-s'], { encoding: 'utf8' }).stdout.split('\n').map((l) => l.split(' ')).filter((x) => x.length === 2 && /^\d+$/.test(x[1]!)).map(([k, v]) => [k!, Number(v)]),
);

async function flood(dir: string): Promise<void> {
  const restoreAuditd = await withoutAuditd();
  // The kernel's queue towards kauditd: 64 records by default, then senders wait or records are lost.
  const before = auditStatus();
  spawnSync('auditctl', ['-b', '65536', '-r', '0'], { stdio: 'ignore' });
  const id = `stb-flood-${process.pid}`;
  // The watcher's default receive buffer: the figure is the one a user gets.
  const nl = await startOne('flood', 'netlink', dir);
  const bound = nl.w.lines().find((l) => l.msg === 'audit netlink socket bound') as { portid: number; rcvbuf: number };
  const writes = proposalWrites(nl.stateDir, id, 'times');
  try {
    const denials = Math.max(100, Math.floor((FLOOD_SECONDS - 2) * 100));
    const cpu0 = cpuTicks(nl.w.proc.pid!);
    const t0 = Date.now();
    const floodProc = spawn(auditFloodBinary(), [String(FLOOD_RATE), String(FLOOD_SECONDS)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let floodOut = '';
    floodProc.stdout!.setEncoding('utf8').on('data', (d: string) => { floodOut += d; });
    const floodDone = new Promise<void>((r) => floodProc.on('exit', () => r()));
    // One denial every ~10 ms through the flood.
    await runContainer(denialBundle(dir, 'flood', 'times', denials, 10_000), id);
    await floodDone;
    const secs = (Date.now() - t0) / 1000;
    await waitFor('the last denials', () => (writes.writes.at(-1)?.count ?? 0) >= denials, 10_000).catch(() => undefined);
    const cpu = (cpuTicks(nl.w.proc.pid!) - cpu0) / 100;
    const counted = writes.writes.at(-1)?.count ?? 0;
    const drops = socketDrops(bound.portid);
    const sentMatch = /sent (\d+) in ([\d.]+) s/.exec(floodOut);
    const sent = Number(sentMatch?.[1] ?? 0);
    const floodSecs = Number(sentMatch?.[2] ?? secs);
    const after = auditStatus();
    const losses = nl.w.lines().filter((l) => l.loss !== undefined);
    console.log(`netlink ingest under a flood of AUDIT_USER records (target ${FLOOD_RATE}/s for ${FLOOD_SECONDS} s; receive buffer ${bound.rcvbuf} bytes):`);
    console.log(`  flood reached: ${sent} records in ${floodSecs.toFixed(1)} s = ${Math.round(sent / floodSecs)}/s (kernel lost counter +${(after.lost ?? 0) - (before.lost ?? 0)})`);
    console.log(`  SECCOMP denials made ${denials}, counted ${counted}: lost ${denials - counted}; socket drops ${drops}; loss notices ${losses.length}`);
    console.log(`  watcher CPU ${cpu.toFixed(1)} s over ${secs.toFixed(1)} s = ${((cpu / secs) * 100).toFixed(0)}% of one core`);
  } finally {
    writes.stop();
    await nl.w.stop();
    cleanupContainer(id);
    spawnSync('auditctl', ['-b', String(before.backlog_limit ?? 64), '-r', String(before.rate_limit ?? 0)], { stdio: 'ignore' });
    await restoreAuditd();
  }
}

async function main() {
  if (process.getuid?.() !== 0) {
    console.log('watch-latency: skipped (needs root: runc, auditd, the audit netlink group)');
    return;
  }
  const dir = tmp('bench-latency');
  try {
    // The watcher writes proposals at most every --flush-ms: the floor of the latency. The default
    // first, then the default of earlier versions (100 ms) for comparison.
    for (const f of (process.env.FLUSH_MS ?? 'default,100').split(',')) await latency(dir, f === 'default' ? undefined : Number(f));
    await flood(dir);
  } finally {
    for (const p of pins) rmSync(p, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
