// Shadow finding -> proposal on disk, the watcher's shadow source alone (issue 20's goal: p99
// under 1 s). Each of N findings (a new syscall of a new container, one at a time) is appended
// to the spool as hookd appends it; the latency is the time until the source has written the
// proposal that holds it. Side by side: fs.watch waking the source, and the poll alone (the
// fallback where inotify is unavailable).
//   npm run bench -- shadow-latency   [env FINDINGS=300]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShadowSpoolSource } from '../src/watch/sources/shadow-spool.js';
import { ProfileCache } from '../src/watch/profile-cache.js';
import { appendShadowDenials, forgetSpoolState } from '../src/shadow/spool.js';
import { nativeArch, syscallTable } from '../src/native/libseccomp.js';

const N = Number(process.env.FINDINGS ?? 300);
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;

async function run(mode: 'watch' | 'poll'): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'st-bench-shadow-'));
  const profiles = join(dir, 'profiles');
  mkdirSync(profiles, { mode: 0o755 });
  const profilePath = join(profiles, 'app.json');
  writeFileSync(profilePath, JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['exit_group'], action: 'SCMP_ACT_ALLOW' }] }));
  const stateDir = join(dir, 'state');
  forgetSpoolState();
  const arch = nativeArch();
  const names = syscallTable(arch).filter((e) => e.name !== 'exit_group').slice(0, N);
  let wake: (() => void) | undefined;
  const s = new ShadowSpoolSource({ stateDir, profiles: new ProfileCache([profiles]), isRejected: () => false, log: silent, onWrite: () => wake?.() });
  if (mode === 'watch') s.start();
  else {
    // The poll alone: what the source does without fs.watch events.
    const t = setInterval(() => s.pass(), 200);
    t.unref();
    (s as unknown as { stop: () => void }).stop = () => clearInterval(t);
  }
  const lat: number[] = [];
  try {
    for (let i = 0; i < names.length; i++) {
      const e = names[i % names.length]!;
      const wrote = new Promise<void>((r) => { wake = r; });
      const t0 = performance.now();
      appendShadowDenials(stateDir, { container: `c${i}`, profilePath }, [{ arch, name: e.name, nr: e.nr, firstSeenMs: Date.now(), lastSeenMs: Date.now(), count: 1, reason: 'name' }]);
      await Promise.race([wrote, new Promise((r) => setTimeout(r, 5000))]);
      lat.push(performance.now() - t0);
    }
  } finally {
    s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return lat;
}

// x86_64 numbers of calls perl does not make itself, each harmless with zero arguments (NULL
// buffers fail with EFAULT after the tracer saw them): getppid, getpgrp, getsid, getpgid, sysinfo,
// times, getrusage, sched_yield, sched_getscheduler, getpriority, getresuid, getresgid, uname,
// sched_getaffinity, capget, getitimer, sched_getparam, sched_get_priority_max/min,
// sched_rr_get_interval, getcpu.
const PROBE_NRS = [110, 111, 124, 121, 99, 100, 98, 24, 145, 140, 118, 120, 63, 204, 125, 36, 143, 146, 147, 148, 309];
const ROUNDS = Number(process.env.ROUNDS ?? 10);
const PROBE_NAMES = new Set(['getppid', 'getpgrp', 'getsid', 'getpgid', 'sysinfo', 'times', 'getrusage', 'sched_yield', 'sched_getscheduler', 'getpriority', 'getresuid', 'getresgid', 'uname', 'sched_getaffinity', 'capget', 'getitimer', 'sched_getparam', 'sched_get_priority_max', 'sched_get_priority_min', 'sched_rr_get_interval', 'getcpu']);

/**
 * The whole path in the kernel's and the watcher's time: a tagged process makes one new syscall
 * every 50 ms; the live follower (250 ms passes) evaluates its slot and spools; the source writes
 * the proposal. Latency: proposal written minus the tracer's first-seen time of that syscall.
 */
