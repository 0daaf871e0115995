// Shadow mode while the container runs: every PASS_MS, each shadowed container's slot is read and
// evaluated against its profile, and what is new goes to the spool (src/shadow/spool.ts), where
// the watcher's shadow source turns it into the proposal. `watch` runs this beside its audit
// source (so a denial reaches the proposal within a pass plus the source's poll, well under 1 s);
// poststop makes the last pass of each container itself, so nothing depends on this running.
// Reading a slot is a few dozen map lookups; the profile is re-read only when its file changes.
import { isShadowing } from './run-state.js';
import { evaluateShadowRun, ShadowProfileCache, type ShadowPass } from './shadow-run.js';
import { observedCalls } from './observed-calls.js';
import { Recording, TracerPool } from './recording.js';

export const PASS_MS = 250;

export interface ShadowFollowerOptions {
  runDir: string;
  passMs?: number;
  /** One line per problem (said once per container and problem, not every pass). */
  log?: (level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>) => void;
  /** After each pass (tests, the latency bench). */
  onPass?: (results: ReadonlyMap<string, ShadowPass>) => void;
}

export class ShadowFollower {
  private readonly profiles = new ShadowProfileCache();
  private readonly tracers = new TracerPool();
  private readonly said = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: ShadowFollowerOptions) {}

  start(): this {
    this.timer = setInterval(() => this.pass(), this.o.passMs ?? PASS_MS);
    return this;
  }

  /** One pass over every shadowed container; returns what each one's profile would deny so far. */
  pass(): Map<string, ShadowPass> {
    const results = new Map<string, ShadowPass>();
    const live = new Set<string>();
    for (const rs of Recording.states(this.o.runDir)) {
      if (!isShadowing(rs)) continue;
      live.add(rs.id);
      try {
        const r = evaluateShadowRun(rs, observedCalls(Recording.open(rs, this.o.runDir, this.tracers).target.snapshot()), this.profiles);
        results.set(rs.id, r);
        for (const why of new Set(r.undecided.map((u) => u.why))) this.once('info', rs.id, why, { container: rs.id, profile: rs.shadow.profile.path });
      } catch (e) {
        // A slot gone (poststop ran between listing and reading, the tracer was unloaded): open
        // the tracer afresh next pass; anything else is said once.
        this.tracers.drop(rs.pinRoot);
        if ((e as { code?: string }).code !== 'TRACER_NO_TARGET') this.once('warn', rs.id, `shadowing ${rs.shadow.profile.path}: ${(e as Error).message}`, { container: rs.id });
      }
    }
    // Forget what was said of containers that are gone (bounded whatever the churn).
    for (const k of this.said) if (!live.has(k.slice(0, k.indexOf('\0')))) this.said.delete(k);
    this.o.onPass?.(results);
    return results;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.tracers.close();
  }

  private once(level: 'info' | 'warn', id: string, msg: string, fields?: Record<string, unknown>): void {
    const key = `${id}\0${msg}`;
    if (this.said.has(key)) return;
    this.said.add(key);
    this.o.log?.(level, msg, fields);
  }
}
