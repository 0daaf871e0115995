// Product data: syscall families where a newer call replaces an older one, and libc (or the
// program) retries with the older call when the newer one fails with ENOSYS — never on EPERM. A
// profile recorded on an older libc allows the older member only; an updated image then calls the
// newer one, and an allow-list's default EPERM breaks it where ENOSYS would have sent it back to the
// older call (moby#42680 clone3, lxqt-panel#1562 faccessat2, docker-ce-packaging#1013 fchmodat2).
// Members are ordered oldest first; `since` is the mainline kernel release that added the call.
// Facts were checked against the kernel's syscall tables (libseccomp 2.5.4's, test/native) and the
// libc sources named per family. Zod-free: the OCI hook reads this.

export interface FamilyMember {
  name: string;
  /** Mainline kernel release that added the syscall. */
  since: string;
  /** libseccomp arch names it exists on, when not every arch has it (the 32-bit time64 calls). */
  only?: readonly string[];
}

export interface SyscallFamily {
  id: string;
  /** Oldest first: each member's fallback is an earlier member. */
  members: readonly FamilyMember[];
  /** What libc (or the usual caller) does when the newer member answers ENOSYS. */
  fallback: string;
}

/** 32-bit arches with the y2038 `*_time64` calls (kernel 5.1, commit 48166e6ea47d). */
const ARCHES_32 = ['x86', 'arm', 'mips', 'mipsel', 'ppc', 's390', 'parisc', 'm68k', 'sh', 'sheb'] as const;

/** 64-bit arches, which have newfstatat where the 32-bit ones have fstatat64. */
const ARCHES_64 = ['x86_64', 'x32', 'aarch64', 'riscv64', 'loongarch64', 's390x', 'ppc64', 'ppc64le', 'mips64', 'mipsel64', 'mips64n32', 'mipsel64n32', 'parisc64'] as const;

const m = (name: string, since: string, only?: readonly string[]): FamilyMember => (only ? { name, since, only } : { name, since });

// The y2038 series (v5.1, 48166e6ea47d "y2038: add 64-bit time_t syscalls to all 32-bit
// architectures"): glibc >= 2.32 built without __ASSUME_TIME64_SYSCALLS calls the *_time64 variant
// first and the 32-bit one on ENOSYS (sysdeps/unix/sysv/linux/clock_gettime.c and friends);
// libseccomp#228 is the EPERM case (utimensat_time64 under Docker's profile).
const TIME64: Array<[old: string, time64: string]> = [
  ['pselect6', 'pselect6_time64'], ['ppoll', 'ppoll_time64'], ['clock_gettime', 'clock_gettime64'],
  ['clock_settime', 'clock_settime64'], ['clock_getres', 'clock_getres_time64'], ['clock_nanosleep', 'clock_nanosleep_time64'],
  ['futex', 'futex_time64'], ['utimensat', 'utimensat_time64'], ['recvmmsg', 'recvmmsg_time64'],
  ['rt_sigtimedwait', 'rt_sigtimedwait_time64'], ['timerfd_settime', 'timerfd_settime64'], ['timerfd_gettime', 'timerfd_gettime64'],
  ['timer_settime', 'timer_settime64'], ['timer_gettime', 'timer_gettime64'], ['semtimedop', 'semtimedop_time64'],
  ['mq_timedsend', 'mq_timedsend_time64'], ['mq_timedreceive', 'mq_timedreceive_time64'],
  ['sched_rr_get_interval', 'sched_rr_get_interval_time64'], ['io_pgetevents', 'io_pgetevents_time64'],
];

