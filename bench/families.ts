// The cost the family ENOSYS rules add to the hook's profile builder (poststop, inside `runc run`):
// buildRecordedProfile with families off and enosys, interleaved, on the counts of a recording shaped
// like runc 1.1.5's post-filter needs plus a small workload. Medians of rounds and their ratio.
import { buildRecordedProfile } from '../src/record/profile-builder.js';
import { syscallNumber } from '../src/native/libseccomp.js';
import { runtimeNeedsFor } from '../src/record/runtime-needs.js';
import type { SyscallCount } from '../src/record/tracer.js';
import { fmt, median, rotated } from './stats.js';

const needs = runtimeNeedsFor('runc', '1.1.5', 'x86_64').names;
const workload = ['clone', 'faccessat', 'openat', 'read', 'write', 'close', 'pipe', 'dup2', 'wait4', 'newfstatat', 'execve', 'exit_group'];
const counts = workload.map((n) => ({ phase: 2, arch: 'native', nr: syscallNumber('x86_64', n)!, count: 1, firstNs: 1n }) as SyscallCount);
const modes = ['off', 'enosys'] as const;
const per: Record<string, number[]> = { off: [], enosys: [] };
const N = 200;
buildRecordedProfile({ counts, runtimeNeeds: needs, families: 'enosys' }); // addon and tables loaded once, as in hookd
for (let round = 0; round < 30; round++) {
  for (const mode of rotated(modes, round)) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) buildRecordedProfile({ counts, runtimeNeeds: needs, families: mode });
    per[mode]!.push(Number(process.hrtime.bigint() - t0) / N / 1000);
  }
}
const off = median(per.off!);
const on = median(per.enosys!);
console.log(`buildRecordedProfile per call: families off ${fmt(off)} µs, enosys ${fmt(on)} µs (x${fmt(on / off, 2)}, +${fmt(on - off)} µs)`);
