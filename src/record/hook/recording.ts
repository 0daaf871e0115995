// THE lifecycle of one container's slot in the pinned tracer, for every part that touches one:
//   start   (prestart)  discard a stale run state of the same id, claim a slot (once more when
//                       `tracer unload --if-idle` unpinned the tracer under us; a refusal noted
//                       for the watcher and `status` when every slot is taken), tag the init,
//                       write the run state last; undo all of it if any step fails;
//   open    (poststop, flush, status, report --live, the shadow follower) from the run state;
//   finish  (poststop, or flush for a container whose poststop never ran) release the slot,
//                       remove the run state, mark the registry entry stopped: whatever failed
//                       before, the three always happen together.
// prestart keeps only the path policy; what the slot recorded is read through `target`.
import { setTimeout as sleep } from 'node:timers/promises';
import type { HookConfig } from './config.js';
import { isShadowing, listRunStates, readRunState, removeRunState, writeRunState, type RunState } from './run-state.js';
import { markStoppedFromHook } from './registry.js';
import { keepPriorProfile } from './recording-history.js';
import { recordRefusal } from '../../state/refused.js';
import { isTailorError, tracerNotLoaded } from '../../errors.js';
import { processStartTime, Tracer, type TracerTarget } from '../tracer.js';

/** What prestart knows of the container before a slot is claimed (the rest of its run state). */
export type RunStateFields = Omit<RunState, 'version' | 'slot' | 'generation' | 'pinRoot' | 'initStartTime' | 'startedAt' | 'stateDir'>;

// The catalog's codes, not message text, decide (src/errors.ts: tracerUnloaded, tracerFull).
const codeOf = (e: unknown): string | undefined => (isTailorError(e) ? e.code : undefined);

export class Recording {
  private constructor(readonly rs: RunState, readonly target: TracerTarget, private readonly runDir: string) {}

  /**
   * Claims a slot for the container whose init is `fields.initPid`, tags it, and writes its run
   * state. Returns the recording (its tracer handle open: `close()` it) and what the operator
   * should hear (a stale recording of the same id discarded).
   */
  static start(cfg: HookConfig, fields: RunStateFields): { recording: Recording; warnings: string[] } {
    const warnings: string[] = [];
    let tracer = Tracer.shared(cfg.pinRoot);
    // A run state left by an earlier container of the same id whose poststop never ran (runtime
    // crash, host kill): its slot would otherwise stay claimed until reclaimed an hour later.
    const stale = readRunState(cfg.runDir, fields.id);
    if (stale) {
      try {
        tracer.target(stale.slot, stale.generation).release();
      } catch {
        // already released or reclaimed
      }
      removeRunState(cfg.runDir, fields.id);
      warnings.push(`an unfinished recording of an earlier container named ${fields.id} was discarded`);
    }
    let target: TracerTarget;
    try {
      target = Recording.claim(tracer, cfg, fields);
    } catch (e) {
      tracer.close();
      if (codeOf(e) !== 'TRACER_UNLOADED') throw e;
      // `tracer unload --if-idle` ran between our open and our claim: load it again, once.
      tracer = Tracer.shared(cfg.pinRoot);
      try {
        target = Recording.claim(tracer, cfg, fields);
      } catch (e2) {
        tracer.close();
        throw e2;
      }
    }
    try {
      target.addProcess(fields.initPid);
      const rs: RunState = {
        version: 1, ...fields, slot: target.slot, generation: target.generation, pinRoot: cfg.pinRoot,
        initStartTime: processStartTime(fields.initPid) ?? 0, startedAt: new Date().toISOString(), stateDir: cfg.stateDir,
      };
      if (rs.output) keepPriorProfile(cfg.runDir, rs.id, rs.output);
      writeRunState(cfg.runDir, rs);
      return { recording: new Recording(rs, target, cfg.runDir), warnings };
    } catch (e) {
      target.release();
      removeRunState(cfg.runDir, fields.id);
      tracer.close();
      throw e;
    }
  }

  private static claim(tracer: Tracer, cfg: HookConfig, fields: RunStateFields): TracerTarget {
    try {
      return tracer.claim(fields.initPid, cfg.maxRecordings);
    } catch (e) {
      // Every slot in use: leave a trace the watcher counts and `status` lists, then let the
      // hook's failure path tell the runtime, the journal and hook.log.
      if (codeOf(e) === 'TRACER_FULL') {
        try {
          recordRefusal(cfg.stateDir, { time: new Date().toISOString(), id: fields.id, limit: cfg.maxRecordings, onFailure: cfg.onFailure, output: (fields.output ?? fields.shadow?.profile)!.path });
        } catch {
          // the state directory is unwritable: the log lines still say it
        }
      }
      throw e;
    }
  }

  /** The recording of a run state, through `tracers` (throws TRACER_NO_TARGET when its slot is gone). */
  static open(rs: RunState, runDir: string, tracers: TracerPool): Recording {
    return new Recording(rs, tracers.get(rs.pinRoot).target(rs.slot, rs.generation), runDir);
  }

  /** Every container being recorded or shadowed, oldest first, by its run state. */
  static states(runDir: string): RunState[] {
    return listRunStates(runDir);
  }

  get shadowing(): boolean {
    return isShadowing(this.rs);
  }

  /** Waits (at most `timeoutMs`) for the container's last tasks: the runtime killed it just before. */
  async drain(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.target.state().liveTasks > 0 && Date.now() < deadline) await sleep(2);
    return this.target.state().liveTasks;
  }

  /** The init is gone and so is every task: a container whose poststop never ran. */
  gone(): boolean {
    return processStartTime(this.rs.initPid) !== this.rs.initStartTime && this.target.state().liveTasks <= 0;
  }

  /** Releases the slot, then forgets the container (see Recording.forget). */
  finish(): void {
    try {
      this.target.release();
    } finally {
      Recording.forget(this.rs, this.runDir);
    }
  }

  /** The run state removed and the registry entry marked stopped (also when the slot was lost). */
  static forget(rs: RunState, runDir: string): void {
    removeRunState(runDir, rs.id);
    markStoppedFromHook(rs.stateDir, rs.id);
  }

  /** Closes the tracer handle this recording was started with (start's only). */
  close(): void {
    this.target.tracer.close();
  }
}

/**
 * Tracer handles by pin root, opened on first use (status, flush and the follower read many
 * slots). Only a loaded tracer is opened: a reader never loads a fresh one (TRACER_NO_TARGET).
 */
export class TracerPool {
  private readonly tracers = new Map<string, Tracer>();
  get(pinRoot: string): Tracer {
    let t = this.tracers.get(pinRoot);
    if (!t) {
      t = Tracer.pinned(pinRoot);
      if (!t) throw tracerNotLoaded(pinRoot);
      this.tracers.set(pinRoot, t);
    }
    return t;
  }
  /** Drops a handle that failed (a tracer unloaded and loaded again is a new one). */
  drop(pinRoot: string): void {
    this.tracers.get(pinRoot)?.close();
    this.tracers.delete(pinRoot);
  }
  close(): void {
    for (const t of this.tracers.values()) t.close();
    this.tracers.clear();
  }
}

/** Works on one recording under a pool of its own, closed afterwards. */
export async function withRecording<T>(rs: RunState, runDir: string, fn: (r: Recording) => Promise<T> | T): Promise<T> {
  const pool = new TracerPool();
  try {
    return await fn(Recording.open(rs, runDir, pool));
  } finally {
    pool.close();
  }
}
