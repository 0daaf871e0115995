// The kernel's own count of audit records it dropped (audit_lost: backlog queue full past
// backlog_wait_time, the rate limit, no memory), read with AUDIT_GET every second. Records dropped
// in the backlog never got a serial and reach no listener, so no source can see them as a gap:
// this counter is the only trace. Its rise becomes a loss notice ('audit-lost', the same counter
// the kernel prints as `audit: audit_lost=N` to kmsg), so the proposals watched meanwhile are
// marked incomplete; the value is checkpointed, so a rise while the watcher was down is reported
// at its next start. Which records were lost is unknown: any type, SECCOMP or not.
import { kernelAuditStatus, type KernelAuditStatus } from '../native/audit-netlink.js';
import { readBootId } from './sources/kmsg.js';
import type { Checkpoint, KernelLostCheckpoint } from './state-store.js';

/** Its key among the state's checkpoints (beside the source's). */
export const KERNEL_LOST_KEY = 'kernel-lost';

export function kernelLostCheckpoint(cp: Checkpoint | undefined): KernelLostCheckpoint | undefined {
  return cp?.kind === 'kernel-lost' ? cp : undefined;
}

export interface KernelLostOptions {
  /** Default: AUDIT_GET (kernelAuditStatus). */
  read?: () => KernelAuditStatus;
  /** Default: this boot's id. */
  bootId?: string;
  /** The last run's checkpoint. */
  resume: KernelLostCheckpoint | undefined;
  loss(count: number, detail: string, window: { from?: string; to?: string }): void;
  checkpoint(cp: KernelLostCheckpoint): void;
  note(level: 'info' | 'warn', msg: string, fields?: object): void;
  everyMs?: number;
  now?: () => Date;
}

const ADVICE = 'which records is unknown (any type, SECCOMP included); raise the backlog (auditctl -b) or the rate limit (auditctl -r)';

/** Starts the poll; returns its stop. A kernel that refuses AUDIT_GET is said once, then left alone. */
export function watchKernelLost(o: KernelLostOptions): () => void {
  const now = o.now ?? (() => new Date());
  const read = o.read ?? kernelAuditStatus;
  const bootId = o.bootId ?? readBootId();
  let last: number;
  try {
    last = read().lost;
  } catch (e) {
    o.note('warn', 'cannot read the kernel\'s audit lost counter (AUDIT_GET needs CAP_AUDIT_CONTROL): records the kernel drops before any listener gets them would go unseen', { err: (e as Error).message });
    return () => {};
  }
  const save = () => o.checkpoint({ kind: 'kernel-lost', bootId, lost: last, time: now().toISOString() });
  const prev = o.resume?.bootId === bootId ? o.resume : undefined;
  if (prev && last > prev.lost) {
    o.loss(last - prev.lost, `the kernel dropped ${last - prev.lost} audit records while the watcher was down (its lost counter went from ${prev.lost} to ${last}); ${ADVICE}`, { from: prev.time, to: now().toISOString() });
  }
  o.note('info', 'kernel audit lost counter', { lost: last, sinceBoot: true });
  save();
  const tick = () => {
    let s: KernelAuditStatus;
    try {
      s = read();
    } catch {
      return; // a failed poll is retried at the next tick; the counter keeps the rise
    }
    if (s.lost > last) {
      const n = s.lost - last;
      o.loss(n, `the kernel dropped ${n} audit records before any listener got them (its lost counter, now ${s.lost}; backlog limit ${s.backlogLimit}, rate limit ${s.rateLimit || 'none'}): they have no serial; ${ADVICE}`, { to: now().toISOString() });
    } else if (s.lost < last) {
      o.note('info', 'the kernel\'s audit lost counter was reset (auditctl --reset-lost)', { was: last, now: s.lost });
    } else {
      return;
    }
    last = s.lost;
    save();
  };
  const timer = setInterval(tick, o.everyMs ?? 1000);
  timer.unref();
  return () => { clearInterval(timer); tick(); };
}
