// Loss seen through the audit serial. The kernel numbers audit events from one counter
// (kernel/audit.c audit_serial()); every record of an event carries its serial, and an event gets
// its serial only once it is really logged (after the exclude filter and the backlog check), so a
// serial that never arrives is an event this reader missed: printk's rate limit ate it, the
// netlink receive buffer overflowed, or the watcher was not reading.
//
// Records do not arrive in strict serial order: an event's SYSCALL record is written at syscall
// exit, after records of other CPUs with later serials. A missing serial is therefore declared
// lost only after `graceMs` without it. Serials of records from before the first one seen, and
// repeats (several records share one serial), are not news.

export interface SerialGap {
  /** First and last missing serial. */
  first: number;
  last: number;
  count: number;
  /** Time stamps of the records on either side of the gap (ISO 8601), when known. */
  from?: string;
  to?: string;
}

/** More serials waiting than this: declare the oldest gap at once (bounded memory under a flood). */
const MAX_PENDING = 50_000;

export class SerialGaps {
  /** Lowest serial not yet seen; undefined before the first record. */
  private next: number | undefined;
  private lastTime: number | undefined;
  /** Serials above `next` already seen, with their record times. */
  private readonly ahead = new Map<number, number | undefined>();
  private waitingSince: number | undefined;
  private lostTotal = 0;

  constructor(private readonly graceMs = 2000, private readonly now: () => number = Date.now) {}

  get lost(): number {
    return this.lostTotal;
  }

  /** Time (epoch ms) of the record at contiguousThrough, when known. */
  get contiguousTime(): number | undefined {
    return this.lastTime;
  }

  /** Serials above contiguousThrough already seen (they arrived early; the gap below is open). */
  seenAhead(): number[] {
    return [...this.ahead.keys()];
  }

  /** The highest serial seen with nothing missing below it (the checkpoint's serial). */
  get contiguousThrough(): number | undefined {
    return this.next === undefined ? undefined : this.next - 1;
  }

  /** Starts the count after `serial` (a checkpoint from before a restart). */
  resumeAfter(serial: number, timeMs?: number): void {
    this.next = serial + 1;
    this.lastTime = timeMs;
    this.ahead.clear();
    this.waitingSince = undefined;
  }

  /** A record with this serial (and record time, epoch ms) arrived; returns the gaps now overdue. */
  observe(serial: number, time?: number): SerialGap[] {
    if (this.next === undefined) {
      this.next = serial + 1;
      this.lastTime = time;
      return [];
    }
    if (serial < this.next) return this.tick();
    if (serial === this.next) {
      this.next++;
      this.lastTime = time;
      this.drainContiguous();
    } else if (!this.ahead.has(serial)) {
      this.ahead.set(serial, time);
      this.waitingSince ??= this.now();
    }
    if (this.ahead.size === 0) this.waitingSince = undefined;
    return this.tick();
  }

  /** Gaps that have been open longer than the grace time (call when idle too). */
  tick(): SerialGap[] {
    if (this.waitingSince === undefined || this.next === undefined) return [];
    if (this.now() - this.waitingSince < this.graceMs && this.ahead.size < MAX_PENDING) return [];
    return this.declareAll();
  }

  /** Every gap below the highest serial seen, at once (at shutdown, or when switching sources). */
  declareAll(): SerialGap[] {
    const gaps: SerialGap[] = [];
    while (this.ahead.size > 0 && this.next !== undefined) {
      let min = Infinity;
      for (const k of this.ahead.keys()) if (k < min) min = k;
      const gap: SerialGap = { first: this.next, last: min - 1, count: min - this.next };
      if (this.lastTime !== undefined) gap.from = new Date(this.lastTime).toISOString();
      const to = this.ahead.get(min);
      if (to !== undefined) gap.to = new Date(to).toISOString();
      gaps.push(gap);
      this.lostTotal += gap.count;
      this.next = min;
      this.drainContiguous();
    }
    this.waitingSince = undefined;
    return gaps;
  }

  private drainContiguous(): void {
    while (this.next !== undefined && this.ahead.has(this.next)) {
      this.lastTime = this.ahead.get(this.next) ?? this.lastTime;
      this.ahead.delete(this.next);
      this.next++;
    }
  }
}

export const describeGap = (g: SerialGap): string =>
  `audit serial${g.count === 1 ? ` ${g.first} never arrived` : `s ${g.first}..${g.last} (${g.count} events) never arrived`}${g.from || g.to ? ` (between ${g.from ?? '?'} and ${g.to ?? '?'})` : ''}`;
