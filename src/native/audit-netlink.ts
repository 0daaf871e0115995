// Typed face of native/audit-netlink-napi: the audit multicast socket. The addon hands over raw
// (type, text) batches; this wrapper adds the socket's drop counter from /proc/net/netlink.
import { readFileSync, readlinkSync } from 'node:fs';
import { loadAddon } from './load-addon.js';

export interface AuditListenerInfo {
  /** The socket's inode: its row in /proc/net/netlink. */
  inode: number;
  portid: number;
  /** What the kernel granted (it doubles the request for bookkeeping; rmem_max caps it without CAP_NET_ADMIN). */
  rcvbuf: number;
}

/** `types[i]` is the record type of `texts[i]` ("audit(EPOCH.MS:SERIAL): ..." as latin1 bytes). */
export type BatchHandler = (types: Uint32Array, texts: string[], overflows: number, error?: Error) => void;

interface NativeListener {
  pause(): void;
  resume(): void;
  drain(): number;
  info(): AuditListenerInfo;
  close(): void;
}
interface AuditNetlinkAddon {
  AuditListener: new (o: { rcvbuf?: number; maxBatch?: number; group?: number }, cb: BatchHandler) => NativeListener;
  auditStatus(): KernelAuditStatus;
}

/** The kernel's audit status (AUDIT_GET), the fields this project reads. */
export interface KernelAuditStatus {
  enabled: number;
  failure: number;
  /** auditd's pid, 0 when none is registered. */
  pid: number;
  rateLimit: number;
  backlogLimit: number;
  /** Records the kernel dropped since boot (backlog full, rate limit, no memory): they got no serial. */
  lost: number;
  backlog: number;
}

/**
 * The kernel's audit status, read synchronously (one netlink round trip, at most a second).
 * Throws a SystemError: EPERM without CAP_AUDIT_CONTROL in the initial user namespace.
 */
export function kernelAuditStatus(): KernelAuditStatus {
  return loadAddon<AuditNetlinkAddon>('audit-netlink-napi').auditStatus();
}

export interface AuditListenerOptions {
  /** Receive buffer in bytes (SO_RCVBUFFORCE as root); default: the system's (net.core.rmem_default). */
  rcvbuf?: number;
  /** Records per callback at most (the rest waits for the next turn of the event loop). */
  maxBatch?: number;
}

/** The audit multicast group, AUDIT_NLGRP_READLOG (include/uapi/linux/audit.h). */
export const AUDIT_NLGRP_READLOG = 1;
/** Netlink protocol number of NETLINK_AUDIT (the Eth column of /proc/net/netlink). */
const NETLINK_AUDIT = 9;

export class AuditListener {
  private readonly native: NativeListener;
  readonly info: AuditListenerInfo;

  /** Binds now (throws EPERM without CAP_AUDIT_READ); delivers nothing before resume(). */
  constructor(onBatch: BatchHandler, o: AuditListenerOptions = {}) {
    const addon = loadAddon<AuditNetlinkAddon>('audit-netlink-napi');
    this.native = new addon.AuditListener({ group: AUDIT_NLGRP_READLOG, ...(o.rcvbuf ? { rcvbuf: o.rcvbuf } : {}), ...(o.maxBatch ? { maxBatch: o.maxBatch } : {}) }, onBatch);
    this.info = this.native.info();
  }

  pause(): void { this.native.pause(); }
  resume(): void { this.native.resume(); }
  /** Reads what is queued now, synchronously; returns the records delivered. */
  drain(): number { return this.native.drain(); }
  close(): void { this.native.close(); }

  /** Messages the kernel dropped for this socket so far (sk_drops), or undefined if its row is gone. */
  drops(): number | undefined {
    return netlinkDrops(this.info.inode);
  }
}

/** The Drops column of /proc/net/netlink for the NETLINK_AUDIT socket with this inode. */
export function netlinkDrops(inode: number, table = readFileSync('/proc/net/netlink', 'utf8')): number | undefined {
  // sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode
  for (const line of table.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 10 && Number(f[1]) === NETLINK_AUDIT && Number(f[9]) === inode) return Number(f[8]);
  }
  return undefined;
}

/** The initial network namespace's fixed inode on Linux 6.x (PROC_NET_INIT_INO, include/linux/proc_ns.h). */
const PROC_NET_INIT_INO = 0xeffffff9;

/**
 * The kernel multicasts audit records from the initial network namespace only: a listener bound in
 * another one gets nothing, silently. Newer kernels give that namespace a fixed inode; on older
 * ones it is compared with pid 1's (when readable: not inside some sandboxes, then assumed true).
 */
export function inInitialNetns(): boolean {
  let self: string;
  try {
    self = readlinkSync('/proc/self/ns/net');
  } catch {
    return false;
  }
  if (self === `net:[${PROC_NET_INIT_INO}]`) return true;
  try {
    return self === readlinkSync('/proc/1/ns/net');
  } catch {
    return true;
  }
}