async function endToEnd(): Promise<number[]> {
  const { Tracer } = await import('../src/record/tracer.js');
  const { spawnPaused } = await import('../src/record/spawn-paused.js');
  const { writeRunState, removeRunState } = await import('../src/record/hook/run-state.js');
  const { ShadowFollower } = await import('../src/record/hook/shadow-follower.js');
  const { findProposal } = await import('../src/profile/proposal-store.js');
  const { shadowProposalId } = await import('../src/shadow/proposals.js');
  const dir = mkdtempSync(join(tmpdir(), 'st-bench-shadow-e2e-'));
  const profiles = join(dir, 'profiles');
  mkdirSync(profiles, { mode: 0o755 });
  const profilePath = join(profiles, 'app.json');
  writeFileSync(profilePath, JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['exit_group'], action: 'SCMP_ACT_ALLOW' }] }), { mode: 0o644 });
  const stateDir = join(dir, 'state');
  const runDir = join(dir, 'run');
  const pinRoot = `/sys/fs/bpf/seccomp-tailor-bench-shadow-e2e`;
  forgetSpoolState();
  const lat: number[] = [];
  const seen = new Set<string>();
  const s = new ShadowSpoolSource({
    stateDir, profiles: new ProfileCache([profiles]), isRejected: () => false, log: silent,
    onWrite: () => {
      const now = Date.now();
      for (const a of findProposal(stateDir, shadowProposalId(profilePath))?.add ?? []) {
        if (PROBE_NAMES.has(a.syscall) && !seen.has(`${round}/${a.syscall}`) && Date.parse(a.lastSeen) >= roundStart) {
          seen.add(`${round}/${a.syscall}`);
          lat.push(now - Date.parse(a.lastSeen));
        }
      }
    },
  });
  const follower = new ShadowFollower({ runDir });
  const t = Tracer.shared(pinRoot);
  let round = 0;
  let roundStart = 0;
  s.start();
  follower.start();
  try {
    for (round = 0; round < ROUNDS; round++) {
      roundStart = Date.now();
      const script = 'select(undef,undef,undef,0.3); for my $n (@ARGV) { syscall($n, 0, 0, 0); select(undef,undef,undef,0.05) }';
      const p = spawnPaused('/usr/bin/perl', ['-e', script, ...PROBE_NRS.map(String)], 'ignore');
      const target = t.claim();
      target.addProcess(p.pid);
      const id = `bench-e2e-${round}`;
      writeRunState(runDir, { version: 1, id, slot: target.slot, generation: target.generation, pinRoot, shadow: { profile: { path: profilePath, dir: profiles, name: 'app.json' } }, runtime: { name: 'runc' }, initPid: p.pid, initStartTime: 0, bundle: dir, noNewPrivileges: false, startedAt: new Date().toISOString(), stateDir });
      p.release();
      await p.exited;
      await new Promise((r) => setTimeout(r, 600)); // the last call's pass and write
      removeRunState(runDir, id);
      target.release();
    }
  } finally {
    follower.stop();
    s.stop();
    t.close();
    Tracer.unloadShared(pinRoot);
    rmSync(dir, { recursive: true, force: true });
  }
  return lat;
}

const watchLat = await run('watch');
const pollLat = await run('poll');
const row = (name: string, xs: number[]) => console.log(`${name.padEnd(18)} p50 ${pct(xs, 50).toFixed(1).padStart(7)} ms   p99 ${pct(xs, 99).toFixed(1).padStart(7)} ms   max ${Math.max(...xs).toFixed(1).padStart(7)} ms`);
console.log(`shadow finding -> proposal on disk, ${watchLat.length} findings each (the proposal grows to that many syscalls)`);
row('fs.watch + poll', watchLat);
row('poll (200 ms) only', pollLat);
if (process.getuid?.() === 0 && process.arch === 'x64') {
  const e2e = await endToEnd();
  console.log(`syscall in a tagged process -> proposal on disk (tracer, 250 ms follower, spool, source), ${e2e.length} new syscalls over ${ROUNDS} processes`);
  row('end to end', e2e);
  console.log(`goal p99 < 1000 ms end to end: ${e2e.length && pct(e2e, 99) < 1000 ? 'met' : 'NOT met'}`);
} else console.log('end to end: skipped (needs root and x86_64)');
console.log(`ratio p99 poll/watch: ${(pct(pollLat, 99) / pct(watchLat, 99)).toFixed(1)}; goal p99 < 1000 ms: ${pct(watchLat, 99) < 1000 && pct(pollLat, 99) < 1000 ? 'met' : 'NOT met'}`);
