// `record -- CMD`: run one command on this host under a private tracer and profile what it and
// every descendant called after its execve (like `strace -f -c`, but the output is a profile).
import { setTimeout as sleep } from 'node:timers/promises';
import type { SeccompProfile } from '../profile/schema.js';
import { buildRecordedProfile } from './profile-builder.js';
import type { ArgFact } from './arg-facts.js';
import type { ArgNote, Clone3Choice } from './arg-rules.js';
import { nameCounts, type RecordedSyscall } from './named-calls.js';
import { PHASE } from './tracer-layout.js';
import { spawnPaused } from './spawn-paused.js';
import { Tracer, type SyscallCount, type TargetState } from './tracer.js';
import type { FamilyMode, FamilyNote } from '../profile/families.js';
import { checkAgainst, type GateResult } from '../profile/against.js';
import { archOfKind } from './named-calls.js';

export interface CommandRecording {
  profile: SeccompProfile;
  calls: RecordedSyscall[];
  /** Numbers no libseccomp table names (reported, never put in a profile). */
  unknown: SyscallCount[];
  exit: { code: number | null; signal: NodeJS.Signals | null };
  state: TargetState;
  /** Descendants still alive when we stopped waiting (daemons). */
  leftRunning: number;
  /** Names allowed only with argument rules, and why others kept the name alone. */
  restricted: string[];
  argNotes: ArgNote[];
  /** Arguments of the listed syscalls (clone flags, socket domains, ...), all phases recorded. */
  argFacts: ArgFact[];
  /** ENOSYS (or, under `allow`, allowed) newer family members never seen, and why. */
  familyNotes: FamilyNote[];
  familyAllowed: string[];
}

export interface RecordOptions {
  tracer?: Tracer;
  stdio?: 'inherit' | 'ignore' | 'pipe';
  /** How long to wait for descendants after the command itself exits. */
  descendantsTimeoutMs?: number;
  /** Names to allow besides what was recorded (e.g. a runtime's measured needs). */
  extraNames?: readonly string[];
  /** Names only, no argument rules (today's profiles). */
  namesOnly?: boolean;
  clone3?: Clone3Choice;
  /** Newer family members never seen: ENOSYS (default), allowed by name, or nothing. */
  families?: FamilyMode;
  /** Under families `allow`, clone3 too. */
  allowClone3?: boolean;
}

export async function recordCommand(command: string, args: readonly string[], opts: RecordOptions = {}): Promise<CommandRecording> {
  const tracer = opts.tracer ?? Tracer.load();
  try {
    const target = tracer.claim();
    try {
      const paused = spawnPaused(command, args, opts.stdio ?? 'inherit');
      try {
        target.addProcess(paused.pid);
      } finally {
        paused.release();
      }
      const exit = await paused.exited;
      const deadline = Date.now() + (opts.descendantsTimeoutMs ?? 10_000);
      while (target.state().liveTasks > 0 && Date.now() < deadline) await sleep(10);
      const state = target.state();
      const counts = target.syscalls();
      const { named, unknown } = nameCounts(counts, [PHASE.workload]);
      const all = target.argFacts();
      // The one builder the hook uses too; the extra names stand for the runtime's needs.
      const built = buildRecordedProfile({
        counts: counts.filter((c) => c.phase === PHASE.workload), runtimeNeeds: opts.extraNames ?? [],
        // Only the command's own facts (after its execve): the extra names are someone else's calls.
        argFacts: all.filter((f) => f.phase === PHASE.workload),
        namesOnly: opts.namesOnly === true, clone3: opts.clone3 ?? 'allow', families: opts.families ?? 'enosys', allowClone3: opts.allowClone3 === true,
      });
      return {
        profile: built.profile as SeccompProfile, familyNotes: built.familyNotes, familyAllowed: built.familyAllowed, calls: named, unknown, exit, state,
        leftRunning: Math.max(0, state.liveTasks), restricted: built.restricted, argNotes: built.argNotes, argFacts: all,
      };
    } finally {
      target.release();
    }
  } finally {
    if (!opts.tracer) tracer.close();
  }
}

/** `record --against PROFILE`: what the command needed that PROFILE does not allow (its own calls, after its execve). */
export function recordingAgainst(rec: Pick<CommandRecording, 'calls' | 'argFacts'>, profile: SeccompProfile, native: string): GateResult {
  const facts = rec.argFacts.filter((f) => f.phase === PHASE.workload).map((f) => ({ ...f, arch: archOfKind(f.arch, native) }));
  return checkAgainst(profile, rec.calls, facts, native);
}
