#!/usr/bin/env node
// npm run bench [-- NAME...]: runs each benchmark in turn (all by default). Each bench prints
// its own figures as medians and ratios from one run.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// name -> script (compiled TypeScript under dist/bench, or a script run by node as is)
const benches = {
  tracer: 'dist/bench/tracer-overhead.js',
  container: 'dist/bench/container-overhead.js',
  parse: 'dist/bench/parse.js',
  apply: 'dist/bench/apply.js',
  'watch-ingest': 'dist/bench/watch-ingest.js',
  'watch-latency': 'dist/bench/watch-latency.js',
  hook: 'dist/bench/hook-latency.js',
  shim: 'dist/bench/shim.js',
  'runtime-tail': 'dist/bench/runtime-tail-replay.js',
  'watch-aggregate': 'dist/bench/watch-aggregate.js',
  runtime: 'dist/bench/runtime.js',
  families: 'dist/bench/families.js',
  'shadow-latency': 'dist/bench/shadow-latency.js',
  'shadow-cost': 'dist/bench/shadow-cost.js',
  'poststop-reads': 'dist/bench/poststop-reads.js',
};
const wanted = process.argv.slice(2);
let failed = 0;
for (const [name, script] of Object.entries(benches)) {
  if (wanted.length && !wanted.includes(name)) continue;
  console.log(`\n===== bench: ${name} =====`);
  const r = spawnSync(process.execPath, [join(root, script)], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
