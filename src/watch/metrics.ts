// Prometheus metrics and /healthz for `watch --metrics ADDR`.
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { badMetricsAddress, metricsListenFailed } from '../errors.js';

/**
 * Container ids become label values, and on a cluster node the ids never stop coming (every pod
 * restart is a new one): each would be a new series in Prometheus forever. The first ones keep
 * their own label; the rest are counted under one.
 */
export const MAX_CONTAINER_LABELS = 500;
export const OVERFLOW_LABEL = 'other';

export class WatchMetrics {
  private readonly containerLabels = new Set<string>(['host', 'unknown']);
  /** The label value for a container id (or host/unknown): itself while fewer than the cap are in use. */
  containerLabel(id: string): string {
    if (this.containerLabels.has(id)) return id;
    if (this.containerLabels.size >= MAX_CONTAINER_LABELS + 2) return OVERFLOW_LABEL;
    this.containerLabels.add(id);
    return id;
  }

  readonly registry = new Registry();
  readonly lines = new Counter({ name: 'seccomp_tailor_watch_lines_total', help: 'Log lines read', registers: [this.registry] });
  readonly events = new Counter({
    name: 'seccomp_tailor_watch_events_total', help: `SECCOMP records by action and container (host, unknown, the container id for the first ${MAX_CONTAINER_LABELS} containers, then ${OVERFLOW_LABEL})`,
    labelNames: ['action', 'container'] as const, registers: [this.registry],
  });
  readonly parseIssues = new Counter({ name: 'seccomp_tailor_watch_parse_issues_total', help: 'Lines that looked like records but could not be parsed', labelNames: ['kind'] as const, registers: [this.registry] });
  readonly lossNotices = new Counter({ name: 'seccomp_tailor_watch_loss_notices_total', help: 'Kernel or auditd notices of lost records', labelNames: ['source'] as const, registers: [this.registry] });
  readonly lostRecords = new Counter({
    name: 'seccomp_tailor_watch_lost_records_total',
    help: 'Records reported lost, by how the loss was seen (kmsg-ratelimit, audit-lost, serial-gap: audit events whose serial never arrived, netlink-overflow, restart-gap, ...); a loss may be seen twice (suppressed lines are serial gaps too)',
    labelNames: ['source'] as const, registers: [this.registry],
  });
  readonly unattributed = new Counter({ name: 'seccomp_tailor_watch_unattributed_total', help: 'Records no proposal holds: of no container with certainty (ambiguous, no-container, pid-reused, no-witness), or of a container with no profile (no-profile, unregistered, host)', labelNames: ['reason'] as const, registers: [this.registry] });
  readonly filterMismatches = new Counter({ name: 'seccomp_tailor_watch_filter_mismatch_total', help: 'Containers whose annotation names a profile file that is not the filter in their bundle (their denials go to the filter they run)', registers: [this.registry] });
  readonly attributions = new Counter({
    name: 'seccomp_tailor_watch_attributions_total',
    help: 'How each record was mapped: pid-ns, mnt-ns, cgroup-path, cgroup-id, witness (the process had left /proc), or host, unregistered, unknown',
    labelNames: ['via'] as const, registers: [this.registry],
  });
  readonly recordingsRefused = new Counter({
    name: 'seccomp_tailor_recordings_refused_total',
    help: 'Recordings the hook refused because every recording slot was in use (hook.json maxRecordings or the tracer maximum), seen in the state directory since the watcher started',
    registers: [this.registry],
  });
  readonly proposalWrites = new Counter({ name: 'seccomp_tailor_watch_proposal_writes_total', help: 'Proposal files written', registers: [this.registry] });
  readonly proposalsOpen = new Gauge({ name: 'seccomp_tailor_watch_proposals_open', help: 'Open proposals this watcher maintains', registers: [this.registry] });
  readonly containers = new Gauge({ name: 'seccomp_tailor_watch_containers', help: 'Containers known (registered or discovered)', registers: [this.registry] });
  readonly lag = new Gauge({ name: 'seccomp_tailor_watch_lag_seconds', help: 'Now minus the time stamp of the last record processed', registers: [this.registry] });
  readonly latency = new Histogram({
    name: 'seccomp_tailor_watch_record_to_proposal_seconds', help: 'Record time stamp to its proposal on disk',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [this.registry],
  });
  healthy = true;
  private server: Server | undefined;

  /** ADDR is `PORT`, `HOST:PORT` or `[V6]:PORT`. Resolves once listening. */
  async listen(addr: string): Promise<{ host: string; port: number }> {
    const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(addr) ?? /^()()(\d+)$/.exec(addr);
    if (!m) throw badMetricsAddress(addr);
    const host = m[1] || m[2] || '127.0.0.1';
    const port = Number(m[3]);
    this.server = createServer((req, res) => {
      if (req.url === '/healthz') {
        res.writeHead(this.healthy ? 200 : 503, { 'content-type': 'text/plain' }).end(this.healthy ? 'ok\n' : 'unhealthy\n');
        return;
      }
      if (req.url === '/metrics') {
        this.registry.metrics().then(
          (text) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(text),
          (e: Error) => res.writeHead(500).end(e.message),
        );
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', (e) => reject(metricsListenFailed(addr, e)));
      this.server!.listen(port, host, () => resolve());
    });
    const a = this.server.address();
    return { host, port: typeof a === 'object' && a ? a.port : port };
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
