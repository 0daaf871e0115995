// Builds test/fixtures/known-syscalls.c once per run: a static program whose syscalls after
// execve are known exactly (tests only; the tool itself never compiles anything).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packagePath } from '../../src/native/package-root.js';

let built: string | undefined;

export function knownSyscallsBinary(): string {
  if (built && existsSync(built)) return built;
  const out = join(mkdtempSync(join(tmpdir(), 'st-ks-')), 'known-syscalls');
  execFileSync('cc', ['-static', '-nostdlib', '-O1', '-o', out, packagePath('test', 'fixtures', 'known-syscalls.c')]);
  built = out;
  return out;
}

/** What the program calls after execve, by variant (see the C source). */
export const KNOWN = {
  plain: ['exit_group', 'getpid', 'getppid', 'getuid'],
} as const;

export const isRoot = process.getuid?.() === 0;
export const rootOnly = isRoot ? false : 'needs root (loads eBPF programs)';
