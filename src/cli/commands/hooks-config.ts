// `seccomp-tailor hooks-config --runtime podman|runc [--config FILE]`
import type { AnyCommand } from './index.js';
import { hookCommand, hooksDJson, nativeHookCommand, runcHooksJson } from '../../oci/hooks-config.js';
import { ensureHookClient } from '../../record/hook/native-entry.js';

export default {
  command: 'hooks-config',
  describe: 'print the hook configuration: a hooks.d file (podman, CRI-O) or config.json "hooks" (runc, crun)',
  builder: (y) =>
    y
      .option('runtime', { choices: ['podman', 'cri-o', 'runc', 'crun'] as const, default: 'podman' as const })
      .option('config', { type: 'string', describe: 'hook config file to pass to the hook (default: /etc/seccomp-tailor/hook.json)' })
      .option('native', { type: 'boolean', default: false, describe: 'use the native entry (builds it): a few ms per stage when `seccomp-tailor hookd` runs, the Node hook otherwise' }),
  handler: (argv: Record<string, unknown>) => {
    const cmd = argv.native ? nativeHookCommand(ensureHookClient(), argv.config as string | undefined) : hookCommand(argv.config as string | undefined);
    const out = argv.runtime === 'runc' || argv.runtime === 'crun' ? runcHooksJson(cmd) : hooksDJson(cmd);
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  },
} satisfies AnyCommand;
