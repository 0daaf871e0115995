// What each syscall is for, in ten kinds a reader can scan: the report groups a profile by them.
// Every name of libseccomp's x86_64 table sits in exactly one kind (a unit test checks coverage
// against the table); the 32-bit-only names (i386, arm) that differ only by a suffix fall back to
// their base name, the rest are listed in their kind too.

export const SYSCALL_KINDS = ['file', 'network', 'process', 'memory', 'signals', 'time', 'ipc', 'security', 'async', 'misc'] as const;
export type SyscallKind = (typeof SYSCALL_KINDS)[number];

export const KIND_TITLES: Readonly<Record<SyscallKind, string>> = {
  file: 'Files & directories',
  network: 'Network & sockets',
  process: 'Processes, threads & scheduling',
  memory: 'Memory',
  signals: 'Signals',
  time: 'Time & timers',
  ipc: 'IPC (pipes, SysV, POSIX mq, futex, event fds)',
  security: 'Security, privileges & namespaces',
  async: 'io_uring & AIO',
  misc: 'System & miscellaneous',
};

/** Labels short enough for a chart axis. */
export const KIND_LABELS: Readonly<Record<SyscallKind, string>> = {
  file: 'Files', network: 'Network', process: 'Processes', memory: 'Memory', signals: 'Signals', time: 'Time',
  ipc: 'IPC & futex', security: 'Security & namespaces', async: 'io_uring & AIO', misc: 'System & misc',
};

