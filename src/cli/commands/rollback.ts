// `seccomp-tailor rollback PROFILE [--force]`
import { rollbackProfile } from '../../apply/rollback.js';
import { defaultStateDir } from '../../state/paths.js';
import { escapeTerminal as esc } from '../../terminal/escape.js';
import { defineCommand } from './command.js';

export default defineCommand({
  command: 'rollback <profile>',
  describe: 'restore the profile file as it was before the last apply',
  builder: (y) =>
    y
      .positional('profile', { type: 'string', demandOption: true })
      .option('force', { type: 'boolean', default: false, describe: 'even if the file was edited after the apply' })
      .option('state-dir', { type: 'string', default: defaultStateDir, describe: 'state directory' }),
  handler: async (argv) => {
    const r = await rollbackProfile(argv.stateDir, argv.profile, { force: argv.force === true });
    process.stdout.write(`restored ${esc(r.profilePath)} from ${esc(r.restoredFrom)}${r.proposalId ? ` (proposal ${r.proposalId} is open again)` : ''}\n` +
      'containers started with this profile pick up the change only when restarted\n');
  },
});
