// Syscalls that widen what a container can do to the host or to other processes, with the reason in
// one sentence. `high`: apply refuses to add them without --allow-risky. `medium`: shown, not refused.
// Sources: Docker's default profile (which gates most of these on capabilities), the kernel man
// pages, and CVE history (e.g. CVE-2014-3519 for open_by_handle_at, CVE-2022-0185 for fsconfig).

export type RiskLevel = 'high' | 'medium';
export interface Risk {
  level: RiskLevel;
  why: string;
}

const h = (why: string): Risk => ({ level: 'high', why });
const m = (why: string): Risk => ({ level: 'medium', why });

const MOUNT_API = h('the new mount API (fsopen/fsconfig/fsmount/move_mount/open_tree/fspick) can attach filesystems and reshape the mount tree, the same power as mount(2)');
const KEYS = h('the kernel keyring is not namespaced: keys can leak between containers of the same user, and the keyctl code has a long CVE record');
const MODULES = h('loads or removes kernel code: full control of the host kernel');
const KEXEC = h('replaces the running kernel: a reboot into code of the caller\'s choice');
const PVM = h('reads or writes another process\'s memory directly, bypassing its address-space isolation');
const IO_URING = h('io_uring runs syscalls-like operations that seccomp never sees (the filter only checks io_uring_* itself) and has had many kernel privilege-escalation bugs');
const CLOCK = h('sets the system clock, which is not namespaced: it changes time for the host and every container');
const PORT_IO = h('grants direct access to hardware I/O ports');

const RISKS: Readonly<Record<string, Risk>> = {
  ptrace: h('attaches to other processes to read and write their memory and registers; a classic container-escape step and a way around the seccomp filter of the traced process on kernels before 4.8'),
  bpf: h('loads eBPF programs and maps into the kernel; with capabilities it can read kernel memory, and the verifier has been a recurring source of privilege escalations'),
  mount: h('mounts filesystems: with CAP_SYS_ADMIN it can expose host devices or remount paths writable'),
  umount: h('unmounts filesystems: can remove masks (e.g. over /proc paths) that hide host information'),
  umount2: h('unmounts filesystems: can remove masks (e.g. over /proc paths) that hide host information'),
  unshare: h('creates new namespaces; a new user namespace grants full capabilities inside it and opens kernel code normally reachable only by root'),
  setns: h('joins another namespace through its file descriptor, e.g. the host\'s if one leaks into the container'),
  keyctl: KEYS,
  add_key: KEYS,
  request_key: KEYS,
  kexec_load: KEXEC,
  kexec_file_load: KEXEC,
  init_module: MODULES,
  finit_module: MODULES,
  delete_module: MODULES,
  create_module: MODULES,
  perf_event_open: h('profiles the CPU and kernel; it leaks kernel addresses and timing and has had many privilege-escalation bugs'),
  userfaultfd: h('lets user space stall kernel page faults at will, which turns kernel race conditions into reliable exploits'),
  process_vm_readv: PVM,
  process_vm_writev: PVM,
  open_by_handle_at: h('opens files by handle without path checks: the "shocker" escape read host files this way'),
  pivot_root: h('changes the root filesystem; inside a container it is only needed by the runtime, before the filter is installed'),
  iopl: PORT_IO,
  ioperm: PORT_IO,
  swapon: h('adds swap devices on the host'),
  swapoff: h('removes swap devices on the host'),
  reboot: h('reboots or halts the machine (or, in a pid namespace, kills its init)'),
  acct: h('switches process accounting on the host on or off, writing to a file of the caller\'s choice'),
  settimeofday: CLOCK,
  clock_settime: CLOCK,
  clock_adjtime: CLOCK,
  adjtimex: CLOCK,
  stime: CLOCK,
  quotactl: h('manipulates disk quotas of host filesystems'),
  quotactl_fd: h('manipulates disk quotas of host filesystems'),
  lookup_dcookie: h('resolves kernel directory-entry cookies, leaking host paths'),
  move_mount: MOUNT_API,
  fsopen: MOUNT_API,
  fsconfig: MOUNT_API,
  fsmount: MOUNT_API,
  fspick: MOUNT_API,
  open_tree: MOUNT_API,
  mount_setattr: MOUNT_API,
  io_uring_setup: IO_URING,
  io_uring_enter: IO_URING,
  io_uring_register: IO_URING,
  vm86: h('enters virtual-8086 mode, a rarely used and historically buggy part of the x86 kernel'),
  vm86old: h('enters virtual-8086 mode, a rarely used and historically buggy part of the x86 kernel'),
  syslog: h('reads the kernel log, which holds kernel addresses and other containers\' messages'),
  nfsservctl: h('controls the kernel NFS server (removed in Linux 3.1)'),
  uselib: h('loads a shared library through an obsolete kernel path with a history of bugs'),
  get_kernel_syms: h('obsolete module interface that exposes kernel symbols'),
  query_module: h('obsolete module interface that exposes kernel symbols'),
  _sysctl: h('obsolete interface that writes kernel parameters'),
  pidfd_getfd: h('copies a file descriptor out of another process'),
  kcmp: m('compares kernel objects of two processes, leaking whether they share files or memory; ptrace access is checked'),
  chroot: m('changes the root directory; with a second chroot and an open directory it can escape an earlier chroot'),
  personality: m('changes the execution domain; some flags (e.g. READ_IMPLIES_EXEC, ADDR_NO_RANDOMIZE) weaken exploit mitigations'),
  clone3: m('cannot be filtered by argument: its flags live in memory seccomp cannot read, so it can create namespaces whatever the clone rule says; `record --clone3-enosys` (hook config "clone3": "enosys") makes it fail with ENOSYS, as Docker\'s default does, and libc falls back to clone, whose flags the profile filters'),
  clone: m('without an argument rule on its flags it creates new namespaces, as unshare does (recorded profiles allow only the flag bits seen)'),
  name_to_handle_at: m('produces file handles that open_by_handle_at can reopen without path checks'),
  fanotify_init: m('watches and can block file access across the mount or filesystem'),
  vhangup: m('hangs up the controlling terminal'),
  ustat: m('reports statistics of host filesystems'),
  sysfs: m('lists the kernel\'s filesystem types'),
  mbind: m('changes NUMA memory placement, which can starve other workloads; Docker allows it only with CAP_SYS_NICE'),
  move_pages: m('moves another process\'s pages between NUMA nodes'),
  migrate_pages: m('moves another process\'s pages between NUMA nodes'),
  set_mempolicy: m('changes NUMA memory placement, which can starve other workloads; Docker allows it only with CAP_SYS_NICE'),
};

/** The risk note for a syscall name, or undefined when it is not known to be dangerous. */
export function riskOf(syscall: string): Risk | undefined {
  return Object.hasOwn(RISKS, syscall) ? RISKS[syscall] : undefined;
}
