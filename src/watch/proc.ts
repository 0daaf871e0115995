// What /proc says about a live process, read once per lookup: start time, namespaces, cgroup.
// Every read can race with the process exiting; a vanished process is `undefined`, never an error.
import { readFileSync, readlinkSync } from 'node:fs';
import { startTicksFromStat } from '../proc/stat.js';

export interface ProcIdentity {
  pid: number;
  /** /proc/<pid>/stat field 22: clock ticks after boot (CLOCK_BOOTTIME). */
  startTicks: number;
  /** Inode numbers of the mount and pid namespaces (`mnt:[4026531841]`). */
  mntNs?: number;
  pidNs?: number;
  cgroupText: string;
}

/** USER_HZ: the unit of /proc/<pid>/stat times. 100 on every Linux ABI that Node supports. */
export const CLOCK_TICKS_PER_SECOND = 100;

export function nsInode(link: string): number | undefined {
  const m = /:\[(\d+)\]$/.exec(link);
  return m ? Number(m[1]) : undefined;
}

function tryRead(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
function tryNs(pid: number, ns: string): number | undefined {
  try {
    return nsInode(readlinkSync(`/proc/${pid}/ns/${ns}`));
  } catch {
    return undefined;
  }
}

export function readProcIdentity(pid: number, procRoot = '/proc'): ProcIdentity | undefined {
  const stat = tryRead(`${procRoot}/${pid}/stat`);
  if (stat === undefined) return undefined;
  const startTicks = startTicksFromStat(stat);
  if (startTicks === undefined) return undefined;
  const cgroupText = tryRead(`${procRoot}/${pid}/cgroup`) ?? '';
  const id: ProcIdentity = { pid, startTicks, cgroupText };
  const mnt = tryNs(pid, 'mnt');
  const pidNs = tryNs(pid, 'pid');
  if (mnt !== undefined) id.mntNs = mnt;
  if (pidNs !== undefined) id.pidNs = pidNs;
  // The process may have exited and its pid been reused between the reads: same start time or nothing.
  const again = tryRead(`${procRoot}/${pid}/stat`);
  if (again === undefined || startTicksFromStat(again) !== startTicks) return undefined;
  return id;
}

/**
 * Converts boot-relative times to wall-clock ms. Audit stamps are CLOCK_REALTIME; /proc start times
 * and bpf_ktime_get_boot_ns() are CLOCK_BOOTTIME. The offset between them is re-read now and then
 * because NTP steps the realtime clock.
 */
export class BootClock {
  private offsetMs = 0;
  private readAt = -Infinity;
  constructor(private readonly uptimeText: () => string = () => readFileSync('/proc/uptime', 'utf8')) {}

  private offset(): number {
    const now = Date.now();
    if (now - this.readAt > 10_000) {
      const up = Number(this.uptimeText().split(' ')[0]);
      // /proc/uptime has 10 ms resolution; the comparisons using this allow for it.
      this.offsetMs = Date.now() - up * 1000;
      this.readAt = now;
    }
    return this.offsetMs;
  }
  ticksToWallMs(ticks: number): number {
    return this.offset() + (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
  }
  bootNsToWallMs(ns: bigint): number {
    return this.offset() + Number(ns / 1_000_000n);
  }
}

/** A process that started after the event (beyond clock slack) is not the one that caused it: its pid was reused. */
export const PID_REUSE_SLACK_MS = 50;
export function startedAfter(startWallMs: number, eventWallMs: number): boolean {
  return startWallMs > eventWallMs + PID_REUSE_SLACK_MS;
}
