// What the arguments of the few syscalls whose danger lies in their arguments mean, as data: which
// argument decides, whether it is a flag word or an enumeration, and the names of the values (for
// people reading stats, diffs and notes). Pure and zod-free: the hook's profile builder uses it.
// Values from the kernel's uapi headers (linux/sched.h, linux/personality.h, linux/socket.h,
// linux/netlink.h, linux/prctl.h).

/** An OCI `args` condition (what runc hands to libseccomp). For MASKED_EQ, `value` is the mask. */
export interface ArgCondition {
  index: number;
  value: number;
  valueTwo?: number;
  op: 'SCMP_CMP_EQ' | 'SCMP_CMP_MASKED_EQ' | 'SCMP_CMP_NE' | 'SCMP_CMP_LT' | 'SCMP_CMP_LE' | 'SCMP_CMP_GT' | 'SCMP_CMP_GE';
}
/** An OCI rule in the shape the builders write (the schema's type without zod). */
export interface OciRule {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: ArgCondition[];
}

export const CSIGNAL = 0xffn;
export const CLONE = {
  CLONE_VM: 0x100n, CLONE_FS: 0x200n, CLONE_FILES: 0x400n, CLONE_SIGHAND: 0x800n, CLONE_PIDFD: 0x1000n,
  CLONE_PTRACE: 0x2000n, CLONE_VFORK: 0x4000n, CLONE_PARENT: 0x8000n, CLONE_THREAD: 0x10000n,
  CLONE_NEWNS: 0x20000n, CLONE_SYSVSEM: 0x40000n, CLONE_SETTLS: 0x80000n, CLONE_PARENT_SETTID: 0x100000n,
  CLONE_CHILD_CLEARTID: 0x200000n, CLONE_DETACHED: 0x400000n, CLONE_UNTRACED: 0x800000n,
  CLONE_CHILD_SETTID: 0x1000000n, CLONE_NEWCGROUP: 0x2000000n, CLONE_NEWUTS: 0x4000000n,
  CLONE_NEWIPC: 0x8000000n, CLONE_NEWUSER: 0x10000000n, CLONE_NEWPID: 0x20000000n,
  CLONE_NEWNET: 0x40000000n, CLONE_IO: 0x80000000n,
} as const;
/** CLONE_NEWTIME shares CSIGNAL's low byte in clone() (0x80), so only unshare/clone3 can ask for it. */
export const CLONE_NEWTIME = 0x80n;
/** Every namespace bit clone() can take: the bits Docker's default denies without CAP_SYS_ADMIN. */
export const CLONE_NAMESPACE_BITS = CLONE.CLONE_NEWNS | CLONE.CLONE_NEWCGROUP | CLONE.CLONE_NEWUTS | CLONE.CLONE_NEWIPC |
  CLONE.CLONE_NEWUSER | CLONE.CLONE_NEWPID | CLONE.CLONE_NEWNET;

