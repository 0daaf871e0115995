// Product data: x86_64's legacy syscalls and the generic ones arm64 (and every arch on the
// asm-generic table: riscv64, loongarch64) has instead. arm64's libc implements open() with openat,
// stat() with newfstatat, fork() with clone(SIGCHLD), and so on (glibc sysdeps/unix/sysv/linux,
// musl src/ — e.g. musl's open.c, stat.c, pipe.c, dup2.c use the *at/*2/*3 call when SYS_open,
// SYS_stat, SYS_pipe, SYS_dup2 are undefined). The list of legacy names is libseccomp 2.5.4's
// x86_64 table minus its aarch64 table (test/native/translate-table.test.ts checks it).
// `argShift`: the generic call takes the same arguments one position later (a dirfd in front), or
// at the same position (0); absent: the arguments differ and an argument rule cannot be carried.

export interface Equivalent {
  legacy: string;
  generic: string;
  argShift?: number;
  /** fork/vfork: the clone flags the legacy call means (the exit signal aside). */
  cloneFlags?: bigint;
}

const CLONE_VM = 0x100n;
const CLONE_VFORK = 0x4000n;

export const EQUIVALENTS: readonly Equivalent[] = [
  { legacy: 'open', generic: 'openat', argShift: 1 },
  { legacy: 'creat', generic: 'openat' },
  { legacy: 'stat', generic: 'newfstatat', argShift: 1 },
  { legacy: 'lstat', generic: 'newfstatat' },
  { legacy: 'access', generic: 'faccessat', argShift: 1 },
  { legacy: 'dup2', generic: 'dup3', argShift: 0 },
  { legacy: 'pipe', generic: 'pipe2', argShift: 0 },
  { legacy: 'poll', generic: 'ppoll' },
  { legacy: 'pause', generic: 'ppoll' },
  { legacy: 'select', generic: 'pselect6' },
  { legacy: 'epoll_wait', generic: 'epoll_pwait', argShift: 0 },
  { legacy: 'epoll_create', generic: 'epoll_create1' },
  { legacy: 'inotify_init', generic: 'inotify_init1' },
  { legacy: 'signalfd', generic: 'signalfd4', argShift: 0 },
  { legacy: 'eventfd', generic: 'eventfd2', argShift: 0 },
  { legacy: 'fork', generic: 'clone', cloneFlags: 0n },
  { legacy: 'vfork', generic: 'clone', cloneFlags: CLONE_VM | CLONE_VFORK },
  { legacy: 'getdents', generic: 'getdents64' },
  { legacy: 'rename', generic: 'renameat', argShift: 1 },
  { legacy: 'mkdir', generic: 'mkdirat', argShift: 1 },
  { legacy: 'rmdir', generic: 'unlinkat' },
  { legacy: 'unlink', generic: 'unlinkat', argShift: 1 },
  { legacy: 'link', generic: 'linkat' },
  { legacy: 'symlink', generic: 'symlinkat' },
  { legacy: 'readlink', generic: 'readlinkat', argShift: 1 },
  { legacy: 'chmod', generic: 'fchmodat', argShift: 1 },
  { legacy: 'chown', generic: 'fchownat', argShift: 1 },
  { legacy: 'lchown', generic: 'fchownat' },
  { legacy: 'mknod', generic: 'mknodat', argShift: 1 },
  { legacy: 'utime', generic: 'utimensat' },
  { legacy: 'utimes', generic: 'utimensat' },
  { legacy: 'futimesat', generic: 'utimensat' },
  { legacy: 'getpgrp', generic: 'getpgid' },
  { legacy: 'alarm', generic: 'setitimer' },
  // arm64 has no time(2): libc reads the vDSO, and the syscall fallback is clock_gettime.
  { legacy: 'time', generic: 'clock_gettime' },
];

/**
 * x86_64 names arm64 has nothing for: x86 machine state (arch_prctl, iopl, modify_ldt, TLS areas),
 * long-removed calls (uselib, _sysctl, the module and STREAMS calls), never-implemented slots.
 */
export const X86_64_ONLY: ReadonlySet<string> = new Set([
  'arch_prctl', 'iopl', 'ioperm', 'modify_ldt', 'set_thread_area', 'get_thread_area', 'uselib', 'ustat', 'sysfs',
  '_sysctl', 'create_module', 'get_kernel_syms', 'query_module', 'getpmsg', 'putpmsg', 'afs_syscall', 'tuxcall',
  'security', 'vserver', 'epoll_ctl_old', 'epoll_wait_old',
]);

export const genericOf = (legacy: string): Equivalent | undefined => EQUIVALENTS.find((e) => e.legacy === legacy);
export const legacyOf = (generic: string): Equivalent[] => EQUIVALENTS.filter((e) => e.generic === generic);

/** Arguments whose meaning is the same on x86_64 and arm64 (flags, enumerations): rules on them are kept. */
export const SAME_MEANING: ReadonlySet<string> = new Set(['clone', 'unshare', 'setns', 'personality', 'socket', 'socketpair', 'prctl', 'ioctl']);
