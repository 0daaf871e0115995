// /dev/kmsg: the kernel ring buffer, where audit records go when no auditd is listening
// (`audit: type=1326 ...`). Every read() returns exactly one record: `PRI,SEQ,TS,FLAGS;text\n`
// followed by ` KEY=value` continuation lines. Sequence numbers are per boot, so the checkpoint
// is (boot id, seq). https://www.kernel.org/doc/Documentation/ABI/testing/dev-kmsg
//
// Without auditd, kauditd prints records through printk_ratelimit(): by default 10 lines per 5 s,
// one budget for every printk_ratelimit() caller in the kernel (kernel.printk_ratelimit and
// kernel.printk_ratelimit_burst; 0 disables it). What it drops is announced only later, by the
// next line that passes ("kauditd_printk_skb: N callbacks suppressed", a parsed loss notice), so
// the audit serials are watched too: a serial that never arrives is reported within seconds.
import { closeSync, constants, openSync, readFileSync, readSync } from 'node:fs';
import { findAuditStamp } from '../../../parsers/index.js';
import { describeGap, SerialGaps } from '../serial-gaps.js';
import type { Checkpoint, KmsgCheckpoint } from '../state-store.js';
import { sleep, type RunOptions, type Source, type SourceSink } from './source.js';

/** The kernel's limit for one record plus its dictionary is 8 KiB (CONSOLE_EXT_LOG_MAX). */
const RECORD_MAX = 16 * 1024;
/** How long to wait when the buffer is drained: the bound on this source's latency. */
const POLL_MS = 10;

export function kmsgSeq(record: string): number | undefined {
  const a = record.indexOf(',');
  const b = a < 0 ? -1 : record.indexOf(',', a + 1);
  if (b < 0) return undefined;
  const n = Number(record.slice(a + 1, b));
  return Number.isSafeInteger(n) ? n : undefined;
}

export class KmsgSource implements Source {
  readonly key = 'kmsg';
  readonly description: string;
  constructor(private readonly path = '/dev/kmsg', private readonly bootId = readBootId(), private readonly gapGraceMs = 2000) {
    this.description = path;
  }

  async run(sink: SourceSink, resume: Checkpoint | undefined, opts: RunOptions): Promise<void> {
    const rl = printkRatelimit();
    if (rl && rl.interval > 0 && rl.burst > 0) {
      sink.note?.('warn', `the kernel prints audit records to /dev/kmsg only within printk_ratelimit (${rl.burst} lines per ${rl.interval} s, shared with the whole kernel): records beyond it are lost, and reported as lost; --source netlink has no such limit`, { printkRatelimit: rl.interval, printkRatelimitBurst: rl.burst });
    }
    const gaps = new SerialGaps(this.gapGraceMs);
    const reportGaps = (list: ReturnType<SerialGaps['tick']>) => {
      for (const g of list) sink.loss('serial-gap', g.count, `${describeGap(g)} in /dev/kmsg (printk rate limit, or auditd took them)`, { ...(g.from ? { from: g.from } : {}), ...(g.to ? { to: g.to } : {}) });
    };
    // Reads never block: a blocking read would hold a libuv pool thread until the next record.
    const fd = openSync(this.path, constants.O_RDONLY | constants.O_NONBLOCK);
    const buf = Buffer.allocUnsafe(RECORD_MAX);
    const cp = resume?.kind === 'kmsg' && resume.bootId === this.bootId ? resume : undefined;
    // Node cannot lseek(SEEK_END); the reader starts at the oldest record still in the buffer.
    // First start: skip what is there now. Restart: skip up to the checkpoint's sequence number.
    let skipThrough = cp ? cp.seq : Infinity;
    let last: KmsgCheckpoint | undefined = cp;
    let draining = !cp;
    let overrun = false;
    try {
      while (!opts.signal.aborted) {
        let n: number;
        try {
          n = readSync(fd, buf, 0, RECORD_MAX, null);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'EAGAIN') {
            if (draining) {
              draining = false;
              skipThrough = last?.seq ?? -1;
              if (last) sink.checkpoint(last);
              if (opts.once) return;
              continue;
            }
            if (opts.once) return;
            reportGaps(gaps.tick());
            await sleep(POLL_MS, opts.signal);
            continue;
          }
          if (code === 'EPIPE') {
            // The ring buffer overwrote records before we read them; the next read resumes after
            // the gap, whose size the next sequence number tells.
            overrun = true;
            continue;
          }
          throw e;
        }
        if (n <= 0) continue;
        const record = buf.toString('latin1', 0, n);
        const seq = kmsgSeq(record);
        if (seq === undefined) continue;
        if (!draining && last && seq > last.seq + 1 && (overrun || seq > skipThrough)) {
          sink.loss('kmsg-overrun', seq - last.seq - 1, `kmsg records ${last.seq + 1}..${seq - 1} were overwritten before they were read`);
        }
        overrun = false;
        last = { kind: 'kmsg', bootId: this.bootId, seq };
        if (draining || seq <= skipThrough) continue;
        const stamp = record.includes('audit(') ? findAuditStamp(record.slice(record.indexOf(';') + 1)) : undefined;
        if (stamp && stamp.serial > 0) reportGaps(gaps.observe(stamp.serial, stamp.sec * 1000 + stamp.ms));
        let from = 0;
        for (;;) {
          const nl = record.indexOf('\n', from);
          const end = nl < 0 ? record.length : nl;
          if (end > from) sink.line(record.slice(from, end), true);
          if (nl < 0) break;
          from = nl + 1;
        }
        sink.checkpoint(last);
      }
    } finally {
      closeSync(fd);
    }
  }
}

/** kernel.printk_ratelimit (seconds) and kernel.printk_ratelimit_burst (lines), when readable. */
export function printkRatelimit(): { interval: number; burst: number } | undefined {
  try {
    return {
      interval: Number(readFileSync('/proc/sys/kernel/printk_ratelimit', 'utf8').trim()),
      burst: Number(readFileSync('/proc/sys/kernel/printk_ratelimit_burst', 'utf8').trim()),
    };
  } catch {
    return undefined;
  }
}

export function readBootId(): string {
  return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
}
