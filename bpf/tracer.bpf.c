// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* seccomp-tailor's syscall recorder.
 *
 * A target is a process tree. User space tags its root task (task storage keyed by pidfd) and
 * every task created by a tagged task inherits the tag at sched_process_fork, whatever
 * namespaces it later unshares or joins: keying on the task, not on a mount namespace, is what
 * keeps descendants that `unshare -m -p` in the recording.
 *
 * The hot path is sys_enter for every task on the machine. It asks one question first, "does
 * this task carry a tag?", which for task storage is a pointer check on the current task: no
 * hash, no pid lookup. Only tagged tasks go on to count. */
#include "vmlinux-min.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "tracer.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* x86: arch/x86/include/asm/thread_info.h, set while a task runs a 32-bit syscall. */
#define TS_COMPAT 0x0002
/* arch/x86/include/uapi/asm/unistd.h */
#define X32_SYSCALL_BIT 0x40000000
/* The calls that install a seccomp filter, by native x86_64 number: seccomp(2) with
 * SECCOMP_SET_MODE_FILTER, and prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER). runc (libseccomp)
 * and crun both use seccomp(2); prctl is the fallback older libseccomp takes. */
#define NR_prctl 157
#define NR_seccomp 317
#define PR_SET_SECCOMP 22
#define SECCOMP_SET_MODE_FILTER 1
#define SECCOMP_MODE_FILTER 2

#define BPF_LOCAL_STORAGE_GET_F_CREATE 1ULL
#define BPF_NOEXIST 1
#define EEXIST 17

/* Set by user space before load (.rodata), from libseccomp's tables: which listed syscall
 * (TRACER_ARG_*) each (arch, nr) is, so a traced call pays one load to learn that it is not
 * one of them. Numbers differ per arch (x86_64 ioctl is 16, i386 54, x32 514). */
const volatile __u8 cfg_arg_kind[TRACER_ARCHES][TRACER_NR_SLOTS] = {};
/* Argument sets one recording may create (user space sets TRACER_ARG_SETS_PER_TARGET; tests less). */
const volatile __u32 cfg_arg_sets_per_target = TRACER_ARG_SETS_PER_TARGET;

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_tag);
} task_tags SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, TRACER_MAX_TARGETS);
	__type(key, __u32);
	__type(value, struct target_state);
} targets SEC(".maps");

/* Claimed target slots: user space claims one with BPF_NOEXIST, which makes the claim atomic
 * between concurrent hooks without any lock file. Value: the claimer's own bookkeeping. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TRACER_MAX_TARGETS);
	__type(key, __u32);
	__type(value, __u64[4]);
} target_owners SEC(".maps");

/* Written once per (target, phase, arch, nr), on first sight: memory follows what a target
 * calls, not the size of the syscall tables. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, TRACER_FIRST_SEEN_ENTRIES);
	__type(key, struct first_seen_key);
	__type(value, __u64);
} first_seen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, TRACER_ARG_SETS);
	__type(key, struct arg_set_key);
	__type(value, struct arg_set);
} arg_sets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tracer_control);
} control SEC(".maps");

/* A pinned tracer stays attached between recordings: with no slot claimed, one load of the
 * claim count (no helper call) sends every task on its way. */
static __always_inline int recording_anything(void)
{
	__u32 zero = 0;
	struct tracer_control *ctl = bpf_map_lookup_elem(&control, &zero);
	return ctl && ctl->claims != 0;
}

/* The last tagged task each CPU saw, with its tag: a tight loop of syscalls by one task then
 * skips the task storage helper (~25 ns here) after its first call. A task_struct address can
 * be reused after the task is freed, so the task's start time is part of the key. */
struct tag_cache {
	__u64 task;
	__u64 start_time;
	struct task_tag tag;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tag_cache);
} tag_cache SEC(".maps");

static __always_inline struct target_state *target_of(struct task_struct *task, struct task_tag **out_tag)
{
	/* Nearly every task on a host has no BPF task storage at all: one load of the pointer
	 * answers "not traced" for them without the helper call and its recursion guard, which
	 * measured at ~40 ns a syscall here. */
	if (!task->bpf_storage)
		return 0;
	struct task_tag *tag = bpf_task_storage_get(&task_tags, task, 0, 0);
	if (!tag)
		return 0;
	__u32 t = tag->target;
	struct target_state *st = bpf_map_lookup_elem(&targets, &t);
	/* A tag left on a task that outlived its target's slot (the slot was released and
	 * claimed again) must not count into the new claimant's profile. */
	if (!st || st->generation != tag->generation)
		return 0;
	if (out_tag)
		*out_tag = tag;
	return st;
}

