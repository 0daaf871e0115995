// Fresh records of a live process no known container holds yet. A runtime writes its state file
// only after its init has set up (runc's init logs its chdir under the new filter before `create`
// saves state.json), so a record can be read before discovery can know its container. Such records
// are held (at most MAX_HELD, at most HOLD_MS) and attributed again every RETRY_MS, then routed
// whatever they are by then. The engine's flushes wait for them, so the checkpoint never passes a
// record that is neither counted nor reported.
import type { SeccompEvent } from '../../parsers/types.js';
import type { Attribution } from './mapper.js';

const MAX_HELD = 10_000;
const HOLD_MS = 1_500;
const RETRY_MS = 100;
/** Only records stamped this recently: a catch-up's old records wait for nothing. */
const FRESH_MS = 5_000;

/** No container the registry knows holds it (yet): discovery may not have handed it over. */
const notYetKnown = (a: Attribution): boolean => (a.kind === 'unknown' && a.reason === 'no-container') || a.kind === 'unregistered';

export class HeldRecords {
  private readonly held: Array<{ e: SeccompEvent; until: number }> = [];
  private timer: NodeJS.Timeout | undefined;

  /**
   * `attribute`: the mapper's answer now; `route`: where a record goes once attributed (or given
   * up on); `retried`: a retry round routed records (the engine schedules a flush).
   */
  constructor(
    private readonly attribute: (e: SeccompEvent) => Attribution,
    private readonly route: (e: SeccompEvent, a: Attribution) => void,
    private readonly retried: () => void,
  ) {}

  get size(): number {
    return this.held.length;
  }

  /** Holds `e` when its attribution `a` may still change; false: route it now. */
  hold(e: SeccompEvent, a: Attribution): boolean {
    if (!notYetKnown(a) || this.held.length >= MAX_HELD || Date.now() - Date.parse(e.time) >= FRESH_MS) return false;
    this.held.push({ e, until: Date.now() + HOLD_MS });
    this.timer ??= setTimeout(() => this.retry(), RETRY_MS);
    return true;
  }

  /** At the end: every held record attributed once more with discovery up to date, and routed. */
  settle(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const h of this.held.splice(0)) this.route(h.e, this.attribute(h.e));
  }

  private retry(): void {
    this.timer = undefined;
    const now = Date.now();
    for (const h of this.held.splice(0)) {
      const a = this.attribute(h.e);
      if (notYetKnown(a) && now < h.until) this.held.push(h);
      else this.route(h.e, a);
    }
    if (this.held.length) this.timer = setTimeout(() => this.retry(), RETRY_MS);
    this.retried();
  }
}
