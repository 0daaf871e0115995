// What de-duplication remembers: the last `window` events with a serial, in a ring, found by
// serial through an open-addressing table of ring positions. Typed arrays instead of a Map of
// objects: one event costs a few array writes and no garbage, at a million records a second.
import { isoTime } from './fields.js';

export class RecentEvents {
  private readonly serials: Float64Array;
  private readonly pids: Float64Array;
  private readonly syscalls: Float64Array;
  /** sec * 1000 + ms where the reader had the numbers (the byte reader), else NaN and `times` holds the text. */
  private readonly timeNums: Float64Array;
  private readonly times: Array<string | undefined>;
  private readonly nodes: Array<string | undefined>;
  private readonly used: Uint8Array;
  /** Ring position + 1 per slot; 0 is empty. Linear probing, at most half full. */
  private readonly table: Int32Array;
  private readonly mask: number;
  private readonly shift: number;
  private next = 0;

  constructor(private readonly window: number) {
    let bits = 4;
    while (1 << bits < 2 * window) bits++;
    this.table = new Int32Array(1 << bits);
    this.mask = (1 << bits) - 1;
    this.shift = 32 - bits;
    this.serials = new Float64Array(window);
    this.pids = new Float64Array(window);
    this.syscalls = new Float64Array(window);
    this.timeNums = new Float64Array(window);
    this.times = new Array<string | undefined>(window).fill(undefined);
    this.nodes = new Array<string | undefined>(window).fill(undefined);
    this.used = new Uint8Array(window);
  }

  private home(serial: number): number {
    return Math.imul((serial >>> 0) ^ ((serial / 4294967296) >>> 0), 0x9e3779b1) >>> this.shift;
  }

  /**
   * True when an event with these fields is among the last `window` remembered; otherwise it is
   * remembered (the oldest forgotten). `timeNum` (sec * 1000 + ms) or `time` (ISO text) says when.
   */
  seen(serial: number, timeNum: number, time: string | undefined, node: string | undefined, pid: number, syscall: number): boolean {
    const mask = this.mask;
    for (let i = this.home(serial); ; i = (i + 1) & mask) {
      const v = this.table[i]!;
      if (v === 0) break;
      const r = v - 1;
      if (this.serials[r] === serial && this.pids[r] === pid && this.syscalls[r] === syscall && this.nodes[r] === node && this.sameTime(r, timeNum, time)) return true;
    }
    const r = this.next;
    if (this.used[r] === 1) this.remove(r);
    this.serials[r] = serial;
    this.pids[r] = pid;
    this.syscalls[r] = syscall;
    this.timeNums[r] = timeNum;
    this.times[r] = time;
    this.nodes[r] = node;
    this.used[r] = 1;
    let i = this.home(serial);
    while (this.table[i] !== 0) i = (i + 1) & mask;
    this.table[i] = r + 1;
    this.next = r + 1 === this.window ? 0 : r + 1;
    return false;
  }

  private sameTime(r: number, timeNum: number, time: string | undefined): boolean {
    const n = this.timeNums[r]!;
    // isoTime is one-to-one on (sec, ms), so the numbers compare as the texts would.
    if (!Number.isNaN(n) && !Number.isNaN(timeNum)) return n === timeNum;
    return (this.times[r] ?? isoOf(n)) === (time ?? isoOf(timeNum));
  }

  /** Take ring position r out of the table, shifting later entries of its probe run back. */
  private remove(r: number): void {
    const mask = this.mask;
    let i = this.home(this.serials[r]!);
    while (this.table[i] !== r + 1) i = (i + 1) & mask;
    for (let j = (i + 1) & mask; this.table[j] !== 0; j = (j + 1) & mask) {
      const k = this.home(this.serials[this.table[j]! - 1]!);
      // The entry at j may move to i unless its home lies cyclically within (i, j].
      const stays = i <= j ? i < k && k <= j : i < k || k <= j;
      if (!stays) {
        this.table[i] = this.table[j]!;
        i = j;
      }
    }
    this.table[i] = 0;
    this.times[r] = undefined;
    this.nodes[r] = undefined;
  }
}

function isoOf(timeNum: number): string {
  const ms = timeNum % 1000;
  return isoTime((timeNum - ms) / 1000, ms);
}
