// The tokens of the OCI seccomp profile, zod-free: the schema (schema.ts) builds its enums from
// them, and the hook's shadow-profile check (src/shadow/profile-shape.ts) reads them without
// loading zod on a container's start path.

export const SECCOMP_ACTIONS = [
  'SCMP_ACT_KILL',
  'SCMP_ACT_KILL_PROCESS',
  'SCMP_ACT_KILL_THREAD',
  'SCMP_ACT_TRAP',
  'SCMP_ACT_ERRNO',
  'SCMP_ACT_TRACE',
  'SCMP_ACT_ALLOW',
  'SCMP_ACT_LOG',
  'SCMP_ACT_NOTIFY',
] as const;

// Every arch token libseccomp (2.5 and later) knows; validate.ts asks the installed libseccomp as well.
export const SCMP_ARCHES = [
  'SCMP_ARCH_X86', 'SCMP_ARCH_X86_64', 'SCMP_ARCH_X32', 'SCMP_ARCH_ARM', 'SCMP_ARCH_AARCH64',
  'SCMP_ARCH_MIPS', 'SCMP_ARCH_MIPS64', 'SCMP_ARCH_MIPS64N32', 'SCMP_ARCH_MIPSEL', 'SCMP_ARCH_MIPSEL64',
  'SCMP_ARCH_MIPSEL64N32', 'SCMP_ARCH_PPC', 'SCMP_ARCH_PPC64', 'SCMP_ARCH_PPC64LE', 'SCMP_ARCH_S390',
  'SCMP_ARCH_S390X', 'SCMP_ARCH_PARISC', 'SCMP_ARCH_PARISC64', 'SCMP_ARCH_RISCV64', 'SCMP_ARCH_LOONGARCH64',
  'SCMP_ARCH_M68K', 'SCMP_ARCH_SH', 'SCMP_ARCH_SHEB',
] as const;

export const SECCOMP_OPS = [
  'SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ',
] as const;