export const AF: Readonly<Record<number, string>> = {
  0: 'AF_UNSPEC', 1: 'AF_UNIX', 2: 'AF_INET', 3: 'AF_AX25', 4: 'AF_IPX', 5: 'AF_APPLETALK', 9: 'AF_X25',
  10: 'AF_INET6', 15: 'AF_KEY', 16: 'AF_NETLINK', 17: 'AF_PACKET', 21: 'AF_RDS', 24: 'AF_PPPOX',
  29: 'AF_CAN', 30: 'AF_TIPC', 31: 'AF_BLUETOOTH', 38: 'AF_ALG', 39: 'AF_NFC', 40: 'AF_VSOCK', 44: 'AF_XDP',
};
export const AF_NETLINK = 16;
export const NETLINK: Readonly<Record<number, string>> = {
  0: 'NETLINK_ROUTE', 2: 'NETLINK_USERSOCK', 4: 'NETLINK_SOCK_DIAG', 6: 'NETLINK_XFRM', 9: 'NETLINK_AUDIT',
  10: 'NETLINK_FIB_LOOKUP', 11: 'NETLINK_CONNECTOR', 12: 'NETLINK_NETFILTER', 15: 'NETLINK_KOBJECT_UEVENT',
  16: 'NETLINK_GENERIC', 18: 'NETLINK_SCSITRANSPORT', 19: 'NETLINK_ECRYPTFS', 20: 'NETLINK_RDMA', 21: 'NETLINK_CRYPTO',
};
export const NETLINK_AUDIT = 9;
export const PERSONALITY: Readonly<Record<number, string>> = {
  0x0: 'PER_LINUX', 0x8: 'PER_LINUX32', 0x20000: 'UNAME26', 0x20008: 'UNAME26|PER_LINUX32', 0xffffffff: 'query',
  0x40000: 'ADDR_NO_RANDOMIZE', 0x100000: 'MMAP_PAGE_ZERO', 0x200000: 'ADDR_COMPAT_LAYOUT',
  0x400000: 'READ_IMPLIES_EXEC', 0x800000: 'ADDR_LIMIT_32BIT', 0x8000000: 'ADDR_LIMIT_3GB',
};
export const READ_IMPLIES_EXEC = 0x400000;
export const PRCTL: Readonly<Record<number, string>> = {
  1: 'PR_SET_PDEATHSIG', 2: 'PR_GET_PDEATHSIG', 3: 'PR_GET_DUMPABLE', 4: 'PR_SET_DUMPABLE', 7: 'PR_GET_KEEPCAPS',
  8: 'PR_SET_KEEPCAPS', 15: 'PR_SET_NAME', 16: 'PR_GET_NAME', 22: 'PR_SET_SECCOMP', 23: 'PR_CAPBSET_READ',
  24: 'PR_CAPBSET_DROP', 35: 'PR_SET_MM', 36: 'PR_SET_CHILD_SUBREAPER', 37: 'PR_GET_CHILD_SUBREAPER',
  38: 'PR_SET_NO_NEW_PRIVS', 39: 'PR_GET_NO_NEW_PRIVS', 47: 'PR_CAP_AMBIENT',
  0x53564d41: 'PR_SET_VMA',
};
const NAMESPACE_TYPES: Readonly<Record<number, string>> = {
  0: 'any namespace', 0x20000: 'CLONE_NEWNS', 0x2000000: 'CLONE_NEWCGROUP', 0x4000000: 'CLONE_NEWUTS',
  0x8000000: 'CLONE_NEWIPC', 0x10000000: 'CLONE_NEWUSER', 0x20000000: 'CLONE_NEWPID', 0x40000000: 'CLONE_NEWNET',
  0x80: 'CLONE_NEWTIME',
};

/**
 * How a syscall's facts become rules. `flags`: one MASKED_EQ rule that denies every bit never seen
 * (`ignore`: bits that are not flags, e.g. clone's exit signal). `enum`: one EQ rule per value seen.
 * `socket`: one rule per domain, and for AF_NETLINK one per (domain, protocol): netlink protocols
 * are whole kernel subsystems (NETLINK_AUDIT writes the host's audit log).
 */
export type ArgPolicy =
  | { kind: 'flags'; index: number; ignore: bigint }
  | { kind: 'enum'; index: number; maxValues: number }
  | { kind: 'socket' };

