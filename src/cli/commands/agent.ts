// `seccomp-tailor agent`: the Kubernetes node agent (src/agent/agent.ts; contrib/kubernetes/).
import { defineCommand } from './command.js';
import { runAgent } from '../../agent/agent.js';
import { DEFAULT_HOST_BIN } from '../../agent/host-bin.js';
import { DEFAULT_DROP_IN_DIR, DEFAULT_HANDLER } from '../../agent/containerd-drop-in.js';
import { defaultStateDir } from '../../state/paths.js';

export const DEFAULT_AGENT_SOCKET = '/run/seccomp-tailor-agent/hookd.sock';

export default defineCommand({
  command: 'agent',
  describe: 'Kubernetes node agent: put the hook entry and runtime shim on the host, serve hookd for them, watch denials',
  builder: (y) => y
    .option('host-bin', { type: 'string', default: DEFAULT_HOST_BIN, describe: 'host directory (a host-path mount) to copy the native hook entry and the runtime shim to' })
    .option('socket', { type: 'string', default: DEFAULT_AGENT_SOCKET, describe: "hookd's socket, on a host-path mount at the same path (its directory becomes 0700)" })
    .option('containerd-drop-in', { type: 'string', default: DEFAULT_DROP_IN_DIR, describe: "directory containerd's config imports; the runtime handler goes there (when missing: printed); '' prints only" })
    .option('handler', { type: 'string', default: DEFAULT_HANDLER, describe: 'runtime handler name (the RuntimeClass handler)' })
    .option('runtime-path', { type: 'string', describe: "the node's real runc (default: runc on the engine's PATH)" })
    .option('hook-config', { type: 'string', describe: 'hook config the hook reads in the pod (default /etc/seccomp-tailor/hook.json)' })
    .option('source', { type: 'string', default: 'netlink', describe: 'watch --source (netlink needs hostNetwork)' })
    .option('state-dir', { type: 'string', default: defaultStateDir, describe: 'watch --state-dir (a host-path mount)' })
    .option('metrics', { type: 'string', default: '0.0.0.0:9754', describe: 'watch --metrics: /metrics and /healthz on [HOST:]PORT' })
    .option('runtime-root', { type: 'string', array: true, describe: 'watch --runtime-root RUNTIME:DIR (repeatable)' }),
  handler: async (argv) => {
    const code = await runAgent({
      hostBin: String(argv.hostBin), socket: String(argv.socket), handler: String(argv.handler),
      ...(argv.containerdDropIn ? { dropInDir: String(argv.containerdDropIn) } : {}),
      ...(typeof argv.runtimePath === 'string' ? { runtimePath: argv.runtimePath } : {}),
      ...(typeof argv.hookConfig === 'string' ? { hookConfig: argv.hookConfig } : {}),
      watchArgs: ['--source', String(argv.source), '--state-dir', String(argv.stateDir), '--metrics', String(argv.metrics),
        ...((argv.runtimeRoot as string[] | undefined) ?? []).flatMap((r) => ['--runtime-root', String(r)])],
    });
    process.exitCode = code;
  },
});