/* The argument positions each kind keeps: x86_64 passes di, si, dx, r10, r8, r9; the i386
 * entry (int 0x80, TS_COMPAT) bx, cx, dx, si, di, bp. */
static __always_inline __u64 arg_of(struct pt_regs *regs, int compat, int i)
{
	if (compat) {
		switch (i) {
		case 0: return BPF_CORE_READ(regs, bx);
		case 1: return BPF_CORE_READ(regs, cx);
		default: return BPF_CORE_READ(regs, dx);
		}
	}
	switch (i) {
	case 0: return BPF_CORE_READ(regs, di);
	case 1: return BPF_CORE_READ(regs, si);
	default: return BPF_CORE_READ(regs, dx);
	}
}

/* Adds the call's argument tuple to its set unless the set has it. Two CPUs racing with the
 * same new tuple may both append it (readers de-duplicate); a full set is marked, and its
 * syscall then gets no argument rule at all, never one from a partial set. */
static __always_inline void record_args(struct pt_regs *regs, struct target_state *st, __u32 target,
					__u32 phase, __u32 arch, __u32 kind)
{
	int compat = arch == 1;
	__u64 a, b = 0;
	__u32 width = 1, cap = 8;
	switch (kind) {
	case TRACER_ARG_SETNS:
	case TRACER_ARG_IOCTL:
		a = arg_of(regs, compat, 1);
		break;
	case TRACER_ARG_SOCKET:
		a = arg_of(regs, compat, 0);
		b = arg_of(regs, compat, 2);
		width = 2;
		break;
	default:
		a = arg_of(regs, compat, 0);
	}
	if (kind == TRACER_ARG_IOCTL)
		cap = 32;

	struct arg_set_key k = { .target = target, .phase = phase, .arch = arch, .kind = kind };
	struct arg_set *s = bpf_map_lookup_elem(&arg_sets, &k);
	if (!s) {
		/* The recording's share of the shared map first: one container never takes the room
		 * of others (a count given back when the set turned out to exist already). */
		if (__sync_fetch_and_add(&st->arg_set_count, 1) >= cfg_arg_sets_per_target) {
			__sync_fetch_and_add(&st->arg_set_count, -1);
			__sync_fetch_and_add(&st->args_lost, 1);
			return;
		}
		struct arg_set fresh = {};
		long err = bpf_map_update_elem(&arg_sets, &k, &fresh, BPF_NOEXIST);
		if (err)
			__sync_fetch_and_add(&st->arg_set_count, -1);
		if (err && err != -EEXIST) {
			__sync_fetch_and_add(&st->args_lost, 1);
			return;
		}
		if (!err)
			__sync_fetch_and_or(&st->arg_sets, 1ULL << tracer_arg_set_bit(phase, arch, kind));
		s = bpf_map_lookup_elem(&arg_sets, &k);
		if (!s)
			return;
	}
	__u64 committed = s->committed;
	for (__u32 i = 0; i < 32; i++) {
		if (i >= cap)
			break;
		if (!(committed & (1ULL << i)))
			continue;
		__u32 w = i * width;
		if (w >= TRACER_ARG_WORDS - 1 && width == 2)
			break;
		if (w >= TRACER_ARG_WORDS)
			break;
		if (s->words[w] != a)
			continue;
		if (width == 1)
			return;
		if (w + 1 < TRACER_ARG_WORDS && s->words[w + 1] == b)
			return;
	}
	if (s->overflow)
		return;
	__u32 idx = __sync_fetch_and_add(&s->reserved, 1);
	if (idx >= cap) {
		s->overflow = 1;
		return;
	}
	__u32 w = idx * width;
	if (w >= TRACER_ARG_WORDS)
		return;
	s->words[w] = a;
	if (width == 2 && w + 1 < TRACER_ARG_WORDS)
		s->words[w + 1] = b;
	__sync_fetch_and_or(&s->committed, 1ULL << idx);
}

/* Everything past the two checks every syscall on the host pays (nothing recorded; a task with
 * no task storage): a function of its own, so that the program's own prologue and epilogue stay
 * those of a few instructions (no callee-saved registers, no stack frame) on that common path. */
