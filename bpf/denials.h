/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The denial witness: what the kernel knew about a task at the moment it logged a seccomp denial.
 * Shared by denials.bpf.c and its loader (src/watch/witness.ts mirrors the layout byte for byte). */
#ifndef SECCOMP_TAILOR_DENIALS_H
#define SECCOMP_TAILOR_DENIALS_H

/* tgids remembered at once (LRU: the oldest witness goes first). A flood of denials from more
 * distinct processes than this within the daemon's lag loses attribution for the oldest. */
#define DENIALS_MAX_TGIDS 65536

struct denial_witness {
	__u32 tgid;
	__u32 tid;
	__u64 syscall;        /* as audit prints it: the nr, with the x32 bit when set */
	__u32 mnt_ns;         /* inode numbers, as /proc/<pid>/ns/{mnt,pid} show them */
	__u32 pid_ns;         /* the task's own (active) pid namespace, not pid_ns_for_children */
	__u64 start_boot_ns;  /* thread-group leader's start, CLOCK_BOOTTIME (/proc/<pid>/stat 22) */
	__u64 at_boot_ns;     /* when the denial was logged, CLOCK_BOOTTIME */
	__u32 code;           /* the seccomp action, as in the record's code= */
	__u32 pad;
	char comm[16];
};

#endif
