// `seccomp-tailor flush [--all | ID...] [--config FILE]`
import { defineCommand } from './command.js';
import { DEFAULT_HOOK_CONFIG, loadHookConfig } from '../../record/hook/config.js';
import { flush } from '../../record/hook/flush.js';
import { flushWhat } from '../../errors.js';

export default defineCommand({
  command: 'flush [ids..]',
  describe: 'write the profile so far of traced containers that are still running',
  builder: (y) =>
    y
      .positional('ids', { type: 'string', array: true, describe: 'container ids' })
      .option('all', { type: 'boolean', default: false, describe: 'every traced container' })
      .option('config', { type: 'string', default: DEFAULT_HOOK_CONFIG, describe: 'hook config file' }),
  handler: async (argv) => {
    const ids = (argv.ids) ?? [];
    if (!argv.all && ids.length === 0) throw flushWhat();
    const results = await flush(loadHookConfig(argv.config), argv.all ? 'all' : ids);
    for (const r of results) {
      for (const w of r.warnings) process.stderr.write(`seccomp-tailor: ${r.id}: warning: ${w}\n`);
      if (r.error) process.stderr.write(`seccomp-tailor: ${r.id}: ${r.error}\n`);
      else process.stdout.write(`${r.id}: wrote ${r.written} (${r.syscalls} syscalls)${r.finished ? '; the container was gone without poststop: recording finished' : ''}\n`);
    }
    if (results.some((r) => r.error)) process.exitCode = 1;
  },
});
