// `seccomp-tailor install [--hooks-dir DIR] [--config FILE]`
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { AnyCommand } from './index.js';
import { DEFAULT_HOOKS_DIR, HOOKS_D_FILE, hookCommand, hooksDJson, nativeHookCommand } from '../../oci/hooks-config.js';
import { ensureHookClient } from '../../record/hook/native-entry.js';
import { writeFileAtomic } from '../../fs/atomic-write.js';
import { DEFAULT_HOOK_CONFIG } from '../../record/hook/config.js';

export default {
  command: 'install',
  describe: 'install the OCI hook where podman and CRI-O look for hooks (hooks.d)',
  builder: (y) =>
    y
      .option('hooks-dir', { type: 'string', default: DEFAULT_HOOKS_DIR, describe: 'hooks.d directory (podman also reads /etc/containers/oci/hooks.d)' })
      .option('config', { type: 'string', describe: 'hook config file the hook should read' })
      .option('native', { type: 'boolean', default: false, describe: 'install the native entry (fast with `seccomp-tailor hookd`, see contrib/seccomp-tailor-hookd.service)' }),
  handler: async (argv: Record<string, unknown>) => {
    const dir = argv['hooks-dir'] as string;
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    const path = join(dir, HOOKS_D_FILE);
    const config = argv.config as string | undefined;
    const cmd = argv.native ? nativeHookCommand(ensureHookClient(), config) : hookCommand(config);
    await writeFileAtomic(path, JSON.stringify(hooksDJson(cmd), null, 2) + '\n', { mode: 0o644 });
    process.stderr.write(`seccomp-tailor: installed ${path}\n` +
      `  profiles may be written to /var/lib/seccomp-tailor/profiles; to allow more (e.g. /tmp) put\n` +
      `  {"allowedDirs": ["/var/lib/seccomp-tailor/profiles", "/tmp"]} in ${(argv.config as string | undefined) ?? DEFAULT_HOOK_CONFIG} (root-owned, mode 0644)\n`);
  },
} satisfies AnyCommand;