const LISTS: Readonly<Record<SyscallKind, readonly string[]>> = {
  file: [
    'read', 'write', 'open', 'close', 'stat', 'fstat', 'lstat', 'poll', 'lseek', 'ioctl', 'pread64', 'pwrite64',
    'readv', 'writev', 'access', 'select', 'dup', 'dup2', 'dup3', 'sendfile', 'fcntl', 'flock', 'fsync', 'fdatasync',
    'truncate', 'ftruncate', 'getdents', 'getdents64', 'getcwd', 'chdir', 'fchdir', 'rename', 'mkdir', 'rmdir',
    'creat', 'link', 'unlink', 'symlink', 'readlink', 'chmod', 'fchmod', 'chown', 'fchown', 'lchown', 'umask',
    'utime', 'utimes', 'mknod', 'statfs', 'fstatfs', 'sync', 'syncfs', 'readahead', 'setxattr', 'lsetxattr',
    'fsetxattr', 'getxattr', 'lgetxattr', 'fgetxattr', 'listxattr', 'llistxattr', 'flistxattr', 'removexattr',
    'lremovexattr', 'fremovexattr', 'epoll_create', 'epoll_create1', 'epoll_ctl', 'epoll_ctl_old', 'epoll_wait',
    'epoll_wait_old', 'epoll_pwait', 'epoll_pwait2', 'fadvise64', 'inotify_init', 'inotify_init1',
    'inotify_add_watch', 'inotify_rm_watch', 'openat', 'openat2', 'mkdirat', 'mknodat', 'fchownat', 'futimesat',
    'newfstatat', 'unlinkat', 'renameat', 'renameat2', 'linkat', 'symlinkat', 'readlinkat', 'fchmodat',
    'fchmodat2', 'faccessat', 'faccessat2', 'pselect6', 'ppoll', 'splice', 'tee', 'vmsplice', 'sync_file_range',
    'utimensat', 'fallocate', 'preadv', 'pwritev', 'preadv2', 'pwritev2', 'copy_file_range', 'statx',
    'close_range', 'name_to_handle_at', 'open_by_handle_at', 'fanotify_init', 'fanotify_mark', 'cachestat',
    // 32-bit-only names
    '_llseek', '_newselect', 'oldfstat', 'oldlstat', 'oldstat', 'readdir', 'fcntl64', 'fstatat64', 'ftruncate64',
    'truncate64', 'stat64', 'lstat64', 'fstat64', 'statfs64', 'fstatfs64', 'fadvise64_64', 'sendfile64',
    'arm_fadvise64_64', 'sync_file_range2', 'arm_sync_file_range',
  ],
  network: [
    'socket', 'connect', 'accept', 'accept4', 'sendto', 'recvfrom', 'sendmsg', 'recvmsg', 'sendmmsg', 'recvmmsg',
    'shutdown', 'bind', 'listen', 'getsockname', 'getpeername', 'socketpair', 'setsockopt', 'getsockopt',
    'socketcall', 'send', 'recv',
  ],
  process: [
    'clone', 'clone3', 'fork', 'vfork', 'execve', 'execveat', 'exit', 'exit_group', 'wait4', 'waitid', 'uname',
    'getpid', 'getppid', 'gettid', 'getpgrp', 'setpgid', 'getpgid', 'setsid', 'getsid', 'getuid', 'getgid',
    'geteuid', 'getegid', 'getgroups', 'getresuid', 'getresgid', 'getrlimit', 'setrlimit', 'prlimit64',
    'getrusage', 'times', 'getpriority', 'setpriority', 'sched_yield', 'sched_setparam', 'sched_getparam',
    'sched_setscheduler', 'sched_getscheduler', 'sched_get_priority_max', 'sched_get_priority_min',
    'sched_rr_get_interval', 'sched_setaffinity', 'sched_getaffinity', 'sched_setattr', 'sched_getattr',
    'prctl', 'arch_prctl', 'set_tid_address', 'set_robust_list', 'get_robust_list', 'rseq', 'set_thread_area',
    'get_thread_area', 'getcpu', 'ioprio_set', 'ioprio_get', 'ptrace', 'kcmp', 'process_vm_readv',
    'process_vm_writev', 'pidfd_open', 'pidfd_getfd', 'personality', 'restart_syscall', 'membarrier',
    // 32-bit-only names
    'waitpid', 'nice', 'ugetrlimit', 'olduname', 'oldolduname', 'ulimit', 'getuid32', 'getgid32', 'geteuid32',
    'getegid32', 'getgroups32', 'getresuid32', 'getresgid32', 'sched_rr_get_interval_time64', 'set_tls', 'get_tls',
  ],
  memory: [
    'mmap', 'mprotect', 'munmap', 'brk', 'mremap', 'msync', 'mincore', 'madvise', 'mlock', 'mlock2', 'munlock',
    'mlockall', 'munlockall', 'remap_file_pages', 'mbind', 'set_mempolicy', 'get_mempolicy', 'migrate_pages',
    'move_pages', 'memfd_create', 'memfd_secret', 'userfaultfd', 'pkey_mprotect', 'pkey_alloc', 'pkey_free',
    'process_madvise', 'process_mrelease', 'set_mempolicy_home_node', 'map_shadow_stack', 'modify_ldt',
    // 32-bit-only names
    'mmap2', 'cacheflush', 'breakpoint',
  ],
  signals: [
    'rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn', 'rt_sigpending', 'rt_sigtimedwait', 'rt_sigqueueinfo',
    'rt_sigsuspend', 'rt_tgsigqueueinfo', 'sigaltstack', 'kill', 'tkill', 'tgkill', 'pause', 'signalfd',
    'signalfd4', 'pidfd_send_signal',
    // 32-bit-only names
    'signal', 'sigaction', 'sigprocmask', 'sigpending', 'sigsuspend', 'sigreturn', 'sgetmask', 'ssetmask',
    'rt_sigtimedwait_time64',
  ],
  time: [
    'nanosleep', 'getitimer', 'setitimer', 'alarm', 'gettimeofday', 'settimeofday', 'time', 'timer_create',
    'timer_settime', 'timer_gettime', 'timer_getoverrun', 'timer_delete', 'clock_settime', 'clock_gettime',
    'clock_getres', 'clock_nanosleep', 'clock_adjtime', 'adjtimex', 'timerfd_create', 'timerfd_settime',
    'timerfd_gettime',
    // 32-bit-only names
    'stime', 'ftime', 'clock_adjtime64', 'clock_getres_time64', 'clock_gettime64', 'clock_nanosleep_time64',
    'clock_settime64', 'timer_gettime64', 'timer_settime64', 'timerfd_gettime64', 'timerfd_settime64',
  ],
  ipc: [
    'pipe', 'pipe2', 'shmget', 'shmat', 'shmctl', 'shmdt', 'semget', 'semop', 'semctl', 'semtimedop', 'msgget',
    'msgsnd', 'msgrcv', 'msgctl', 'mq_open', 'mq_unlink', 'mq_timedsend', 'mq_timedreceive', 'mq_notify',
    'mq_getsetattr', 'futex', 'futex_waitv', 'futex_wake', 'futex_wait', 'futex_requeue', 'eventfd', 'eventfd2',
    // 32-bit-only names
    'ipc', 'futex_time64', 'semtimedop_time64', 'mq_timedsend_time64', 'mq_timedreceive_time64',
  ],
  security: [
    'setuid', 'setgid', 'setreuid', 'setregid', 'setresuid', 'setresgid', 'setfsuid', 'setfsgid', 'setgroups',
    'capget', 'capset', 'chroot', 'pivot_root', 'mount', 'umount2', 'unshare', 'setns', 'seccomp', 'bpf',
    'keyctl', 'add_key', 'request_key', 'landlock_create_ruleset', 'landlock_add_rule', 'landlock_restrict_self',
    'open_tree', 'move_mount', 'fsopen', 'fsconfig', 'fsmount', 'fspick', 'mount_setattr', 'security',
    // 32-bit-only names
    'umount', 'setuid32', 'setgid32', 'setreuid32', 'setregid32', 'setresuid32', 'setresgid32', 'setfsuid32',
    'setfsgid32', 'setgroups32', 'chown32', 'fchown32', 'lchown32',
  ],
  async: [
    'io_setup', 'io_destroy', 'io_getevents', 'io_submit', 'io_cancel', 'io_pgetevents', 'io_uring_setup',
    'io_uring_enter', 'io_uring_register',
    // 32-bit-only names
    'io_pgetevents_time64',
  ],
  misc: [
    'sysinfo', 'syslog', 'uselib', 'ustat', 'sysfs', 'vhangup', '_sysctl', 'acct', 'swapon', 'swapoff', 'reboot',
    'sethostname', 'setdomainname', 'iopl', 'ioperm', 'create_module', 'init_module', 'finit_module',
    'delete_module', 'get_kernel_syms', 'query_module', 'quotactl', 'quotactl_fd', 'nfsservctl', 'getpmsg',
    'putpmsg', 'afs_syscall', 'tuxcall', 'vserver', 'lookup_dcookie', 'kexec_load', 'kexec_file_load',
    'perf_event_open', 'getrandom',
    // 32-bit-only names
    'bdflush', 'break', 'gtty', 'stty', 'idle', 'lock', 'mpx', 'prof', 'profil', 'vm86', 'vm86old', 'pciconfig_iobase',
    'pciconfig_read', 'pciconfig_write', 'usr26', 'usr32',
  ],
};

