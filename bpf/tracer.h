/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Layouts shared by tracer.bpf.c and its loader (src/record/tracer-layout.ts mirrors them).
 * Plain fixed-width fields only, so both sides agree byte for byte. */
#ifndef SECCOMP_TAILOR_TRACER_H
#define SECCOMP_TAILOR_TRACER_H

/* Concurrent targets (containers or commands) one loaded tracer can record. What a slot holds
 * up front is small (struct target_state, 1280 B); everything that grows with what a target
 * calls lives in hash maps allocated on first sight. The hook's `maxRecordings` may lower it. */
#define TRACER_MAX_TARGETS 1024
/* Syscall numbers per arch. x86_64 ends near 470, i386 near 470, x32's own calls sit at
 * 512..547 once the 0x40000000 bit is removed; 1024 covers all with room. */
#define TRACER_NR_SLOTS 1024
/* 0: native, 1: 32-bit compat (TS_COMPAT), 2: x32 (nr carries __X32_SYSCALL_BIT). */
#define TRACER_ARCHES 3
/* 0: set-up (before any filter install or exec), 1: after the target installed a seccomp
 * filter and before exec (the runtime's tail), 2: after the first execve (the workload). */
#define TRACER_PHASES 3

#define TRACER_SEEN_BITS (TRACER_PHASES * TRACER_ARCHES * TRACER_NR_SLOTS)
#define TRACER_SEEN_WORDS (TRACER_SEEN_BITS / 64)

/* First-seen times, one entry per (target, phase >= 1, arch, nr) actually seen. */
#define TRACER_FIRST_SEEN_ENTRIES (1 << 17)

/* Argument facts: the listed syscalls (TRACER_ARG_*), a set of distinct values per
 * (target, phase >= 1, arch, syscall). */
#define TRACER_ARG_NONE 0
#define TRACER_ARG_CLONE 1
#define TRACER_ARG_UNSHARE 2
#define TRACER_ARG_SETNS 3
#define TRACER_ARG_PERSONALITY 4
#define TRACER_ARG_SOCKET 5
#define TRACER_ARG_SOCKETPAIR 6
#define TRACER_ARG_PRCTL 7
#define TRACER_ARG_IOCTL 8
#define TRACER_ARG_KINDS 8
/* Words of one set: ioctl keeps 32 values, the others 8 tuples (socket's are pairs). */
#define TRACER_ARG_WORDS 32
#define TRACER_ARG_SETS (TRACER_MAX_TARGETS * 16)
/* Argument sets one recording may hold (default of cfg_arg_sets_per_target): the map's share of
 * each slot, so that every slot claimed at once still finds room for its own sets, whatever one
 * container does. 16 hold both phases' eight kinds on one arch; a recording past it keeps the
 * names of the kinds it lost, without argument rules (issue 19). */
#define TRACER_ARG_SETS_PER_TARGET (TRACER_ARG_SETS / TRACER_MAX_TARGETS)

/* Value of the per-task storage: which target a task belongs to. */
struct task_tag {
	__u32 target;
	__u32 generation;
};

/* One per target slot (mmapable array `targets`). User space writes `generation`, `phase` and
 * `initial_tasks` through its mapping, each an aligned store of its own field, so it never
 * clobbers the counters the programs bump concurrently. Tasks alive in the tree:
 * initial_tasks + forks - exits. */
struct target_state {
	__u32 generation;   /* bumped by user space at each claim; stale tags are ignored */
	__u32 phase;        /* TRACER_PHASES; only ever moves forward */
	__u64 initial_tasks;/* tasks user space tagged itself */
	__u64 forks;        /* tasks that joined the tree by fork/clone (threads included) */
	__u64 exits;        /* tasks of the tree that exited */
	__u64 execs;        /* execve()s completed inside the tree */
	__u64 last_new_ns;  /* bpf_ktime_get_ns() when a (phase, arch, nr) was first seen */
	__u64 filter_ns;    /* when phase 1 began */
	__u64 exec_ns;      /* when phase 2 began */
	__u64 dropped;      /* syscalls whose number fits no slot (e.g. syscall(-1)) */
	__u64 calls;        /* syscalls recorded, all phases (a plain increment: evidence) */
	__u64 first_lost;   /* first-seen times the hash had no room for (the seen bit is kept) */
	__u64 args_lost;    /* argument sets the hash had no room for (that syscall: name only) */
	__u64 unfiltered_tail; /* phase-1 syscalls of tasks the filter does not apply to (ignored) */
	__u64 arg_sets;     /* bit tracer_arg_set_bit(phase, arch, kind): an argument set exists */
	__u64 arg_set_count;/* argument sets this recording created (bounded by cfg_arg_sets_per_target) */
	__u64 reserved[1];  /* pads the header to 128 bytes */
	__u64 seen[TRACER_SEEN_WORDS]; /* bit tracer_seen_bit(phase, arch, nr) */
};

/* One value (array `control`). `claims` is the programs' gate: zero means nothing is being
 * recorded and every program returns at once. User space adds one before it sets a slot's
 * byte and subtracts one after it cleared it (atomically, from any process), so the count is
 * never below the number of claimed slots. */
struct tracer_control {
	__u64 claims;
	__u8 active[TRACER_MAX_TARGETS];
};

/* The two bit formulas, here so that the program and the layout probe (test/fixtures/
 * tracer-layout-probe.c, which src/record/tracer-layout.ts is checked against) compile the same
 * code. */
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* Bit of (phase, arch, nr) in target_state.seen. */
static __always_inline __u32 tracer_seen_bit(__u32 phase, __u32 arch, __u32 nr)
{
	return (phase * TRACER_ARCHES + arch) * TRACER_NR_SLOTS + nr;
}

/* Bit of target_state.arg_sets for the set of (phase 1 or 2, arch, kind 1..TRACER_ARG_KINDS). */
static __always_inline __u32 tracer_arg_set_bit(__u32 phase, __u32 arch, __u32 kind)
{
	return ((phase - 1) * TRACER_ARCHES + arch) * TRACER_ARG_KINDS + kind - 1;
}

struct first_seen_key {
	__u32 target;
	__u16 nr;
	__u8 phase;
	__u8 arch;
};

struct arg_set_key {
	__u32 target;
	__u8 phase;
	__u8 arch;
	__u8 kind;
	__u8 pad;
};

/* Tuples are appended: a program reserves index `reserved` (atomically), writes the words,
 * then sets the index's bit in `committed`; readers take committed tuples only. */
struct arg_set {
	__u32 reserved;
	__u32 overflow;     /* a distinct tuple found no room: the set is incomplete */
	__u64 committed;
	__u64 words[TRACER_ARG_WORDS];
};

#endif
