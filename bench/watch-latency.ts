// Latency from the kernel's record to the proposal on disk, over 1,000 denials: a runc container
// (host pid namespace, so its shell's pid is known) calls times(2) under a complain profile that
// leaves it out, one call every ~5 ms; auditd writes the records; `seccomp-tailor watch --source
// auditd` turns them into a proposal. For record i (audit time stamp t_i), the latency is the
// mtime of the first proposal file whose count reached i, minus t_i. Goal: p99 <= 250 ms.
import { rmSync, statSync, watch } from 'node:fs';
import { join } from 'node:path';
import {
  auditRecords, cleanupContainer, ensureAuditd, makeBundle, profileDenying, proposals, runContainer, startWatcher, tmp, waitFor, writeJson,
} from '../test/helpers/watch-e2e.js';

const DENIALS = Number(process.argv[2] ?? 1000);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;

async function main() {
  if (process.getuid?.() !== 0) {
    console.log('watch-latency: skipped (needs root: runc and auditd)');
    return;
  }
  const stopAuditd = await ensureAuditd();
  const dir = tmp('bench-latency');
  const stateDir = join(dir, 'state');
  const pin = `/sys/fs/bpf/st-bench-latency-${process.pid}`;
  const id = `stb-latency-${process.pid}`;
  const watcher = await startWatcher(['--source', 'auditd', '--state-dir', stateDir, '--witness-pin', pin]);
  // Every proposal write, seen as it happens: (count, mtime).
  const writes: Array<{ count: number; at: number }> = [];
  const pdir = join(stateDir, 'proposals');
  await waitFor('proposals dir', () => { try { statSync(pdir); return true; } catch { return false; } }, 5000).catch(() => undefined);
  const seen = () => {
    for (const p of proposals(stateDir)) {
      if (p.container.id !== id) continue;
      const count = p.add.find((a) => a.syscall === 'times')?.count ?? 0;
      const at = statSync(join(pdir, `${p.id}.json`)).mtimeMs;
      if (!writes.length || writes[writes.length - 1]!.count !== count) writes.push({ count, at });
    }
  };
  let w: ReturnType<typeof watch> | undefined;
  try {
    w = watch(pdir, () => { try { seen(); } catch { /* mid-rename */ } });
  } catch { /* created later: the poll below covers it */ }
  const poll = setInterval(() => { try { seen(); } catch { /* mid-rename */ } }, 2);
  try {
    const profile = writeJson(join(dir, 'p.json'), profileDenying(['times'], 'SCMP_ACT_LOG'));
    const bundle = makeBundle(join(dir, 'b'), {
      args: ['sh', '-c', `echo $$; sleep 0.5; i=0; while [ $i -lt ${DENIALS} ]; do times >/dev/null; i=$((i+1)); usleep 5000; done; true`],
      seccomp: profileDenying(['times'], 'SCMP_ACT_LOG'), annotations: { 'io.seccomp-tailor.profile': profile },
      namespaces: [{ type: 'mount' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }],
    });
    const r = await runContainer(bundle, id);
    const pid = Number(r.stdout.split('\n')[0]);
    const stamps = auditRecords((l) => l.includes(` pid=${pid} `) && l.includes(' syscall=100 '))
      .map((l) => { const m = /audit\((\d+)\.(\d+):(\d+)\)/.exec(l)!; return { ms: Number(m[1]) * 1000 + Number(m[2]), serial: Number(m[3]) }; })
      .sort((a, b) => a.serial - b.serial);
    await waitFor('all records counted', () => writes.length > 0 && writes[writes.length - 1]!.count >= stamps.length, 10000);
    const lat: number[] = [];
    stamps.forEach((s, i) => {
      const wr = writes.find((x) => x.count >= i + 1);
      if (wr) lat.push(wr.at - s.ms);
    });
    console.log(`latency record -> proposal on disk over ${lat.length} denials (${writes.length} proposal writes observed):`);
    console.log(`  p50 ${pct(lat, 50).toFixed(0)} ms, p90 ${pct(lat, 90).toFixed(0)} ms, p99 ${pct(lat, 99).toFixed(0)} ms, max ${Math.max(...lat).toFixed(0)} ms (goal p99 <= 250 ms)`);
  } finally {
    clearInterval(poll);
    w?.close();
    await watcher.stop();
    cleanupContainer(id);
    rmSync(pin, { recursive: true, force: true });
    await stopAuditd();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
