// `seccomp-tailor status [--json] [--config FILE]`
import { defineCommand } from './command.js';
import { DEFAULT_HOOK_CONFIG, loadHookConfig } from '../../record/hook/config.js';
import { tracedContainers } from '../../record/hook/status.js';
import { listRefusals } from '../../state/refused.js';
import { escapeTerminal } from '../../terminal/escape.js';
import { imageDrifts, printImageDrift } from './status-drift.js';

export default defineCommand({
  command: 'status',
  describe: 'list the containers being traced: syscalls so far, when the last new one appeared, live tasks',
  builder: (y) =>
    y
      .option('json', { type: 'boolean', default: false, describe: 'one JSON object a line' })
      .option('config', { type: 'string', default: DEFAULT_HOOK_CONFIG, describe: 'hook config file' }),
  handler: (argv) => {
    const cfg = loadHookConfig(argv.config);
    const list = tracedContainers(cfg);
    const refused = listRefusals(cfg.stateDir);
    if (argv.json) {
      for (const c of list) process.stdout.write(JSON.stringify(c) + '\n');
      for (const r of refused) process.stdout.write(JSON.stringify({ refused: r }) + '\n');
      for (const d of imageDrifts(cfg.stateDir)) process.stdout.write(JSON.stringify({ imageDrift: d }) + '\n');
      return;
    }
    printRefused(refused);
    printImageDrift(cfg.stateDir);
    if (list.length === 0) {
      process.stdout.write('no container is being traced\n');
      return;
    }
    const ago = (iso?: string) => (iso ? `${Math.round((Date.now() - Date.parse(iso)) / 1000)}s ago` : 'never');
    process.stdout.write('CONTAINER      RUNTIME      SYSCALLS  LAST NEW        TASKS  OUTPUT (RECORDED) / SHADOWED\n');
    for (const c of list)
      process.stdout.write(`${c.id.slice(0, 12).padEnd(14)} ${c.runtime.padEnd(12)} ${String(c.lost ? 'lost' : c.orphaned ? `${c.workloadSyscalls}*` : c.workloadSyscalls).padStart(8)}  ${ago(c.lastNewAt).padEnd(14)} ${String(c.liveTasks).padStart(5)}  ${[c.output, c.shadow && `shadows ${c.shadow}`].filter(Boolean).join('; ')}\n`);
    if (list.some((c) => c.orphaned)) process.stdout.write('* the container is gone but its poststop hook never ran: `seccomp-tailor flush --all` finishes the recording\n');
  },
});

function printRefused(refused: ReturnType<typeof listRefusals>): void {
  if (!refused.length) return;
  process.stdout.write(`recordings refused, every slot in use (newest ${refused.length}; raise hook.json maxRecordings or finish recordings):\n`);
  for (const r of refused)
    process.stdout.write(`  ${escapeTerminal(r.time)}  ${escapeTerminal(r.id.slice(0, 12)).padEnd(12)}  limit ${r.limit}  ${r.onFailure === 'fail' ? 'start refused' : 'ran unrecorded'}  ${escapeTerminal(r.output ?? '')}\n`);
  process.stdout.write('\n');
}
