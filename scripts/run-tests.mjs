#!/usr/bin/env node
// The test command: every compiled test file under dist/test, with node:test.
// Root-only tests skip themselves with a reason when not root.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// What is tested is what ships: the Node.js 24 in node_modules/node-linux-* (npm test puts it first
// on PATH), not the machine's node.
if (Number(process.versions.node.split('.')[0]) < 24) {
  console.error(`seccomp-tailor tests: run them with npm test (the project's own Node.js 24), not ${process.version}`);
  process.exit(1);
}
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
