// Checks the machine can run the tracer, so a missing piece is one sentence, not a stack trace.
import { existsSync, readFileSync } from 'node:fs';
import { release } from 'node:os';
import { kernelTooOld, noBtf, notPrivileged } from '../errors.js';

const CAP_PERFMON = 38n;
const CAP_BPF = 39n;
// Task storage from tracing programs and bpf_get_current_task_btf: Linux 5.11.
export const MIN_KERNEL: readonly [number, number] = [5, 11];

export interface Machine { kernelRelease: string; btfPath: string; euid: number; capEff: bigint }

export function effectiveCaps(status = readFileSync('/proc/self/status', 'utf8')): bigint {
  const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(status);
  return m ? BigInt('0x' + m[1]) : 0n;
}

export function kernelVersion(rel: string): [number, number] {
  const m = /^(\d+)\.(\d+)/.exec(rel);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

export function thisMachine(): Machine {
  return { kernelRelease: release(), btfPath: '/sys/kernel/btf/vmlinux', euid: process.geteuid?.() ?? -1, capEff: effectiveCaps() };
}

export function assertTracerCanRun(what = 'recording syscalls', m: Machine = thisMachine()): void {
  const [maj, min] = kernelVersion(m.kernelRelease);
  if (maj < MIN_KERNEL[0] || (maj === MIN_KERNEL[0] && min < MIN_KERNEL[1]))
    throw kernelTooOld(`Linux ${MIN_KERNEL.join('.')} or later (BPF task storage for tracing programs)`, m.kernelRelease);
  if (!existsSync(m.btfPath)) throw noBtf();
  const has = (c: bigint) => (m.capEff & (1n << c)) !== 0n;
  if (m.euid !== 0 && !(has(CAP_BPF) && has(CAP_PERFMON))) throw notPrivileged(what);
}
