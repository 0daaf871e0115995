/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The exit witness: who a process was (namespaces, start time) at the moment it exited. Shared by
 * witness.bpf.c and its loader (src/watch/witness.ts mirrors the layout byte for byte). */
#ifndef SECCOMP_TAILOR_WITNESS_H
#define SECCOMP_TAILOR_WITNESS_H

/* tgids remembered at once (LRU: the oldest exit goes first). The daemon needs a witness only
 * for the lag between a record and its line being read, so this covers more than 64k process
 * exits within that lag. 72 bytes an entry: 4.5 MiB. */
#define WITNESS_MAX_TGIDS 65536

struct exit_witness {
	__u32 tgid;
	__u32 tid;
	__u32 mnt_ns;         /* inode numbers, as /proc/<pid>/ns/{mnt,pid} show them */
	__u32 pid_ns;         /* the task's own (active) pid namespace, not pid_ns_for_children */
	__u64 start_boot_ns;  /* thread-group leader's start, CLOCK_BOOTTIME (/proc/<pid>/stat 22) */
	__u64 exit_boot_ns;   /* when this thread exited, CLOCK_BOOTTIME */
	__u32 exit_code;      /* the signal in the low 7 bits: SIGSYS (31) after a seccomp kill */
	__u32 pad;
	char comm[16];
	/* cgroup v2 id of the task at exit (the cgroup directory's inode number): names a container
	 * that shares the host's pid namespace (--pid=host) after its cgroup is gone. */
	__u64 cgroup_id;
	__u64 reserved;
};

#endif
