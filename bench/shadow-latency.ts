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

const watchLat = await run('watch');
const pollLat = await run('poll');
const row = (name: string, xs: number[]) => console.log(`${name.padEnd(18)} p50 ${pct(xs, 50).toFixed(1).padStart(7)} ms   p99 ${pct(xs, 99).toFixed(1).padStart(7)} ms   max ${Math.max(...xs).toFixed(1).padStart(7)} ms`);
console.log(`shadow finding -> proposal on disk, ${watchLat.length} findings each (the proposal grows to that many syscalls)`);
row('fs.watch + poll', watchLat);
row('poll (200 ms) only', pollLat);
console.log(`ratio p99 poll/watch: ${(pct(pollLat, 99) / pct(watchLat, 99)).toFixed(1)}; goal p99 < 1000 ms: ${pct(watchLat, 99) < 1000 && pct(pollLat, 99) < 1000 ? 'met' : 'NOT met'}`);
