// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The benchmark's baseline: a program that does nothing on the tracer's attach point. Any
 * program there moves every task to the slow syscall path; this measures that floor so the
 * tracer's own cost can be told apart from it. */
#include "vmlinux-min.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tp_btf/sys_enter")
int BPF_PROG(on_sys_enter_empty, struct pt_regs *regs, long id)
{
	return 0;
}
