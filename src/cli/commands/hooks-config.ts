// `seccomp-tailor hooks-config --runtime podman|runc [--config FILE] [--no-native]`
import { defineCommand } from './command.js';
import { hookCommand, hooksDJson, nativeHookCommand, runcHooksJson } from '../../oci/hooks-config.js';
import { ensureHookClient } from '../../record/hook/native-entry.js';

export default defineCommand({
  command: 'hooks-config',
  describe: 'print the hook configuration: a hooks.d file (podman, CRI-O) or config.json "hooks" (runc, crun)',
  builder: (y) =>
    y
      .option('runtime', { choices: ['podman', 'cri-o', 'runc', 'crun'] as const, default: 'podman' as const })
      .option('config', { type: 'string', describe: 'hook config file to pass to the hook (default: /etc/seccomp-tailor/hook.json)' })
      .option('hookd-socket', { type: 'string', describe: "hookd's socket for the native entry (default /run/seccomp-tailor/hookd.sock)" })
      .option('native', { type: 'boolean', default: true, describe: 'the native entry (builds it), which hands each stage to hookd, starting it on first use; --no-native: the Node hook only' }),
  handler: (argv) => {
    const cmd = argv.native ? nativeHookCommand(ensureHookClient(), argv.config, argv.hookdSocket) : hookCommand(argv.config);
    const out = argv.runtime === 'runc' || argv.runtime === 'crun' ? runcHooksJson(cmd) : hooksDJson(cmd);
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  },
});
