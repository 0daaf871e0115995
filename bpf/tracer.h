/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Layouts shared by tracer.bpf.c and its loader (src/record/tracer-layout.ts mirrors them).
 * Plain fixed-width fields only, so both sides agree byte for byte. */
#ifndef SECCOMP_TAILOR_TRACER_H
#define SECCOMP_TAILOR_TRACER_H

/* Concurrent targets (containers or commands) one loaded tracer can record. */
#define TRACER_MAX_TARGETS 64
/* Syscall numbers per arch. x86_64 ends near 470, i386 near 470, x32's own calls sit at
 * 512..547 once the 0x40000000 bit is removed; 1024 covers all with room. */
#define TRACER_NR_SLOTS 1024
/* 0: native, 1: 32-bit compat (TS_COMPAT), 2: x32 (nr carries __X32_SYSCALL_BIT). */
#define TRACER_ARCHES 3
/* 0: set-up (before any filter install or exec), 1: after the target installed a seccomp
 * filter and before exec (the runtime's tail), 2: after the first execve (the workload). */
#define TRACER_PHASES 3

#define TRACER_SLOTS_PER_TARGET (TRACER_PHASES * TRACER_ARCHES * TRACER_NR_SLOTS)
#define TRACER_COUNT_ENTRIES (TRACER_MAX_TARGETS * TRACER_SLOTS_PER_TARGET)

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
	__u64 reserved[7];  /* pads the value to 128 bytes */
};

/* One value (array `control`): which slots are claimed, a byte each so concurrent claimers
 * never read-modify-write a shared word. When none is, every program returns at once. */
struct tracer_control {
	__u8 active[TRACER_MAX_TARGETS];
};

/* One per (target, phase, arch, nr) in the mmapable array `counts`. */
struct syscall_count {
	__u64 count;
	__u64 first_ns;
};

#endif
