// `seccomp-tailor watch`: the audit-watcher daemon (src/watch/daemon.ts).
import { defineCommand } from './command.js';
import { defaultStateDir } from '../../state/paths.js';
import { watchBadArgument } from '../../errors.js';
import { parseRuntimeRoot } from '../../watch/discovery.js';
import { DEFAULT_FLUSH_INTERVAL_MS, DEFAULT_NETLINK_RCVBUF } from '../../watch/defaults.js';

/** Said once at start: what `--trust-syslog` lets through (issue 19). */
export const TRUST_SYSLOG_NOTICE = 'seccomp-tailor: --trust-syslog: SECCOMP records from syslog and dmesg text are believed, but any container with CAP_AUDIT_WRITE (a Docker and runc default) can forge them for any pid through syslog(2); prefer --source netlink, auditd, journald or kmsg\n';

export default defineCommand({
  // `[input]` only so that `--source -` parses: yargs reads a lone `-` as a positional argument.
  command: 'watch [input]',
  describe: 'Watch the audit log for seccomp denials (and shadowed containers) and keep one proposal per profile file',
  builder: (y) => y
    .positional('input', { type: 'string', hidden: true })
    .option('source', { type: 'string', default: 'auto', describe: 'auto | netlink | auditd | kmsg | journald | FILE | - (stdin); auto: netlink where it can bind, else auditd, journald, kmsg' })
    .option('flush-ms', { type: 'number', default: DEFAULT_FLUSH_INTERVAL_MS, describe: 'least time between two proposal/state writes, the latency record -> proposal; a slow disk stretches it (writes take at most a sixth of the time)' })
    .option('netlink-rcvbuf', { type: 'number', default: DEFAULT_NETLINK_RCVBUF, describe: 'receive buffer of the audit netlink socket in bytes (SO_RCVBUFFORCE as root)' })
    .option('state-dir', { type: 'string', default: defaultStateDir, describe: 'proposals, registry and checkpoints' })
    .option('metrics', { type: 'string', describe: 'serve Prometheus /metrics and /healthz on [HOST:]PORT' })
    .option('once', { type: 'boolean', default: false, describe: 'read to the current end of the source, write proposals, exit' })
    .option('discovery', { type: 'boolean', default: true, describe: 'discover runc/crun containers from their state directories' })
    .option('runtime-root', { type: 'string', array: true, describe: 'another runtime state directory to discover containers in, RUNTIME:DIR (runc|crun), e.g. runc:/run/docker/runtime-runc/moby of a dockerd with another --exec-root' })
    .option('witness', { type: 'boolean', default: true, describe: 'load the eBPF exit witness (attributes processes killed before their record is read)' })
    .option('profile-dir', { type: 'string', array: true, describe: 'a directory whose profile files proposals may target (repeatable; default: allowedDirs of /etc/seccomp-tailor/hook.json); annotations naming files elsewhere are reported, never read' })
    .option('trust-syslog', { type: 'boolean', default: false, describe: 'RISKY: read SECCOMP records from syslog lines and dmesg output, which containers can forge (CAP_AUDIT_WRITE, a Docker default, makes syslog(2) print kern lines); only facility kern where the line carries its PRI' })
    .option('hook-config', { type: 'string', describe: 'the hook config whose run directory lists shadowed containers (default /etc/seccomp-tailor/hook.json)' })
    .option('shadow', { type: 'boolean', default: true, describe: 'follow shadowed containers (io.seccomp-tailor.shadow) in the tracer every 250 ms; their findings become proposals whatever the audit source' })
    .option('witness-pin', { type: 'string', hidden: true, describe: 'bpffs directory for the pinned witness' })
    .option('unpin-witness', { type: 'boolean', default: false, describe: 'detach the pinned eBPF exit witness (it outlives the watcher on purpose) and exit' }),
  handler: async (argv) => {
    // yargs turns the `-` of `--source -` into an empty positional and leaves --source at its default.
    const args = process.argv;
    const stdin = args.some((a, i) => a === '-' && (args[i - 1] === '--source' || args[i - 1] === '-s')) || argv.source === '-';
    if (argv.input !== undefined && argv.input !== '' && argv.input !== '-') throw watchBadArgument(String(argv.input));
    if (argv.unpinWitness === true) {
      const { ExitWitnesses, DEFAULT_PIN_DIR } = await import('../../watch/witness.js');
      ExitWitnesses.remove(typeof argv.witnessPin === 'string' ? argv.witnessPin : DEFAULT_PIN_DIR);
      return;
    }
    // The eBPF exit witness needs BTF and bpffs; the watcher itself does not: one line, then on without it.
    const { platformProblem } = await import('../../install/preflight.js');
    const problem = argv.witness !== false ? platformProblem({ bpffs: true }) : undefined;
    if (problem?.code === 'ENV_UNSUPPORTED_ARCH') throw problem;
    if (problem) process.stderr.write(`seccomp-tailor: warning: ${problem.message}; watching without the exit witness\n`);
    const { runWatch } = await import('../../watch/daemon.js');
    if (argv.trustSyslog === true) process.stderr.write(TRUST_SYSLOG_NOTICE);
    // Proposals may target profiles where the hook may write them, unless told otherwise.
    const named = Array.isArray(argv.profileDir) && argv.profileDir.length > 0 ? (argv.profileDir as unknown[]).map(String) : undefined;
    // The hook config only when something needs it: a watcher given its directories and --no-shadow reads none.
    const hookConfig = !named || argv.shadow !== false ? (await import('../../record/hook/config.js')).loadHookConfig(typeof argv.hookConfig === 'string' ? argv.hookConfig : undefined) : undefined;
    const profileDirs = named ?? hookConfig!.allowedDirs;
    const shadow = hookConfig && argv.shadow !== false ? await followShadowed(hookConfig.runDir, argv.once === true) : undefined;
    const options = {
      source: stdin ? '-' : String(argv.source), stateDir: String(argv.stateDir), once: argv.once === true,
      discovery: argv.discovery !== false, witness: argv.witness !== false && !problem,
      ...(Array.isArray(argv.runtimeRoot) ? { runtimeRoots: (argv.runtimeRoot as string[]).map(parseRuntimeRoot) } : {}), trustSyslog: argv.trustSyslog === true,
      profileDirs,
      ...(typeof argv.metrics === 'string' ? { metrics: argv.metrics } : {}),
      ...(typeof argv.netlinkRcvbuf === 'number' && argv.netlinkRcvbuf > 0 ? { netlinkRcvbuf: argv.netlinkRcvbuf } : {}),
      ...(typeof argv.flushMs === 'number' && argv.flushMs >= 0 ? { flushIntervalMs: argv.flushMs } : {}),
      ...(typeof argv.witnessPin === 'string' ? { witnessPinDir: argv.witnessPin } : {}),
    };
    try {
      await runWatch(options);
    } finally {
      shadow?.stop();
    }
  },
});

/** The tracer side of shadow mode, beside the audit source (one pass only with --once). */
async function followShadowed(runDir: string, once: boolean): Promise<{ stop(): void }> {
  const { ShadowFollower } = await import('../../record/hook/shadow-follower.js');
  const say = (level: string, msg: string, fields?: Record<string, unknown>) =>
    process.stderr.write(`${JSON.stringify({ level, time: Date.now(), name: 'seccomp-tailor-shadow', ...fields, msg })}\n`);
  const f = new ShadowFollower({ runDir, log: say });
  f.pass();
  if (!once) f.start();
  return f;
}