export const FAMILIES: readonly SyscallFamily[] = [
  // clone3: v5.3, 7f192e3cd316 "fork: add clone3". glibc 2.34 __clone_internal (pthread_create,
  // posix_spawn, fork) tries clone3 and falls back to clone only on ENOSYS (include/clone_internal.h);
  // moby#42680: Docker's EPERM broke every thread start in fedora:rawhide.
  { id: 'clone', members: [m('clone', '1.0'), m('clone3', '5.3')], fallback: 'glibc >= 2.34 retries with clone on ENOSYS' },
  // faccessat2: v5.8, c8ffd8bcdd28 "vfs: add faccessat2 syscall". glibc 2.33 (3d3ab573a5f3) faccessat()
  // calls faccessat2 first and faccessat on ENOSYS; crun#646, lxqt-panel#1562, moby#41353.
  { id: 'faccessat', members: [m('faccessat', '2.6.16'), m('faccessat2', '5.8')], fallback: 'glibc >= 2.33 retries with faccessat on ENOSYS' },
  // fchmodat2: v6.6, 09da082b07bb "fs: Add fchmodat2()". glibc 2.39 fchmodat(AT_SYMLINK_NOFOLLOW)
  // calls it and emulates through O_PATH on ENOSYS; docker-ce-packaging#1013 (tar fails with EPERM),
  // systemd#30250.
  { id: 'fchmodat', members: [m('fchmodat', '2.6.16'), m('fchmodat2', '6.6')], fallback: 'glibc >= 2.39 emulates with openat(O_PATH) + fchmodat on ENOSYS' },
  // openat2: v5.6, fddb5d430ad9 "open: introduce openat2(2) syscall". No libc calls it on its own;
  // runc, systemd, cap-std use it when present and openat on ENOSYS (cap-std#147 had to add EPERM).
  { id: 'openat', members: [m('openat', '2.6.16'), m('openat2', '5.6')], fallback: 'callers (runc, systemd, cap-std) retry with openat on ENOSYS' },
  // epoll_pwait2: v5.11. Callers wanting
  // nanosecond timeouts (glibc 2.35 wrapper; event loops) use epoll_pwait on ENOSYS.
  { id: 'epoll_pwait', members: [m('epoll_pwait', '2.6.19'), m('epoll_pwait2', '5.11')], fallback: 'callers retry with epoll_pwait on ENOSYS' },
  // close_range: v5.9, 278a5fbaed89 "open: add close_range()". glibc 2.34 closefrom() falls back to
  // closing each fd listed in /proc/self/fd when it fails; Python and systemd do the same on ENOSYS.
  { id: 'close_range', members: [m('close', '1.0'), m('close_range', '5.9')], fallback: 'glibc closefrom() and Python close the fds one by one on ENOSYS' },
  // waitid: v2.6.9. Listed so a newer caller (Rust std, pidfd-aware runtimes) asking waitid of a
  // profile that allows wait4 hears ENOSYS, the answer of a kernel without it, rather than EPERM.
  { id: 'wait4', members: [m('wait4', '1.0'), m('waitid', '2.6.9')], fallback: 'callers that probe waitid use wait4 on ENOSYS' },
  // statx: v4.11, a528d35e8bfc "statx: Add a system call to make enhanced file info available".
  // glibc 2.28 statx() emulates with fstatat on ENOSYS (sysdeps/unix/sysv/linux/statx.c); glibc 2.33
  // stat() on 64-bit calls newfstatat, on 32-bit statx first then fstatat64; musl 1.2 the same.
  { id: 'stat', members: [m('stat', '1.0'), m('newfstatat', '2.6.16', ARCHES_64), m('fstatat64', '2.6.16', ARCHES_32), m('statx', '4.11')], fallback: 'glibc >= 2.28 and musl emulate statx with fstatat on ENOSYS' },
  // The *4/*2/*1 variants with a flags argument: v2.6.27 (v2.6.28 for accept4). musl calls the new
  // one first and the old one on ENOSYS when no flag is asked (src/linux/epoll.c: epoll_create1 ->
  // epoll_create, epoll_pwait -> epoll_wait); glibc did so while its __ASSUME_* cut-offs were unset.
  { id: 'signalfd', members: [m('signalfd', '2.6.22'), m('signalfd4', '2.6.27')], fallback: 'libc before the __ASSUME_SIGNALFD4 cut-off retries with signalfd when no flags are asked' },
  { id: 'eventfd', members: [m('eventfd', '2.6.22'), m('eventfd2', '2.6.27')], fallback: 'libc retries with eventfd when no flags are asked' },
  { id: 'pipe', members: [m('pipe', '1.0'), m('pipe2', '2.6.27')], fallback: 'libc retries with pipe + fcntl on ENOSYS' },
  { id: 'dup2', members: [m('dup2', '1.0'), m('dup3', '2.6.27')], fallback: 'libc retries with dup2 + fcntl on ENOSYS' },
  { id: 'accept', members: [m('accept', '1.0'), m('accept4', '2.6.28')], fallback: 'libc retries with accept + fcntl on ENOSYS' },
  { id: 'epoll_create', members: [m('epoll_create', '2.6'), m('epoll_create1', '2.6.27')], fallback: 'musl epoll_create1(0) retries with epoll_create on ENOSYS' },
  { id: 'inotify_init', members: [m('inotify_init', '2.6.13'), m('inotify_init1', '2.6.27')], fallback: 'libc retries with inotify_init on ENOSYS' },
  // renameat2: v3.15. gnulib's renameatu (coreutils mv)
  // retries with renameat on ENOSYS or EINVAL.
  { id: 'renameat', members: [m('rename', '1.0'), m('renameat', '2.6.16'), m('renameat2', '3.15')], fallback: 'gnulib renameatu (coreutils mv) retries with renameat on ENOSYS' },
  // preadv2/pwritev2: v4.6. glibc's wrappers with flags 0 call preadv/pwritev on ENOSYS.
  { id: 'preadv', members: [m('preadv', '2.6.30'), m('preadv2', '4.6')], fallback: 'glibc preadv2(flags 0) retries with preadv on ENOSYS' },
  { id: 'pwritev', members: [m('pwritev', '2.6.30'), m('pwritev2', '4.6')], fallback: 'glibc pwritev2(flags 0) retries with pwritev on ENOSYS' },
  // mlock2: v4.4. glibc's mlock2(flags 0) calls mlock on ENOSYS.
  { id: 'mlock', members: [m('mlock', '1.0'), m('mlock2', '4.4')], fallback: 'glibc mlock2(flags 0) retries with mlock on ENOSYS' },
  // rseq: v4.18, d7822b1e24f2 "rseq: Introduce restartable sequences system call". Not a replacement
  // but glibc >= 2.35 calls it at every thread start right after set_robust_list, and runs without it
  // when it fails; other runtimes (tcmalloc) read only ENOSYS as "absent".
  { id: 'rseq', members: [m('set_robust_list', '2.6.17'), m('rseq', '4.18')], fallback: 'glibc >= 2.35 runs without rseq registration' },
  ...TIME64.map(([old, t64]): SyscallFamily => ({
    id: old, members: [m(old, '1.0'), m(t64, '5.1', ARCHES_32)], fallback: `glibc >= 2.32 on 32-bit retries with ${old} on ENOSYS`,
  })),
];

/** The family that holds `name`, and its place in it. */
export function familyOf(name: string): { family: SyscallFamily; index: number } | undefined {
  for (const family of FAMILIES) {
    const index = family.members.findIndex((x) => x.name === name);
    if (index >= 0) return { family, index };
  }
  return undefined;
}

/** Names that are a newer member of some family (the names a family ENOSYS rule may hold). */
export const NEWER_MEMBERS: ReadonlySet<string> = new Set(FAMILIES.flatMap((f) => f.members.slice(1).map((x) => x.name)));
