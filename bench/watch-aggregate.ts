// The aggregator's cost per record as the containers under one profile file grow: 1, 10, 50 (the
// named bound), 200 and 2,000 (counted beyond the bound). One proposal per profile file must not
// make a node full of replicas slower per record. In-process, no kernel: the tallies alone, from
// synthetic events (40 distinct syscalls), configurations interleaved round by round.
import { Aggregator, type SubjectRef } from '../src/watch/aggregator.js';
import type { SeccompEvent } from '../parsers/types.js';
import { fmt, median, rotated } from './stats.js';

const N = Number(process.argv[2] ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const CONTAINERS = [1, 10, 50, 200, 2000];

const events: SeccompEvent[] = Array.from({ length: 4096 }, (_, i) => ({
  time: `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}.000Z`, serial: i, pid: 7, comm: 'worker', exe: '/usr/bin/worker',
  arch: 'x86_64', syscall: i % 40, syscallName: `sys${i % 40}`, compat: false, action: 'log', code: '0x7ffc0000',
}));

function nsPerRecord(containers: number): number {
  const a = new Aggregator();
  const refs: SubjectRef[] = Array.from({ length: containers }, (_, i) => ({ id: 'abcdef012345', profilePath: '/etc/app.json', container: { id: `c${i}`, runtime: 'runc' } }));
  const t = process.hrtime.bigint();
  for (let i = 0; i < N; i++) a.add(refs[i % containers]!, events[i & 4095]!);
  return Number(process.hrtime.bigint() - t) / N;
}

const results = new Map<number, number[]>(CONTAINERS.map((c) => [c, []]));
nsPerRecord(10); // warm-up: JIT
for (let r = 0; r < ROUNDS; r++) for (const c of rotated(CONTAINERS, r)) results.get(c)!.push(nsPerRecord(c));
const base = median(results.get(1)!);
console.log(`aggregator, ${N.toLocaleString('en')} records per run, ${ROUNDS} rounds, medians:`);
for (const c of CONTAINERS) {
  const m = median(results.get(c)!);
  console.log(`  ${String(c).padStart(5)} containers under one profile: ${fmt(m)} ns/record (${fmt(m / base, 2)}x of 1 container)`);
}
