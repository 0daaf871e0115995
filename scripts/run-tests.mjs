#!/usr/bin/env node
// The test command: every compiled test file under dist/test, with node:test.
// Root-only tests skip themselves with a reason when not root.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const filter = process.argv.slice(2);
function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.test.js') ? [join(dir, e.name)] : []);
}
let files = walk(join(root, 'dist', 'test')).sort();
if (filter.length) files = files.filter((f) => filter.some((p) => f.includes(p)));
// Native and e2e tests share the kernel (bpffs pins, runc state): run files one at a time.
// Tests that run the default hook configuration make its native entry start hookd on the
// machine's socket; one the tests started is stopped when they end (the lock file holds its pid).
const hookdPid = () => {
  try {
    const pid = Number(readFileSync('/run/seccomp-tailor/hookd.lock', 'utf8').trim());
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('seccomp-tailor-hookd') ? pid : undefined;
  } catch {
    return undefined;
  }
};
const before = hookdPid();
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...files], { cwd: root, stdio: 'inherit' });
const after = hookdPid();
if (after && after !== before) process.kill(after, 'SIGTERM');
process.exit(r.status ?? 1);