// Every argument here is a C int or unsigned int in the kernel (clone's flags are truncated to 32
// bits by kernel_clone_args), so the upper half of the 64-bit register never changes the call.
export const ARG_POLICIES: Readonly<Record<string, ArgPolicy>> = {
  clone: { kind: 'flags', index: 0, ignore: CSIGNAL },
  unshare: { kind: 'flags', index: 0, ignore: 0n },
  setns: { kind: 'enum', index: 1, maxValues: 32 },
  personality: { kind: 'enum', index: 0, maxValues: 32 },
  socket: { kind: 'socket' },
  socketpair: { kind: 'enum', index: 0, maxValues: 32 },
  prctl: { kind: 'enum', index: 0, maxValues: 32 },
  // ioctl requests are many in some workloads (terminals, GPUs); above 32 the name alone is kept.
  ioctl: { kind: 'enum', index: 1, maxValues: 32 },
};
export const argPolicyOf = (syscall: string): ArgPolicy | undefined => (Object.hasOwn(ARG_POLICIES, syscall) ? ARG_POLICIES[syscall] : undefined);

export const LOW32 = 0xffffffffn;
export const hex = (v: bigint | number): string => `0x${BigInt(v).toString(16)}`;

function flagNames(bits: bigint): string {
  const names = Object.entries(CLONE).filter(([, b]) => (bits & b) !== 0n).map(([n]) => n);
  const rest = Object.values(CLONE).reduce((r, b) => r & ~b, bits);
  return [...names, ...(rest ? [hex(rest)] : [])].join('|') || '0';
}

/** A value of `syscall`'s argument `index`, for people: `AF_INET (0x2)`, `CLONE_NEWUSER|CLONE_NEWNET`. */
export function nameValue(syscall: string, index: number, value: bigint): string {
  const v = Number(value & LOW32);
  const table =
    syscall === 'socket' || syscall === 'socketpair' ? (index === 0 ? AF : undefined)
    : syscall === 'personality' ? PERSONALITY
    : syscall === 'prctl' && index === 0 ? PRCTL
    : syscall === 'setns' && index === 1 ? NAMESPACE_TYPES
    : undefined;
  if (syscall === 'clone' || syscall === 'unshare') return flagNames(value);
  const name = table && Object.hasOwn(table, v) ? table[v] : undefined;
  return name ? `${name} (${hex(value)})` : hex(value);
}

/** One condition, for people: `arg0 == AF_INET (0x2)`, `arg0 has none of CLONE_NEWUSER|…`. */
export function describeCondition(syscall: string, c: ArgCondition): string {
  const arg = `arg${c.index}`;
  if (c.op === 'SCMP_CMP_MASKED_EQ') {
    const mask = BigInt(c.value);
    const want = BigInt(c.valueTwo ?? 0);
    if (want === 0n && (syscall === 'clone' || syscall === 'unshare')) {
      // A mask over most of the word reads better as the few bits it lets through.
      const free = syscall === 'clone' ? CSIGNAL : 0n;
      const allowed = LOW32 & ~free & ~mask;
      const bits = (v: bigint) => v.toString(2).replace(/0/g, '').length;
      const signal = syscall === 'clone' ? ' (any exit signal)' : '';
      if (bits(mask) > 16) return allowed === 0n ? `${arg} has no flag${signal}` : `${arg} has only flags from ${flagNames(allowed)}${signal}`;
      return `${arg} has none of ${flagNames(mask)}`;
    }
    if (want === 0n) return `${arg} has none of ${hex(mask)}`;
    if (mask === LOW32) return `${arg} == ${nameValue(syscall, c.index, want)} (low 32 bits)`;
    return `${arg} & ${hex(mask)} == ${hex(want)}`;
  }
  const sym = { SCMP_CMP_EQ: '==', SCMP_CMP_NE: '!=', SCMP_CMP_LT: '<', SCMP_CMP_LE: '<=', SCMP_CMP_GT: '>', SCMP_CMP_GE: '>=' }[c.op];
  const shown = c.op === 'SCMP_CMP_EQ' || c.op === 'SCMP_CMP_NE' ? nameValue(syscall, c.index, BigInt(c.value)) : hex(c.value);
  return `${arg} ${sym} ${shown}`;
}

export const describeRuleArgs = (syscall: string, args: readonly ArgCondition[]): string =>
  args.map((c) => describeCondition(syscall, c)).join(' && ');
