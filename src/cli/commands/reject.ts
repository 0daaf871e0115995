// `seccomp-tailor reject ID [--reason ...] [--undo]`
import { rejectProposal, undoRejection } from '../../apply/reject.js';
import { defaultStateDir } from '../../state/paths.js';
import { escapeTerminal as esc } from '../../terminal/escape.js';
import { defineCommand } from './command.js';

export default defineCommand({
  command: 'reject <id>',
  describe: 'reject a proposal: its syscalls are not proposed again for that profile (until --undo)',
  builder: (y) =>
    y
      .positional('id', { type: 'string', demandOption: true })
      .option('reason', { type: 'string', describe: 'why (kept in the state directory)' })
      .option('undo', { type: 'boolean', default: false, describe: 'forget this rejection, so the syscalls may be proposed again' })
      .option('state-dir', { type: 'string', default: defaultStateDir, describe: 'state directory' }),
  handler: async (argv) => {
    const stateDir = argv.stateDir;
    const id = argv.id;
    if (argv.undo) {
      const forgotten = await undoRejection(stateDir, id);
      process.stdout.write(`forgot ${forgotten.length} rejected syscall(s) of ${id}${forgotten.length ? `: ${forgotten.map((f) => `${f.syscall} [${f.arch}]`).join(', ')}` : ''}\n`);
      return;
    }
    const p = await rejectProposal(stateDir, id, typeof argv.reason === 'string' ? { reason: argv.reason } : {});
    process.stdout.write(`rejected ${id}: ${p.add.map((a) => a.syscall).join(', ') || 'nothing'} will not be proposed again for ${esc(p.profile.path)}\n`);
  },
});
