// `seccomp-tailor install [--engine podman|docker|containerd] ...`
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { defineCommand } from './command.js';
import { DEFAULT_HOOKS_DIR, HOOKS_D_FILE, hookCommand, hooksDJson, nativeHookCommand } from '../../oci/hooks-config.js';
import { containerdStanza, DEFAULT_DAEMON_JSON, DEFAULT_RUNTIME_NAME, mergeDaemonJson, SHIM_CONFIG, shimConfigJson, type ShimRuntime } from '../../oci/engine-config.js';
import { ensureHookClient } from '../../record/hook/native-entry.js';
import { DEFAULT_SYSTEMD_DIR, HOOKD_UNITS, hookdUnitText, systemdIsInit } from '../../record/hook/systemd-units.js';
import { writeFileAtomic } from '../../fs/atomic-write.js';
import { DEFAULT_HOOK_CONFIG, DEFAULT_PROFILE_DIR } from '../../record/hook/config.js';
import { packagePath } from '../../native/package-root.js';
import { installBadOption, installStepFailed } from '../../errors.js';

const say = (s: string) => process.stderr.write(s.endsWith('\n') ? s : s + '\n');

function allowedDirsNote(config: string | undefined): string {
  return `  profiles may be written to /var/lib/seccomp-tailor/profiles; to allow more (e.g. /tmp) put\n` +
    `  {"allowedDirs": ["/var/lib/seccomp-tailor/profiles", "/tmp"]} in ${config ?? DEFAULT_HOOK_CONFIG} (root-owned, mode 0644)`;
}

function shimRuntime(argv: Record<string, unknown>, recordDir: string | undefined): ShimRuntime {
  const shimPath = packagePath('build', 'runtime-shim', 'seccomp-tailor-runc');
  if (!existsSync(shimPath)) throw installBadOption(`${shimPath} is not built: run \`npm run build\` (needs libjansson-dev)`);
  const name = String(argv['runtime-name']);
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(name)) throw installBadOption(`--runtime-name ${JSON.stringify(name)}: letters, digits, _ . - only`);
  for (const [k, v] of [['record-dir', recordDir], ['config', argv.config], ['runtime-path', argv['runtime-path']]] as const)
    if (v !== undefined && !String(v).startsWith('/')) throw installBadOption(`--${k} must be an absolute path`);
  return {
    name, shimPath,
    ...(recordDir ? { recordDir } : {}),
    ...(typeof argv.config === 'string' ? { hookConfig: argv.config } : {}),
    ...(typeof argv['runtime-path'] === 'string' ? { runtimePath: argv['runtime-path'] } : {}),
  };
}

async function installPodman(argv: Record<string, unknown>): Promise<void> {
  const dir = argv['hooks-dir'] as string;
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const path = join(dir, HOOKS_D_FILE);
  const config = argv.config as string | undefined;
  const socket = typeof argv['hookd-socket'] === 'string' ? argv['hookd-socket'] : undefined;
  const cmd = argv.native ? nativeHookCommand(ensureHookClient(), config, socket) : hookCommand(config);
  await writeFileAtomic(path, JSON.stringify(hooksDJson(cmd), null, 2) + '\n', { mode: 0o644 });
  say(`seccomp-tailor: installed ${path} (podman and CRI-O read it at every container start: no restart needed)`);
  if (argv.native) await installHookd(argv);
  say(allowedDirsNote(config));
}

/** The native entry's daemon: systemd's socket unit where systemd is PID 1, else the entry starts it. */
async function installHookd(argv: Record<string, unknown>): Promise<void> {
  const unitsDir = String(argv['systemd-dir']);
  if (!(argv.systemd === 'yes' || (argv.systemd === 'auto' && systemdIsInit()))) {
    say('seccomp-tailor: no systemd here: the hook starts hookd itself on first use (one per machine, exits after 10 idle minutes)');
    return;
  }
  mkdirSync(unitsDir, { recursive: true, mode: 0o755 });
  for (const unit of HOOKD_UNITS) await writeFileAtomic(join(unitsDir, unit), hookdUnitText(unit), { mode: 0o644 });
  say(`seccomp-tailor: installed ${HOOKD_UNITS.map((u) => join(unitsDir, u)).join(', ')}`);
  if (!systemdIsInit() || unitsDir !== DEFAULT_SYSTEMD_DIR) {
    say(`seccomp-tailor: enable with: systemctl daemon-reload && systemctl enable --now ${HOOKD_UNITS[0]}`);
    return;
  }
  for (const args of [['daemon-reload'], ['enable', '--now', HOOKD_UNITS[0]]]) {
    const r = spawnSync('systemctl', args, { encoding: 'utf8' });
    if (r.status !== 0) throw installStepFailed(`systemctl ${args.join(' ')}`, (r.stderr || r.error?.message || '').trim());
  }
  say("seccomp-tailor: systemd listens on hookd's socket and starts it on the first traced container");
}

