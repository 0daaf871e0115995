// `--source auto|netlink|auditd|kmsg|journald|FILE|-` -> a Source, and the parser format it implies.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { LogFormat } from '../../parsers/index.js';
import { FileSource } from './sources/file.js';
import { JournaldSource } from './sources/journald.js';
import { AuditListener, inInitialNetns } from '../native/audit-netlink.js';
import { KmsgSource } from './sources/kmsg.js';
import { NetlinkSource } from './sources/netlink.js';
import type { Source } from './sources/source.js';
import { StdinSource } from './sources/stdin.js';

export interface Chosen {
  source: Source;
  format?: LogFormat;
  why: string;
  /**
   * This kernel's records, live, through a channel that does not carry the kernel's own loss
   * notices: the watcher polls the kernel's audit lost counter beside it (kernel-lost.ts). kmsg
   * carries them (`audit: audit_lost=N`); another file or stdin may be another machine's.
   */
  pollKernelLost?: boolean;
}

/** auditd.conf's log_file, else its default. */
export function auditdLogFile(conf = '/etc/audit/auditd.conf'): string {
  try {
    const m = /^\s*log_file\s*=\s*(\S+)\s*$/m.exec(readFileSync(conf, 'utf8'));
    if (m) return m[1]!;
  } catch { /* no auditd config: the default */ }
  return '/var/log/audit/audit.log';
}

/** auditd's pid, when the pid in its pid file is alive and is auditd (not a stale file). */
export function auditdPid(pidFile = '/run/auditd.pid'): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'auditd' ? pid : undefined;
  } catch {
    return undefined;
  }
}

export const auditdRunning = (pidFile = '/run/auditd.pid'): boolean => auditdPid(pidFile) !== undefined;

/** The socket outlives journald (and exists in containers without it): look for the process. */
export function journaldRunning(): boolean {
  if (!existsSync('/run/systemd/journal/socket')) return false;
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (readFileSync(`/proc/${p}/comm`, 'utf8').startsWith('systemd-journal')) return true;
    } catch { /* exited meanwhile */ }
  }
  return false;
}

/** Why this process cannot listen on the audit multicast group, or undefined when it can. */
export function netlinkUnavailable(): string | undefined {
  if (!inInitialNetns()) return 'not in the initial network namespace (the kernel multicasts audit records there only)';
  try {
    new AuditListener(() => {}).close();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

export interface ChooseOptions {
  /** Receive buffer for the netlink socket, bytes. */
  netlinkRcvbuf?: number;
}

export function chooseSource(spec: string, o: ChooseOptions = {}): Chosen {
  switch (spec) {
    case 'auto': {
      // The multicast group gets every record whether or not auditd runs, unlimited by printk.
      const why = netlinkUnavailable();
      if (!why) return { ...chooseSource('netlink', o), why: 'the audit multicast group is available (every record, with or without auditd)' };
      if (auditdRunning()) return { ...chooseSource('auditd'), why: `auditd is running (netlink: ${why})` };
      if (journaldRunning()) return { ...chooseSource('journald'), why: `auditd is not running; journald is (netlink: ${why})` };
      return { ...chooseSource('kmsg'), why: `neither auditd nor journald runs: the kernel prints audit records to its ring buffer (rate-limited; netlink: ${why})` };
    }
    case 'netlink':
      // No format: the socket's records are kernel text, the restart catch-up's are audit.log lines.
      return { source: new NetlinkSource({ ...(o.netlinkRcvbuf ? { rcvbuf: o.netlinkRcvbuf } : {}), auditLog: () => (auditdRunning() ? auditdLogFile() : undefined) }), why: 'asked for', pollKernelLost: true };
    case 'auditd':
      return { source: new FileSource(auditdLogFile()), format: 'auditd', why: 'asked for', pollKernelLost: true };
    case 'kmsg':
      return { source: new KmsgSource(), format: 'kmsg', why: 'asked for' };
    case 'journald':
      return { source: new JournaldSource(), format: 'journald-json', why: 'asked for', pollKernelLost: true };
    case '-':
      return { source: new StdinSource(), why: 'asked for' };
    default:
      // Any other file: the format is detected per line (audit.log, kern.log, a dmesg dump...).
      return { source: new FileSource(spec), why: 'asked for' };
  }
}
