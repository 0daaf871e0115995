/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The few kernel types the tracers touch, declared with preserve_access_index so that every
 * field access becomes a CO-RE relocation resolved against the running kernel's BTF at load
 * time. Only names matter, not layout: offsets here are never used. Keeping this tiny (instead
 * of a full vmlinux.h dump) means the build does not need the build host's kernel BTF. */
#ifndef SECCOMP_TAILOR_VMLINUX_MIN_H
#define SECCOMP_TAILOR_VMLINUX_MIN_H

#include <linux/types.h>
#include <linux/bpf.h>

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

struct pt_regs {
	unsigned long bx, cx, dx, si, di, bp, r10, r8, r9, orig_ax;
};

struct thread_info {
	unsigned long flags;
	__u32 status;
};

struct ns_common { unsigned int inum; };
struct mnt_namespace { struct ns_common ns; };
struct pid_namespace { struct ns_common ns; };
struct nsproxy {
	struct mnt_namespace *mnt_ns;
	struct pid_namespace *pid_ns_for_children;
};

struct bpf_local_storage;

/* SECCOMP_MODE_FILTER (2) once a filter applies to the task. */
struct seccomp { int mode; };

struct task_struct {
	struct thread_info thread_info;
	struct bpf_local_storage *bpf_storage;
	struct seccomp seccomp;
	int pid;
	int tgid;
	__u64 start_time;
	struct task_struct *real_parent;
	struct task_struct *group_leader;
	struct nsproxy *nsproxy;
	char comm[16];
};

struct linux_binprm;

#pragma clang attribute pop

#endif