static __noinline int record_call(struct pt_regs *regs, long id)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 zero = 0;
	struct tag_cache *cache = bpf_map_lookup_elem(&tag_cache, &zero);
	if (!cache)
		return 0;
	struct task_tag *tag;
	struct target_state *st;
	__u64 start = task->start_time;
	if (cache->task == (__u64)task && cache->start_time == start) {
		tag = &cache->tag;
		__u32 t0 = tag->target;
		st = bpf_map_lookup_elem(&targets, &t0);
		if (!st || st->generation != tag->generation)
			return 0;
	} else {
		st = target_of(task, &tag);
		if (!st)
			return 0;
		cache->task = (__u64)task;
		cache->start_time = start;
		cache->tag = *tag;
		tag = &cache->tag;
	}

	__u32 arch = 0;
	long nr = id;
	if (task->thread_info.status & TS_COMPAT)
		arch = 1;
	else if (nr >= 0 && (nr & X32_SYSCALL_BIT)) {
		arch = 2;
		nr &= ~(long)X32_SYSCALL_BIT;
	}
	/* syscall(-1), or numbers past the table: never let them alias a real slot. */
	if (nr < 0 || nr >= TRACER_NR_SLOTS) {
		__sync_fetch_and_add(&st->dropped, 1);
		return 0;
	}
	__u32 phase = st->phase;
	if (phase >= TRACER_PHASES)
		return 0;
	/* runc installs the filter on one thread without TSYNC: the Go runtime's other threads in
	 * `runc init` never pass through it, so what they call after the install is not a need
	 * of the container's profile. Only tasks the filter applies to make the runtime's tail. */
	if (phase == 1 && task->seccomp.mode != SECCOMP_MODE_FILTER) {
		st->unfiltered_tail++;
		return 0;
	}
	__u32 target = tag->target;
	/* A plain increment, not an atomic one: racing threads can lose an increment, never a
	 * syscall of the set (the seen bits below are set atomically). */
	st->calls++;

	__u32 bit = tracer_seen_bit(phase, arch, (__u32)nr);
	__u32 word = bit / 64;
	if (word >= TRACER_SEEN_WORDS)
		return 0;
	__u64 mask = 1ULL << (bit % 64);
	if (!(st->seen[word] & mask) && !(__sync_fetch_and_or(&st->seen[word], mask) & mask)) {
		__u64 now = bpf_ktime_get_ns();
		st->last_new_ns = now;
		/* Phase 0 (the runtime's set-up) is never part of a profile: its bit is enough. */
		if (phase > 0) {
			struct first_seen_key k = { .target = target, .nr = (__u16)nr, .phase = (__u8)phase, .arch = (__u8)arch };
			long err = bpf_map_update_elem(&first_seen, &k, &now, BPF_NOEXIST);
			if (err && err != -EEXIST)
				__sync_fetch_and_add(&st->first_lost, 1);
		}
	}

	if (phase > 0) {
		__u32 kind = cfg_arg_kind[arch][nr];
		if (kind != TRACER_ARG_NONE && kind <= TRACER_ARG_KINDS)
			record_args(regs, st, target, phase, arch, kind);
		return 0;
	}

	/* The filter install itself belongs to the set-up; what follows is the runtime's tail. */
	if (arch == 0) {
		unsigned long a0 = BPF_CORE_READ(regs, di);
		unsigned long a1 = BPF_CORE_READ(regs, si);
		if ((nr == NR_seccomp && a0 == SECCOMP_SET_MODE_FILTER) ||
		    (nr == NR_prctl && a0 == PR_SET_SECCOMP && a1 == SECCOMP_MODE_FILTER)) {
			st->phase = 1;
			st->filter_ns = bpf_ktime_get_ns();
		}
	}
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(on_sys_enter, struct pt_regs *regs, long id)
{
	if (!recording_anything())
		return 0;
	/* Nearly every task on a host has no BPF task storage: one load answers "not traced". */
	if (!bpf_get_current_task_btf()->bpf_storage)
		return 0;
	return record_call(regs, id);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	/* Fires for every clone (threads included) before the child first runs, so a child can
	 * never make an untagged syscall. `parent` is the creating task (current). */
	struct task_tag *tag;
	struct target_state *st = target_of(parent, &tag);
	if (!st)
		return 0;
	struct task_tag copy = *tag;
	if (bpf_task_storage_get(&task_tags, child, &copy, BPF_LOCAL_STORAGE_GET_F_CREATE))
		__sync_fetch_and_add(&st->forks, 1);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *p, int old_pid, struct linux_binprm *bprm)
{
	struct target_state *st = target_of(p, 0);
	if (!st)
		return 0;
	__sync_fetch_and_add(&st->execs, 1);
	if (st->phase < 2) {
		st->phase = 2;
		st->exec_ns = bpf_ktime_get_ns();
	}
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_exit, struct task_struct *p)
{
	struct target_state *st = target_of(p, 0);
	if (!st)
		return 0;
	__sync_fetch_and_add(&st->exits, 1);
	/* Task storage is freed with the task itself; nothing else to clean. */
	return 0;
}
