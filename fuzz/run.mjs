#!/usr/bin/env node
// Builds and runs the libFuzzer harnesses of the two C programs that parse hostile JSON as root
// before any Node code runs (the hook's native entry and the runtime shim), with AddressSanitizer
// and UndefinedBehaviorSanitizer (clang -fsanitize=fuzzer from libclang-rt-14-dev).
//   npm run fuzz -- [--seconds N] [HARNESS...]     (default 60 s each; harnesses: hook-entry, runtime-shim)
// Seeds are fuzz/corpus/<harness>/ (read only); what libFuzzer finds goes to build/fuzz/corpus-<harness>/,
// a crash to build/fuzz/crash-<harness>-*. Prints one summary line per harness: runs, seconds, result.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const HARNESSES = { 'hook-entry': { src: 'fuzz/hook-entry.c', libs: [], deps: ['native/hook-client/seccomp-tailor-hook.c'] }, 'runtime-shim': { src: 'fuzz/runtime-shim.c', libs: ['-ljansson'], deps: ['native/runtime-shim/seccomp-tailor-runc.c'] } };

const args = process.argv.slice(2);
let seconds = 60;
const names = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--seconds') seconds = Number(args[++i]);
  else if (HARNESSES[args[i]]) names.push(args[i]);
  else {
    console.error(`seccomp-tailor fuzz: unknown argument "${args[i]}" (harnesses: ${Object.keys(HARNESSES).join(', ')}; --seconds N)`);
    process.exit(2);
  }
}
if (!Number.isInteger(seconds) || seconds < 1) {
  console.error('seccomp-tailor fuzz: --seconds needs a whole number of seconds');
  process.exit(2);
}
if (!existsSync('/usr/bin/clang')) {
  console.error('seccomp-tailor fuzz: needs clang and libclang-rt-14-dev (apt-get install clang libclang-rt-14-dev)');
  process.exit(1);
}
const out = join(root, 'build', 'fuzz');
mkdirSync(out, { recursive: true });

const newest = (files) => Math.max(...files.map((f) => statSync(join(root, f)).mtimeMs));

function build(name) {
  const h = HARNESSES[name];
  const bin = join(out, name);
  const inputs = [h.src, ...h.deps, 'native/common/write-all.h', 'native/common/json-scan.h'];
  if (existsSync(bin) && statSync(bin).mtimeMs >= newest(inputs)) return bin;
  execFileSync('/usr/bin/clang', ['-g', '-O1', '-fsanitize=fuzzer,address,undefined', '-fno-sanitize-recover=undefined',
    '-Wall', '-Wextra', '-Werror', '-Wno-unused-function', '-o', bin, join(root, h.src), ...h.libs], { stdio: ['ignore', 'inherit', 'inherit'] });
  return bin;
}

function run(name, bin) {
  const corpus = join(out, `corpus-${name}`);
  mkdirSync(corpus, { recursive: true });
  return new Promise((resolve) => {
    // -rss_limit_mb: the harness must stay bounded (the programs read at most 4 MiB).
    const p = spawn(bin, [`-max_total_time=${seconds}`, '-rss_limit_mb=1024', '-max_len=65536', '-print_final_stats=1',
      `-artifact_prefix=${join(out, `crash-${name}-`)}`, corpus, join(root, 'fuzz', 'corpus', name)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    p.stderr.on('data', (d) => { log += d; if (log.length > 1 << 20) log = log.slice(-(1 << 19)); });
    p.on('close', (code, signal) => {
      const runs = /stat::number_of_executed_units:\s*(\d+)/.exec(log)?.[1] ?? /Done (\d+) runs/.exec(log)?.[1];
      const ok = code === 0;
      console.log(`${name}: ${ok ? 'no crash' : `FAILED (exit ${code ?? signal})`}, ${runs ?? '?'} inputs in ${seconds} s`);
      if (!ok) process.stderr.write(log.slice(-8000));
      resolve(ok);
    });
  });
}

let failed = false;
for (const name of names.length ? names : Object.keys(HARNESSES)) if (!(await run(name, build(name)))) failed = true;
process.exit(failed ? 1 : 0);
