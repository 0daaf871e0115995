// The libFuzzer harnesses of the hook's native entry and the runtime shim (fuzz/), a short run each
// under AddressSanitizer and UndefinedBehaviorSanitizer: a crash, leak, out-of-bounds read or
// undefined behaviour on any generated input fails the run. `npm run fuzz` runs them longer.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { packagePath } from '../../src/native/package-root.js';

// libFuzzer's runtime (Debian: libclang-rt-14-dev), wherever the clang version puts it.
const haveFuzzer = existsSync('/usr/bin/clang') && spawnSync('sh', ['-c', 'ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a'], { stdio: 'ignore' }).status === 0;
const skip = haveFuzzer ? false : 'needs clang and libclang-rt-14-dev (libFuzzer)';
const SECONDS = 12;

describe('libFuzzer + ASan/UBSan on the native JSON handling', { skip }, () => {
  for (const harness of ['hook-entry', 'runtime-shim']) {
    test(`${harness}: ${SECONDS} s of generated inputs, no crash`, () => {
      const r = spawnSync(process.execPath, [packagePath('fuzz', 'run.mjs'), '--seconds', String(SECONDS), harness], { encoding: 'utf8', timeout: (SECONDS + 120) * 1000 });
      assert.equal(r.status, 0, `${r.stdout}\n${r.stderr.slice(-4000)}`);
      const m = new RegExp(`^${harness}: no crash, (\\d+) inputs`, 'm').exec(r.stdout);
      assert.ok(m, r.stdout);
      // A harness that returns at once on every input would also "not crash": it must really run.
      assert.ok(Number(m[1]) > 10_000, `only ${m[1]} inputs ran`);
      // The sanitizers are really in the binary.
      const nm = spawnSync('nm', [packagePath('build', 'fuzz', harness)], { encoding: 'utf8', maxBuffer: 64 << 20 });
      assert.match(nm.stdout, /__asan_init/);
      assert.match(nm.stdout, /__ubsan_handle_/);
    });
  }
});
