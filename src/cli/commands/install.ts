// `seccomp-tailor install [--engine podman|docker|containerd] ...`: options in, src/install/ does the work.
import { defineCommand } from './command.js';
import { DEFAULT_HOOKS_DIR } from '../../oci/hooks-config.js';
import { DEFAULT_DAEMON_JSON, DEFAULT_RUNTIME_NAME, SHIM_CONFIG } from '../../oci/engine-config.js';
import { DEFAULT_SYSTEMD_DIR } from '../../record/hook/systemd-units.js';
import { DEFAULT_PROFILE_DIR } from '../../record/hook/config.js';
import { install } from '../../install/install.js';
import type { InstallOptions } from '../../install/options.js';

const say = (s: string) => process.stderr.write(s.endsWith('\n') ? s : s + '\n');
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const DEFAULT_STATE_DIR = '/var/lib/seccomp-tailor';

export default defineCommand({
  command: 'install',
  describe: 'set up recording for an engine: the hooks.d file (podman, CRI-O), a daemon.json runtime (Docker), a config.toml runtime (containerd); `uninstall` undoes it',
  builder: (y) =>
    y
      .option('engine', { choices: ['podman', 'docker', 'containerd'] as const, default: 'podman' as const, describe: 'podman also stands for CRI-O (same hooks.d)' })
      .option('hooks-dir', { type: 'string', default: DEFAULT_HOOKS_DIR, describe: 'podman: hooks.d directory (podman also reads /etc/containers/oci/hooks.d)' })
      .option('config', { type: 'string', describe: 'hook config file the hook should read' })
      .option('native', { type: 'boolean', default: true, describe: 'podman: the native entry, which hands each stage to hookd (started on first use, or by systemd); --no-native: the Node hook only' })
      .option('hookd-socket', { type: 'string', describe: "podman: hookd's socket for the native entry (default /run/seccomp-tailor/hookd.sock)" })
      .option('systemd', { choices: ['auto', 'yes', 'no'] as const, default: 'auto' as const, describe: 'podman: install hookd as a socket-activated systemd unit (auto: where systemd is PID 1)' })
      .option('systemd-dir', { type: 'string', default: DEFAULT_SYSTEMD_DIR, describe: 'where the hookd units go' })
      .option('daemon-json', { type: 'string', default: DEFAULT_DAEMON_JSON, describe: 'docker: the daemon.json to merge the runtime into (other keys are kept; a backup is written)' })
      .option('runtime-name', { type: 'string', default: DEFAULT_RUNTIME_NAME, describe: 'docker/containerd: the runtime (RuntimeClass handler) name' })
      .option('record-dir', { type: 'string', describe: `record every container of this runtime here (docker default: ${DEFAULT_PROFILE_DIR}; containerd default: annotated containers only)` })
      .option('annotated-only', { type: 'boolean', default: false, describe: 'docker: record only containers with the annotation (Docker >= 24)' })
      .option('runtime-path', { type: 'string', describe: 'docker/containerd: the real runtime (default: runc on PATH)' })
      .option('shim-config', { type: 'string', default: SHIM_CONFIG, describe: "containerd: where the shim's settings go (the one file a BinaryName shim reads)" })
      .option('state-dir', { type: 'string', default: DEFAULT_STATE_DIR, describe: 'where the record of what install changed is kept (installed.json), for uninstall' }),
  handler: async (argv) => {
    const common = { stateDir: argv.stateDir, ...(argv.config ? { hookConfig: argv.config } : {}) };
    const shim = { runtimeName: argv.runtimeName, ...(str(argv.runtimePath) ? { runtimePath: argv.runtimePath! } : {}) };
    const o: InstallOptions =
      argv.engine === 'docker'
        ? { ...common, ...shim, engine: 'docker', daemonJson: argv.daemonJson, ...(argv.annotatedOnly ? {} : { recordDir: str(argv.recordDir) ?? DEFAULT_PROFILE_DIR }) }
        : argv.engine === 'containerd'
          ? { ...common, ...shim, engine: 'containerd', shimConfig: argv.shimConfig, ...(str(argv.recordDir) ? { recordDir: argv.recordDir! } : {}) }
          : { ...common, engine: 'podman', hooksDir: argv.hooksDir, native: argv.native, systemd: argv.systemd, systemdDir: argv.systemdDir,
              ...(str(argv.hookdSocket) ? { hookdSocket: argv.hookdSocket! } : {}) };
    await install(o, say);
  },
});
