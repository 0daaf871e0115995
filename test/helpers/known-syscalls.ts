// Builds test/fixtures/known-syscalls.c once per run: a static program whose syscalls after
// execve are known exactly (tests only; the tool itself never compiles anything).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packagePath } from '../../src/native/package-root.js';

const built = new Map<string, string>();

function staticProgram(name: string): string {
  const have = built.get(name);
  if (have && existsSync(have)) return have;
  const out = join(mkdtempSync(join(tmpdir(), 'st-ks-')), name);
  execFileSync('cc', ['-static', '-nostdlib', '-O1', '-o', out, packagePath('test', 'fixtures', `${name}.c`)]);
  built.set(name, out);
  return out;
}

export const knownSyscallsBinary = (): string => staticProgram('known-syscalls');
/** test/fixtures/arg-probe.c: the argument-fact syscalls with known arguments. */
export const argProbeBinary = (): string => staticProgram('arg-probe');

/** What the program calls after execve, by variant (see the C source). */
export const KNOWN = {
  plain: ['exit_group', 'getpid', 'getppid', 'getuid'],
} as const;

export const isRoot = process.getuid?.() === 0;
export const rootOnly = isRoot ? false : 'needs root (loads eBPF programs)';

let compatProbe: false | string | undefined;
/**
 * A skip reason when this kernel's i386 entry is off (IA32 emulation compiled in but disabled
 * at boot: `int 0x80` raises a general protection fault, seen on some VM kernels). No task can
 * make a compat call there, so there is nothing for the compat tests to record.
 */
export function compatEntrySkip(): false | string {
  if (compatProbe === undefined) {
    const r = spawnSync(knownSyscallsBinary(), ['c'], { stdio: 'ignore' });
    compatProbe = r.signal ? `this kernel's i386 entry (int 0x80) is off: the probe died with ${r.signal}, so no compat call can be made here` : false;
  }
  return compatProbe;
}
