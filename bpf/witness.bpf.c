// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Exit witness for the watch daemon.
 *
 * An audit record names a process by pid only. A process killed by SCMP_ACT_KILL_PROCESS, or a
 * short-lived one denied in complain mode (`uname` logs and exits at once), is gone from /proc
 * before a log reader sees its line, and /proc was the only place to learn its namespaces.
 * sched_process_exit fires in the exiting task's own context before exit_task_namespaces(), so
 * the namespaces and start time are still there: remember them per tgid, and let the daemon
 * look a vanished pid up. One map update per thread exit; nothing on the syscall path.
 * (fentry on audit_seccomp would witness only denials, but fentry programs fail to load with
 * EPERM on the kernels this runs on, while tp_btf works.) */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "witness.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Local views of kernel types; the ___wt suffix is a CO-RE flavor: libbpf matches each to the
 * kernel's type of the same name and relocates every field offset against the running kernel's
 * BTF, so no vmlinux.h is needed and the layouts here are only names. */
struct ns_common___wt { unsigned int inum; } __attribute__((preserve_access_index));
struct mnt_namespace___wt { struct ns_common___wt ns; } __attribute__((preserve_access_index));
struct pid_namespace___wt { struct ns_common___wt ns; } __attribute__((preserve_access_index));
struct nsproxy___wt { struct mnt_namespace___wt *mnt_ns; } __attribute__((preserve_access_index));
struct upid___wt { int nr; struct pid_namespace___wt *ns; } __attribute__((preserve_access_index));
struct pid___wt { unsigned int level; struct upid___wt numbers[1]; } __attribute__((preserve_access_index));
struct task_struct___wt {
	int pid;
	int tgid;
	int exit_code;
	__u64 start_boottime;
	struct task_struct___wt *group_leader;
	struct nsproxy___wt *nsproxy;
	struct pid___wt *thread_pid;
	char comm[16];
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, WITNESS_MAX_TGIDS);
	__type(key, __u32);
	__type(value, struct exit_witness);
} witnesses SEC(".maps");

SEC("tp_btf/sched_process_exit")
int BPF_PROG(witness_exit, void *p)
{
	struct task_struct___wt *task = (struct task_struct___wt *)bpf_get_current_task();
	struct exit_witness w = {};
	__u64 id = bpf_get_current_pid_tgid();

	w.tgid = id >> 32;
	w.tid = (__u32)id;
	w.exit_boot_ns = bpf_ktime_get_boot_ns();
	w.exit_code = BPF_CORE_READ(task, exit_code);
	w.start_boot_ns = BPF_CORE_READ(task, group_leader, start_boottime);
	w.mnt_ns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	/* /proc/<pid>/ns/pid is the namespace the task's pid was allocated in: the deepest level of
	 * its struct pid (task_active_pid_ns), which unshare(CLONE_NEWPID) does not move. */
	struct pid___wt *pid = BPF_CORE_READ(task, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct pid_namespace___wt *pidns = 0;
	bpf_core_read(&pidns, sizeof(pidns), &pid->numbers[level & 31].ns);
	w.pid_ns = BPF_CORE_READ(pidns, ns.inum);
	bpf_get_current_comm(&w.comm, sizeof(w.comm));
	w.cgroup_id = bpf_get_current_cgroup_id();

	bpf_map_update_elem(&witnesses, &w.tgid, &w, BPF_ANY);
	return 0;
}
