// audit `arch=` hex -> libseccomp arch name. The value is the kernel's AUDIT_ARCH_* constant:
// ELF machine | 0x80000000 (64-bit) | 0x40000000 (little endian) | 0x20000000 (MIPS N32).
// A static table keeps the parser pure (no addon); it lists what libseccomp knows.
import type { ArchName } from './types.js';

const AUDIT_ARCH: ReadonlyMap<string, ArchName> = new Map([
  ['c000003e', 'x86_64'],
  ['40000003', 'x86'],
  ['c00000b7', 'aarch64'],
  ['40000028', 'arm'],
  ['00000008', 'mips'],
  ['40000008', 'mipsel'],
  ['80000008', 'mips64'],
  ['c0000008', 'mipsel64'],
  ['a0000008', 'mips64n32'],
  ['e0000008', 'mipsel64n32'],
  ['00000014', 'ppc'],
  ['80000015', 'ppc64'],
  ['c0000015', 'ppc64le'],
  ['00000016', 's390'],
  ['80000016', 's390x'],
  ['0000000f', 'parisc'],
  ['8000000f', 'parisc64'],
  ['c00000f3', 'riscv64'],
  ['c0000102', 'loongarch64'],
  ['00000004', 'm68k'],
  ['4000002a', 'sh'],
  ['0000002a', 'sheb'],
]);

/** The same table keyed by the value itself as a signed 32-bit number (a small integer to V8), for readers that work on bytes. */
const AUDIT_ARCH_BY_NUMBER: ReadonlyMap<number, ArchName> = new Map([...AUDIT_ARCH].map(([hex, name]) => [Number.parseInt(hex, 16) | 0, name]));

/** x32 tasks report AUDIT_ARCH_X86_64; only the syscall number's X32 bit tells them apart. */
export const X32_SYSCALL_BIT = 0x40000000;

/** Arch name for a record's `arch=` value and syscall number, or undefined when unknown. */
export function archName(auditArchHex: string, syscall: number): ArchName | undefined {
  const name = AUDIT_ARCH.get(auditArchHex.toLowerCase());
  if (name === 'x86_64' && syscall >= 0 && (syscall & X32_SYSCALL_BIT) !== 0) return 'x32';
  return name;
}

/** archName for an `arch=` value of exactly eight hex digits, already read as a number. */
export function archNameOfNumber(auditArch: number, syscall: number): ArchName | undefined {
  const name = AUDIT_ARCH_BY_NUMBER.get(auditArch | 0);
  if (name === 'x86_64' && syscall >= 0 && (syscall & X32_SYSCALL_BIT) !== 0) return 'x32';
  return name;
}