async function installDocker(argv: Record<string, unknown>): Promise<void> {
  const recordDir = argv['annotated-only'] ? undefined : String(argv['record-dir'] ?? DEFAULT_PROFILE_DIR);
  const r = shimRuntime(argv, recordDir);
  const path = String(argv['daemon-json']);
  const existing = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  const merged = mergeDaemonJson(existing, r, path);
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  let backup: string | undefined;
  if (existing !== undefined) {
    backup = `${path}.seccomp-tailor-${new Date().toISOString().replace(/[:.]/g, '-')}.bak`;
    copyFileSync(path, backup);
  }
  await writeFileAtomic(path, merged.text, { mode: 0o644 });
  say(`seccomp-tailor: ${merged.replaced ? 'replaced' : 'added'} the runtime "${r.name}" in ${path}${backup ? ` (the previous file is ${backup})` : ''}\n` +
    `  dockerd reloads "runtimes" on SIGHUP: sudo systemctl reload docker (or restart it)\n` +
    (recordDir
      ? `  record: docker run --runtime ${r.name} --security-opt seccomp=unconfined IMAGE ...   -> ${recordDir}/<container id>.json\n`
      : `  record: docker run --runtime ${r.name} --annotation io.containers.trace-syscall=of:FILE IMAGE ...   (Docker >= 24)\n`) +
    `  replay: docker run --security-opt seccomp=FILE IMAGE ...\n${allowedDirsNote(r.hookConfig)}`);
}

async function installContainerd(argv: Record<string, unknown>): Promise<void> {
  const recordDir = typeof argv['record-dir'] === 'string' ? argv['record-dir'] : undefined;
  const r = shimRuntime(argv, recordDir);
  // BinaryName takes no arguments: settings other than the defaults go to the shim's own file.
  if (r.recordDir || r.hookConfig || r.runtimePath) {
    const path = String(argv['shim-config'] ?? SHIM_CONFIG);
    mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
    await writeFileAtomic(path, shimConfigJson(r), { mode: 0o644 });
    say(`seccomp-tailor: wrote ${path} (the shim's settings: root-owned, mode 0644)`);
  }
  process.stdout.write(containerdStanza(r));
  say(`seccomp-tailor: paste the stanza above into /etc/containerd/config.toml (config version 2), then: sudo systemctl restart containerd\n` +
    `  Kubernetes: a RuntimeClass with handler: ${r.name}; pods with runtimeClassName and the annotation\n` +
    `  io.containers.trace-syscall: "of:NAME.json" are recorded${r.recordDir ? `; every container of the handler is recorded into ${r.recordDir}` : ''}\n` +
    `  ctr: ctr run --runc-binary ${r.shimPath} --annotation io.containers.trace-syscall=of:FILE ...\n${allowedDirsNote(r.hookConfig)}`);
}

export default defineCommand({
  command: 'install',
  describe: 'set up recording for an engine: the hooks.d file (podman, CRI-O), a daemon.json runtime (Docker), a config.toml runtime (containerd)',
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
      .option('shim-config', { type: 'string', describe: `containerd: where the shim's settings go (default ${SHIM_CONFIG}, the one file a BinaryName shim reads)` }),
  handler: async (argv) => {
    // The engines' installers read the options by their dashed names.
    const opts = argv as unknown as Record<string, unknown>;
    if (argv.engine === 'docker') return installDocker(opts);
    if (argv.engine === 'containerd') return installContainerd(opts);
    return installPodman(opts);
  },
});
