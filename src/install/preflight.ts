// What this machine must offer before anything records: a supported architecture, a kernel with
// BTF (the tracer is CO-RE: relocated against /sys/kernel/btf/vmlinux at load), and bpffs (the
// hook's shared tracer is pinned there). Checked up front so a missing piece is one line at
// record/watch/install time, not a libbpf error at the first container.
import { existsSync, statfsSync } from 'node:fs';
import { noBpffs, noBtf, unsupportedArch, type EnvironmentError } from '../errors.js';

// statfs(2) f_type of a BPF file system (include/uapi/linux/magic.h).
const BPF_FS_MAGIC = 0xcafe4a11;
const SUPPORTED: Readonly<Record<string, string>> = { x64: 'x86_64', arm64: 'aarch64' };

export interface Platform {
  /** Node's process.arch. */
  arch: string;
  btfPath: string;
  bpffsPath: string;
}

/**
 * This machine. SECCOMP_TAILOR_BTF names another BTF path, so a test can show the message a
 * kernel without BTF gets; it only moves what is checked (libbpf reads the kernel's own).
 */
export const thisPlatform = (): Platform => ({
  arch: process.arch,
  btfPath: process.env.SECCOMP_TAILOR_BTF || '/sys/kernel/btf/vmlinux',
  bpffsPath: '/sys/fs/bpf',
});

function isBpffs(path: string): boolean {
  try {
    return statfsSync(path).type === BPF_FS_MAGIC;
  } catch {
    return false;
  }
}

/** The first thing missing, or undefined. `bpffs`: whether this job pins anything. */
export function platformProblem(need: { bpffs: boolean }, p: Platform = thisPlatform()): EnvironmentError | undefined {
  if (!(p.arch in SUPPORTED)) return unsupportedArch(p.arch);
  if (!existsSync(p.btfPath)) return noBtf(p.btfPath);
  if (need.bpffs && !isBpffs(p.bpffsPath)) return noBpffs(p.bpffsPath);
  return undefined;
}

export function assertPlatform(need: { bpffs: boolean }, p?: Platform): void {
  const problem = platformProblem(need, p);
  if (problem) throw problem;
}
