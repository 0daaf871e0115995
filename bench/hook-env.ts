// The record hook as the benchmarks run it: a temp work dir, an allowed output dir, a hook
// config pointing at its own bpffs pin root (so a bench never touches the machine's tracer).
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packagePath } from '../src/native/package-root.js';

export interface BenchHookEnv {
  work: string;
  out: string;
  pinRoot: string;
  config: string;
  /** An OCI hook entry running the Node hook with this config. */
  hook: { path: string; args: string[] };
}

export function benchHookEnv(tag: string): BenchHookEnv {
  const work = mkdtempSync(`/tmp/st-bench-${tag}-`);
  const out = join(work, 'out');
  mkdirSync(out);
  const pinRoot = `/sys/fs/bpf/seccomp-tailor-bench-${tag}`;
  const config = join(work, 'hook.json');
  writeFileSync(config, JSON.stringify({ allowedDirs: [out], defaultDir: out, runDir: join(work, 'run'), stateDir: join(work, 'state'), pinRoot }));
  chmodSync(config, 0o644);
  return { work, out, pinRoot, config, hook: { path: packagePath('bin', 'seccomp-tailor-hook'), args: ['seccomp-tailor-hook', '--config', config] } };
}
