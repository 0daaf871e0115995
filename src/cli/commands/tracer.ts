// `seccomp-tailor tracer unload [--if-idle]`: detach the machine-wide pinned tracer. Between
// recordings it costs every syscall on the host the slow path of an attached program; the next
// recording loads it again (tens of milliseconds).
import { defineCommand } from './command.js';
import { DEFAULT_PIN_ROOT, Tracer } from '../../record/tracer.js';
import { tracerAction } from '../../errors.js';

export default defineCommand({
  command: 'tracer <action>',
  describe: 'manage the pinned eBPF tracer: unload it (--if-idle: only when nothing is being recorded)',
  builder: (y) =>
    y
      .positional('action', { type: 'string', choices: ['unload'] })
      .option('if-idle', { type: 'boolean', default: false, describe: 'keep it while any container or command is being recorded' })
      .option('pin-root', { type: 'string', default: DEFAULT_PIN_ROOT, describe: 'bpffs directory of the pins' }),
  handler: (argv) => {
    if (argv.action !== 'unload') throw tracerAction(String(argv.action));
    const root = argv.pinRoot;
    if (argv.ifIdle) {
      const r = Tracer.unloadIfIdle(root);
      process.stdout.write(r.unloaded.length ? `unloaded ${r.unloaded.join(', ')}\n` : '');
      if (r.kept.length) process.stdout.write(`kept ${r.kept.join(', ')}: recording in progress\n`);
      if (!r.unloaded.length && !r.kept.length) process.stdout.write('no tracer loaded\n');
    } else {
      process.stdout.write(Tracer.unloadShared(root) ? `unloaded ${root}\n` : 'no tracer loaded\n');
    }
  },
});