function buildIndex(): ReadonlyMap<string, SyscallKind> {
  const index = new Map<string, SyscallKind>();
  for (const kind of SYSCALL_KINDS) {
    for (const name of LISTS[kind]) {
      const had = index.get(name);
      // A name in two kinds would be counted twice in the report: refuse at load, not silently.
      if (had) throw new Error(`syscall-kinds: ${name} is listed under both ${had} and ${kind}`);
      index.set(name, kind);
    }
  }
  return index;
}

const INDEX = buildIndex();

/** Every name the table classifies, with its kind (the test checks libseccomp's tables against it). */
export const classifiedNames = (): ReadonlyMap<string, SyscallKind> => INDEX;

// Compat and 32-bit variants carry their base call's meaning: chown32, fstat64, ppoll_time64, ...
const SUFFIXES = ['_time64', '64', '32'];

/** The kind of a syscall name from any arch; `misc` for a name the table does not know. */
export function kindOf(name: string): SyscallKind {
  const direct = INDEX.get(name);
  if (direct) return direct;
  for (const s of SUFFIXES) {
    if (name.endsWith(s)) {
      const base = INDEX.get(name.slice(0, -s.length));
      if (base) return base;
    }
  }
  return 'misc';
}

/** Names grouped by kind, in SYSCALL_KINDS order, each group sorted; empty groups kept (as []). */
export function groupByKind(names: Iterable<string>): Array<{ kind: SyscallKind; title: string; names: string[] }> {
  const groups = new Map<SyscallKind, string[]>(SYSCALL_KINDS.map((k) => [k, []]));
  for (const n of new Set(names)) groups.get(kindOf(n))!.push(n);
  return SYSCALL_KINDS.map((kind) => ({ kind, title: KIND_TITLES[kind], names: groups.get(kind)!.sort() }));
}
