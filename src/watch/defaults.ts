// The watcher's tuning defaults, in a module of their own so that the CLI's help can print them
// without loading the watcher.

/** The default of --flush-ms: p99 record -> proposal on disk about 25 ms (bench watch-latency). */
export const DEFAULT_FLUSH_INTERVAL_MS = 25;

/**
 * The audit netlink socket's receive buffer unless --netlink-rcvbuf says otherwise. The system
 * default (net.core.rmem_default, 208 KiB here) holds about 150 records: a burst of denials during
 * a flood of other audit traffic (BPF loads at a node's start-up, say) overflows it while the
 * watcher writes a proposal. 8 MiB holds tens of thousands; it is a limit, not an allocation —
 * the kernel charges only what is queued.
 */
export const DEFAULT_NETLINK_RCVBUF = 8 << 20;
