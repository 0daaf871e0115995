// The audit netlink multicast group: every audit record, straight from the kernel, before auditd
// or printk see it — so neither printk's rate limit nor auditd's configuration or log rotation
// matters. The payload is the record text `audit(EPOCH.MS:SERIAL): ...` with the type in the
// netlink header; `audit: type=1326 ` + payload is byte for byte what the kernel prints to kmsg,
// so the same pure parser (parsers/formats/kernel.ts) reads it.
//
// Loss is counted, never silent: a full receive buffer drops messages (sk_drops, the Drops column
// of /proc/net/netlink) and fails the next recv once with ENOBUFS; serials that never arrive are
// gaps. Multicast has no replay, so a restart has a hole: while auditd writes audit.log the hole
// is read from the file (from the checkpoint's serial up to the first serial the new socket got),
// otherwise it is reported as a loss window with its start and end.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { findAuditStamp } from '../../../parsers/index.js';
import { AuditListener } from '../../native/audit-netlink.js';
import { describeGap, SerialGaps, type SerialGap } from '../serial-gaps.js';
import type { Checkpoint, NetlinkCheckpoint } from '../state-store.js';
import { DEFAULT_NETLINK_RCVBUF } from '../defaults.js';
import { readLines } from '../line-source.js';
import { readBootId } from './kmsg.js';
import { sleep, type RunOptions, type Source, type SourceSink } from './source.js';

const AUDIT_SECCOMP = 1326;
/** How often the socket's drop counter is read besides every ENOBUFS. */
const DROP_CHECK_MS = 1000;
/** Records buffered while the restart's catch-up reads the file; beyond it the socket is paused. */
const CATCH_UP_BUFFER = 1_000_000;
/** How long the catch-up waits for auditd to write the records from before the socket was bound. */
const CATCH_UP_SETTLE_MS = 3000;

export interface NetlinkSourceOptions {
  /** Receive buffer in bytes (SO_RCVBUFFORCE as root); default DEFAULT_NETLINK_RCVBUF. */
  rcvbuf?: number;
  /** auditd's log file when auditd runs (restart catch-up), else undefined. */
  auditLog?: () => string | undefined;
  bootId?: string;
  gapGraceMs?: number;
}

export class NetlinkSource implements Source {
  readonly key = 'netlink';
  readonly description = 'audit netlink multicast (NETLINK_AUDIT, AUDIT_NLGRP_READLOG)';
  private readonly bootId: string;
  /** Counters for tests, benchmarks and the stop log line. */
  readonly stats = { records: 0, seccomp: 0, overflows: 0, drops: 0, fromFile: 0, batches: 0 };

  constructor(private readonly o: NetlinkSourceOptions = {}) {
    this.bootId = o.bootId ?? readBootId();
  }

