// seccomp return value -> action. The kernel logs `code=` as the filter's return value; since
// Linux 4.14 it is masked to the action (SECCOMP_RET_ACTION_FULL), older kernels logged the data
// bits too (e.g. the errno of SCMP_ACT_ERRNO).
import type { SeccompAction } from './types.js';

// Keyed by the action's upper 16 bits (SECCOMP_RET_ACTION_FULL >> 16): small integers hash fast.
const ACTIONS: ReadonlyMap<number, SeccompAction> = new Map([
  [0x0000, 'kill_thread'],
  [0x8000, 'kill_process'],
  [0x0003, 'trap'],
  [0x0005, 'errno'],
  [0x7fc0, 'user_notif'],
  [0x7ff0, 'trace'],
  [0x7ffc, 'log'],
  [0x7fff, 'allow'],
]);

const MAX_ERRNO = 4095;

export interface DecodedCode {
  action: SeccompAction;
  /** Present only when the low 16 bits carry one (pre-4.14 kernels). */
  errno?: number;
}

/**
 * Decode a `code=` value. Returns undefined for values no kernel writes: an unknown action, or data
 * bits on an action that has none. That rule also rejects every prefix of a valid code (a record
 * cut mid-`code=0x7ffc0000` reads as `0x7ffc`, i.e. kill_thread with data), so a truncated line
 * can never become a wrong event.
 */
export function decodeCode(code: number): DecodedCode | undefined {
  const action = ACTIONS.get(code >>> 16);
  if (action === undefined) return undefined;
  const data = code & 0xffff;
  if (data === 0) return { action };
  if (action === 'errno') return data <= MAX_ERRNO ? { action, errno: data } : undefined;
  if (action === 'trap' || action === 'trace') return { action };
  return undefined;
}
