// `seccomp-tailor flush [--all | ID...] [--config FILE]`
import type { AnyCommand } from './index.js';
import { DEFAULT_HOOK_CONFIG, loadHookConfig } from '../../record/hook/config.js';
import { flush } from '../../record/hook/flush.js';
import { flushWhat } from '../../errors.js';

export default {
  command: 'flush [ids..]',
  describe: 'write the profile so far of traced containers that are still running',
  builder: (y) =>
    y
      .positional('ids', { type: 'string', array: true, describe: 'container ids' })
      .option('all', { type: 'boolean', default: false, describe: 'every traced container' })
      .option('config', { type: 'string', default: DEFAULT_HOOK_CONFIG, describe: 'hook config file' }),
  handler: async (argv: Record<string, unknown>) => {
    const ids = (argv.ids as string[] | undefined) ?? [];
    if (!argv.all && ids.length === 0) throw flushWhat();
    const results = await flush(loadHookConfig(argv.config as string), argv.all ? 'all' : ids);
    for (const r of results) {
      for (const w of r.warnings) process.stderr.write(`seccomp-tailor: ${r.id}: warning: ${w}\n`);
      if (r.error) process.stderr.write(`seccomp-tailor: ${r.id}: ${r.error}\n`);
      else process.stdout.write(`${r.id}: wrote ${r.written} (${r.syscalls} syscalls)${r.finished ? '; the container was gone without poststop: recording finished' : ''}\n`);
    }
    if (results.some((r) => r.error)) process.exitCode = 1;
  },
} satisfies AnyCommand;