  async run(sink: SourceSink, resume: Checkpoint | undefined, opts: RunOptions): Promise<void> {
    const prev = resume?.kind === 'netlink' ? resume : undefined;
    const gaps = new SerialGaps(this.o.gapGraceMs ?? 2000);
    /** SECCOMP serials handled above gaps.contiguousThrough (the checkpoint's handledAbove). */
    let handledAbove = new Set<number>(prev && prev.bootId === this.bootId ? prev.handledAbove : []);
    /** SECCOMP serials the catch-up took from the file: the socket's copies are skipped. */
    const fromFile = new Set<number>();
    const reportGaps = (list: SerialGap[]) => {
      for (const g of list) sink.loss('serial-gap', g.count, `${describeGap(g)} on the audit netlink socket`, window(g.from, g.to));
    };

    let buffered: Array<[number, string]> | undefined = prev ? [] : undefined;
    let lastDrops = 0;
    let listener: AuditListener | undefined;
    const checkDrops = (overflows: number) => {
      const d = listener?.drops();
      if (d === undefined || d <= lastDrops) {
        if (overflows > 0) sink.loss('netlink-overflow', 0, 'the audit netlink receive buffer overflowed (ENOBUFS); the drop counter did not say how many');
        return;
      }
      const n = d - lastDrops;
      lastDrops = d;
      this.stats.drops += n;
      sink.loss(overflows > 0 ? 'netlink-overflow' : 'netlink-drops', n, `the kernel dropped ${n} audit records for this socket: its receive buffer (${listener!.info.rcvbuf} bytes) was full; raise --netlink-rcvbuf`, window(undefined, new Date().toISOString()));
    };

    const handle = (type: number, text: string): void => {
      this.stats.records++;
      // The payload starts with the stamp: `audit(1796155754.548:9512): ...`.
      const stamp = findAuditStamp(text);
      if (stamp && stamp.serial > 0) reportGaps(gaps.observe(stamp.serial, stamp.sec * 1000 + stamp.ms));
      if (type !== AUDIT_SECCOMP) return;
      const serial = stamp?.serial;
      if (serial !== undefined && (fromFile.has(serial) || handledAbove.has(serial))) return;
      this.stats.seccomp++;
      sink.line('audit: type=1326 ' + text, true);
      if (serial !== undefined) handledAbove.add(serial);
    };
    const saveCheckpoint = () => {
      const through = gaps.contiguousThrough;
      if (through === undefined) return;
      const above = [...handledAbove].filter((s) => s > through);
      if (above.length !== handledAbove.size) handledAbove = new Set(above);
      const t = gaps.contiguousTime;
      sink.checkpoint({ kind: 'netlink', bootId: this.bootId, serial: through, ...(t !== undefined ? { time: new Date(t).toISOString() } : {}), handledAbove: above });
    };

    let failure: Error | undefined;
    let wake: (() => void) | undefined;
    listener = new AuditListener((types, texts, overflows, error) => {
      this.stats.batches++;
      if (overflows) {
        this.stats.overflows += overflows;
        checkDrops(overflows);
      }
      if (buffered) {
        for (let i = 0; i < types.length; i++) buffered.push([types[i]!, texts[i]!]);
        // The catch-up is taking long: let the kernel hold the rest (it counts what it drops).
        if (buffered.length > CATCH_UP_BUFFER) listener?.pause();
      } else {
        for (let i = 0; i < types.length; i++) handle(types[i]!, texts[i]!);
        if (types.length) saveCheckpoint();
      }
      if (error) {
        failure = error;
        wake?.();
      }
    }, { rcvbuf: this.o.rcvbuf ?? DEFAULT_NETLINK_RCVBUF });
    lastDrops = listener.drops() ?? 0;
    sink.note?.('info', 'audit netlink socket bound', { rcvbuf: listener.info.rcvbuf, portid: listener.info.portid });
    try {
      listener.resume();
      if (prev) {
        await this.catchUp(prev, sink, gaps, fromFile, () => buffered ?? [], opts.signal);
        const pending = buffered ?? [];
        buffered = undefined;
        for (const [t, x] of pending) handle(t, x);
        saveCheckpoint();
        listener.resume();
      }
      const timer = setInterval(() => {
        checkDrops(0);
        reportGaps(gaps.tick());
        saveCheckpoint();
      }, DROP_CHECK_MS);
      try {
        if (opts.once) {
          listener.drain();
          return;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          if (opts.signal.aborted) resolve();
          opts.signal.addEventListener('abort', () => resolve(), { once: true });
        });
        if (failure) throw failure;
      } finally {
        clearInterval(timer);
      }
      // What the kernel queued before the stop is still ours.
      listener.drain();
      checkDrops(0);
      saveCheckpoint();
    } finally {
      listener.close();
    }
  }

  /**
   * The hole since the last run. The socket is already bound and buffering, so everything from its
   * first serial on is in `buffered()`; what came before is read from auditd's log, if auditd runs.
   */
  private async catchUp(prev: NetlinkCheckpoint, sink: SourceSink, gaps: SerialGaps, fromFile: Set<number>, buffered: () => ReadonlyArray<[number, string]>, signal: AbortSignal): Promise<void> {
    const since = prev.time;
    if (prev.bootId !== this.bootId) {
      sink.loss('restart-gap', 0, `the watcher was down across a reboot (last record ${since ?? 'unknown'}): multicast has no replay, records from then until now were not seen`, window(since, new Date().toISOString()));
      return;
    }
    const already = new Set(prev.handledAbove);
    gaps.resumeAfter(prev.serial, since ? Date.parse(since) : undefined);
    const file = this.o.auditLog?.();
    const firstNetlink = (): number | undefined => {
      let min: number | undefined;
      for (const [, text] of buffered()) {
        const s = findAuditStamp(text)?.serial;
        if (s !== undefined && s > 0 && (min === undefined || s < min)) min = s;
      }
      return min;
    };
    if (!file || !existsSync(file)) {
      // Wait for the socket's first record (our own bind is audited) to date the hole's end.
      const end = Date.now() + CATCH_UP_SETTLE_MS;
      while (firstNetlink() === undefined && Date.now() < end && !signal.aborted) await sleep(20, signal);
      const first = firstNetlink();
      const missing = first !== undefined ? first - prev.serial - 1 : 0;
      if (first === undefined || missing > 0) {
        sink.loss('restart-gap', Math.max(0, missing), `the watcher was down and auditd does not run: multicast has no replay, audit events ${prev.serial + 1}..${first !== undefined ? first - 1 : '?'} were not seen`, window(since, new Date().toISOString()));
      }
      if (first !== undefined) gaps.resumeAfter(first - 1);
      return;
    }
    // auditd may have rotated its log while the watcher was down: the files rotated away since the
    // checkpoint first (oldest first, each read whole), then audit.log from its start and again
    // from where we stopped until it holds the socket's first serial: auditd writes in serial
    // order, so then every earlier record is in the files.
    let maxSerial = prev.serial;
    const take = (line: string) => {
      const st = findAuditStamp(line);
      if (!st || st.serial <= prev.serial) return;
      if (st.serial > maxSerial) maxSerial = st.serial;
      gaps.observe(st.serial, st.sec * 1000 + st.ms);
      if (!line.includes('type=SECCOMP') || already.has(st.serial) || fromFile.has(st.serial)) return;
      fromFile.add(st.serial);
      this.stats.fromFile++;
      sink.line(line, true);
    };
    const lines = { line: take, oversize: (n: number) => sink.oversize(n) };
    const rotated = rotatedSince(file, since ? Date.parse(since) : 0);
    for (const old of rotated) {
      // Nobody writes to a rotated file: read once, whole.
      try { await readLines(old, lines, { signal }); } catch { /* rotated away again meanwhile: its serials show as gaps */ }
    }
    let offset = 0;
    const readFrom = async (): Promise<void> => {
      const size = statSync(file).size;
      if (size <= offset) return;
      // Only whole lines: a partial last line is read again next time.
      offset = await readLines(file, lines, { start: offset, end: size - 1, complete: false });
    };
    const end = Date.now() + CATCH_UP_SETTLE_MS;
    for (;;) {
      await readFrom();
      const first = firstNetlink();
      if ((first !== undefined && maxSerial >= first - 1) || Date.now() > end || signal.aborted) break;
      await sleep(50, signal);
    }
    sink.note?.('info', 'caught up from auditd\'s log after the restart', { file, rotated, fromSerial: prev.serial + 1, throughSerial: maxSerial, seccompRecords: fromFile.size });
  }
}

/**
 * auditd's rotated logs (`audit.log.1` newest, `.2` older, ...) written to since `sinceMs`, oldest
 * first: the ones that may hold records after the checkpoint.
 */
export function rotatedSince(file: string, sinceMs: number): string[] {
  const dir = dirname(file);
  const base = basename(file);
  let names: string[];
  try { names = readdirSync(dir); } catch { return []; }
  const found: Array<{ n: number; path: string }> = [];
  for (const name of names) {
    const m = name.startsWith(`${base}.`) ? /^(\d+)$/.exec(name.slice(base.length + 1)) : null;
    if (!m) continue;
    const path = join(dir, name);
    try {
      const st = statSync(path);
      // A second of slack: mtime and audit time stamps come from different clocks' roundings.
      if (st.isFile() && st.mtimeMs >= sinceMs - 1000) found.push({ n: Number(m[1]), path });
    } catch { /* gone */ }
  }
  return found.sort((a, b) => b.n - a.n).map((f) => f.path);
}

function window(from: string | undefined, to: string | undefined): { from?: string; to?: string } {
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
}
