// npm run bench -- container: what recording costs the traced workload itself, in a real
// container. `dd bs=1` as the container's init and as a child of its shell, under runc with and
// without the record hook, interleaved. The hook's own start-up (bench "hook") is taken out by
// subtracting the same configuration's `/bin/true` run, so what remains is the workload's time.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeBundle } from '../src/oci/busybox-bundle.js';
import { TRACE_ANNOTATION } from '../src/oci/annotation.js';
import { Tracer } from '../src/record/tracer.js';
import { fmt, median, rotated } from './stats.js';
import { benchHookEnv } from './hook-env.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const COUNT = Number(process.env.BENCH_DD_COUNT ?? 2_000_000);
if (process.getuid?.() !== 0) {
  console.log('container-overhead: skipped (needs root)');
  process.exit(0);
}

const { work, out, pinRoot, hook } = benchHookEnv('ctr');

const dd = ['/bin/dd', 'if=/dev/zero', 'of=/dev/null', 'bs=1', `count=${COUNT}`];
const shapes: Record<string, string[]> = {
  true: ['/bin/true'],
  'dd as init': dd,
  'dd as child': ['/bin/sh', '-c', `${dd.join(' ')} 2>/dev/null; true`],
};
type Mode = 'plain' | 'traced';
const bundles = new Map<string, string>();
for (const [shape, args] of Object.entries(shapes)) {
  for (const mode of ['plain', 'traced'] as Mode[]) {
    const dir = join(work, `${mode}-${shape.replace(/\W+/g, '-')}`);
    makeBundle(dir, mode === 'plain' ? { args } : {
      args, annotations: { [TRACE_ANNOTATION]: `of:${join(out, 'p.json')}` }, hooks: { prestart: [hook], poststop: [hook] },
    });
    bundles.set(`${mode}/${shape}`, dir);
  }
}

let n = 0;
function runc(bundle: string): number {
  const t0 = performance.now();
  const r = spawnSync('runc', ['run', '--bundle', bundle, `st-bench-ctr-${process.pid}-${++n}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`runc run failed: ${r.stderr}`);
  return performance.now() - t0;
}

try {
  runc(bundles.get('traced/true')!); // load and pin the tracer once: the warm case
  const keys = [...bundles.keys()];
  const t = new Map<string, number[]>(keys.map((k) => [k, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const k of rotated(keys, r)) {
      // Untimed: plain runs see no program at all (the pinned tracer is unloaded); traced runs
      // find it loaded (the warm case, as on a host that records containers all day).
      if (k.startsWith('plain/')) Tracer.unloadShared(pinRoot);
      else Tracer.shared(pinRoot).close();
      t.get(k)!.push(runc(bundles.get(k)!));
    }
  }
  const m = (k: string) => median(t.get(k)!);
  console.log(`# container overhead: busybox dd bs=1 count=${COUNT} under runc, median of ${ROUNDS} interleaved runs`);
  for (const shape of ['dd as init', 'dd as child']) {
    const plain = m(`plain/${shape}`) - m('plain/true');
    const traced = m(`traced/${shape}`) - m('traced/true');
    console.log(`  ${shape.padEnd(12)} no program ${fmt(plain, 0)} ms   traced ${fmt(traced, 0)} ms   x${fmt(traced / plain, 3)} (+${fmt((100 * (traced - plain)) / plain)}%)`);
  }
  console.log(`  (runc run /bin/true: ${fmt(m('plain/true'), 0)} ms plain, ${fmt(m('traced/true'), 0)} ms with the hook; subtracted above)`);
  console.log('  (bcc-based hook, for scale: +10-20% on dd, +60-75% when dd is the container init)');
} finally {
  Tracer.unloadShared(pinRoot);
  rmSync(work, { recursive: true, force: true });
}
