// The contract between the parsers and everything downstream (DESIGN.md "Event").
// Pure data: no I/O here or anywhere under parsers/.

/** libseccomp's arch names: x86_64, x86, x32, aarch64, arm, mips, ppc64le, s390x, riscv64, ... */
export type ArchName = string;

export type SeccompAction =
  | 'kill_process' | 'kill_thread' | 'trap' | 'errno' | 'user_notif' | 'trace' | 'log' | 'allow';

/** One SECCOMP audit record (type=1326), as `seccomp-tailor events --json` prints it. */
export interface SeccompEvent {
  /** ISO 8601 with milliseconds, UTC, from the audit(EPOCH.MS:SERIAL) stamp. */
  time: string;
  /** The audit serial; absent when the line carries none (journald's short audit lines). */
  serial?: number;
  /** auditd's `node=` prefix, when present. */
  node?: string;
  pid: number;
  uid?: number;
  auid?: number;
  /** Decoded; hostile (chosen by the process): escape before printing to a terminal. */
  comm: string;
  /** The exact bytes of a hex-encoded comm (kernel's uppercase hex) when they are not valid UTF-8 and `comm` has U+FFFD. */
  commHex?: string;
  exe?: string;
  /** Same for exe. */
  exeHex?: string;
  arch: ArchName;
  syscall: number;
  /** Resolved with the arch's own table; undefined when the number is unknown for that arch. */
  syscallName?: string;
  compat: boolean;
  action: SeccompAction;
  /** Low 16 bits of `code` when the action is errno. */
  errno?: number;
  sig?: number;
  ip?: string;
  /** The record's original `code=0x...` hex string. */
  code: string;
  /** Filled by the watcher's mapper, never by a parser. */
  container?: string;
}

/** Why a line could not become an event (counted, never thrown). */
export type ParseIssueKind = 'truncated' | 'malformed' | 'binary' | 'oversize' | 'unknown-arch' | 'bad-field'
  /** A line shaped like a kernel record that user space wrote (a /dev/kmsg write, a syslog line). */
  | 'untrusted';

export interface ParseIssue {
  kind: ParseIssueKind;
  detail: string;
}

/**
 * Records the kernel, auditd or the reader dropped: `callbacks suppressed`, `audit_lost=N` (from
 * the log text), or what a source itself knows it missed (serials that never arrived, a netlink
 * receive buffer that overflowed, the time the watcher was down with no log to catch up from).
 */
export interface LossNotice {
  source: 'kmsg-ratelimit' | 'audit-lost' | 'auditd-backlog' | 'serial-gap' | 'kmsg-overrun' | 'file-rotated-away' | 'netlink-overflow' | 'netlink-drops' | 'restart-gap';
  count: number;
  detail: string;
  /** The time span the loss falls in, when the reader knows it (ISO 8601). */
  from?: string;
  to?: string;
}

export type ParseResult =
  /** `via: 'syslog'`: read from a syslog line, which any local user can write with logger(1). */
  | { kind: 'event'; event: SeccompEvent; via?: 'syslog' }
  | { kind: 'issue'; issue: ParseIssue }
  | { kind: 'loss'; loss: LossNotice }
  /** A line that is not a SECCOMP record at all (most lines of a log): not an issue. */
  | { kind: 'other' };

/**
 * What to make of SECCOMP records in syslog lines and dmesg output (text syslog(2) handed out).
 * `accept`: parse them (marked `via: 'syslog'`); `kernel-facility`: only lines whose `<PRI>` says
 * facility kern (0) — logger(1) cannot send that — and syslog formats that carry no PRI (a dmesg
 * line needs its PRI). Kern is still no proof: syslog(2) splits a container's AUDIT_USER message
 * (CAP_AUDIT_WRITE) at its newlines into kern lines. `refuse`: none (an `untrusted` issue each).
 */
export type SyslogTrust = 'accept' | 'kernel-facility' | 'refuse';

/** The syscall table lookup the caller injects (the native addon in src/, a table in tests). */
export type SyscallResolver = (arch: ArchName, nr: number) => string | undefined;
