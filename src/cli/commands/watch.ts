// `seccomp-tailor watch`: the audit-watcher daemon (src/watch/daemon.ts).
import type { AnyCommand } from './index.js';
import { defaultStateDir } from '../../state/paths.js';

export default {
  command: 'watch',
  describe: 'Watch the audit log for seccomp denials and keep one proposal per (container or image, profile file)',
  builder: (y) => y
    .option('source', { type: 'string', default: 'auto', describe: 'auto | auditd | kmsg | journald | FILE | - (stdin)' })
    .option('state-dir', { type: 'string', default: defaultStateDir, describe: 'proposals, registry and checkpoints' })
    .option('metrics', { type: 'string', describe: 'serve Prometheus /metrics and /healthz on [HOST:]PORT' })
    .option('once', { type: 'boolean', default: false, describe: 'read to the current end of the source, write proposals, exit' })
    .option('discovery', { type: 'boolean', default: true, describe: 'discover runc/crun containers from their state directories' })
    .option('witness', { type: 'boolean', default: true, describe: 'load the eBPF exit witness (attributes processes killed before their record is read)' })
    .option('witness-pin', { type: 'string', hidden: true, describe: 'bpffs directory for the pinned witness' }),
  handler: async (argv: Record<string, unknown>) => {
    const { runWatch } = await import('../../watch/daemon.js');
    await runWatch({
      source: String(argv.source), stateDir: String(argv.stateDir), once: argv.once === true,
      discovery: argv.discovery !== false, witness: argv.witness !== false,
      ...(typeof argv.metrics === 'string' ? { metrics: argv.metrics } : {}),
      ...(typeof argv.witnessPin === 'string' ? { witnessPinDir: argv.witnessPin } : {}),
    });
  },
} satisfies AnyCommand;
