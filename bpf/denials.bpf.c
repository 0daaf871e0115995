// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Witness of seccomp denials for the watch daemon.
 *
 * A process killed by SCMP_ACT_KILL_PROCESS is gone from /proc within milliseconds of its audit
 * record, long before a log reader sees the line, so /proc cannot say which container it was in.
 * The kernel calls audit_seccomp() in the dying task's own context just before the record is
 * formatted: an fentry there captures the namespaces and start time while they still exist.
 * Only logged denials reach this point (LOG, KILL_*, or filters loaded with
 * SECCOMP_FILTER_FLAG_LOG), so the cost is paid per denial, never per syscall. */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "denials.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Local views of kernel types; the ___dn suffix is a CO-RE flavor: libbpf matches each to the
 * kernel's type of the same name and relocates every field offset against the running kernel's
 * BTF, so no vmlinux.h is needed and the layouts here are only names. */
struct ns_common___dn { unsigned int inum; } __attribute__((preserve_access_index));
struct mnt_namespace___dn { struct ns_common___dn ns; } __attribute__((preserve_access_index));
struct pid_namespace___dn { struct ns_common___dn ns; } __attribute__((preserve_access_index));
struct nsproxy___dn { struct mnt_namespace___dn *mnt_ns; } __attribute__((preserve_access_index));
struct upid___dn { int nr; struct pid_namespace___dn *ns; } __attribute__((preserve_access_index));
struct pid___dn { unsigned int level; struct upid___dn numbers[1]; } __attribute__((preserve_access_index));
struct task_struct___dn {
	int pid;
	int tgid;
	__u64 start_boottime;
	struct task_struct___dn *group_leader;
	struct nsproxy___dn *nsproxy;
	struct pid___dn *thread_pid;
	char comm[16];
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, DENIALS_MAX_TGIDS);
	__type(key, __u32);
	__type(value, struct denial_witness);
} witnesses SEC(".maps");

SEC("fentry/audit_seccomp")
int BPF_PROG(on_audit_seccomp, unsigned long syscall, long signr, int code)
{
	struct task_struct___dn *task = (struct task_struct___dn *)bpf_get_current_task();
	struct denial_witness w = {};
	__u64 id = bpf_get_current_pid_tgid();

	w.tgid = id >> 32;
	w.tid = (__u32)id;
	w.syscall = syscall;
	w.code = (__u32)code;
	w.at_boot_ns = bpf_ktime_get_boot_ns();
	w.start_boot_ns = BPF_CORE_READ(task, group_leader, start_boottime);
	w.mnt_ns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	/* /proc/<pid>/ns/pid is the namespace the task's pid was allocated in: the one at the
	 * deepest level of its struct pid (task_active_pid_ns), which stays put after unshare(). */
	struct pid___dn *pid = BPF_CORE_READ(task, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct pid_namespace___dn *pidns = 0;
	bpf_core_read(&pidns, sizeof(pidns), &pid->numbers[level & 31].ns);
	w.pid_ns = BPF_CORE_READ(pidns, ns.inum);
	bpf_get_current_comm(&w.comm, sizeof(w.comm));

	bpf_map_update_elem(&witnesses, &w.tgid, &w, BPF_ANY);
	return 0;
}
