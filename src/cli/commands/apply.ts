// `seccomp-tailor apply ID... | --all`: write proposals into their profile files, safely.
import { applyProposal, type ApplyOutcome } from '../../apply/apply.js';
import { listProposals } from '../../profile/proposal-store.js';
import { unifiedDiff } from '../../apply/render.js';
import { nativeLibseccomp } from '../../profile/libseccomp-view.js';
import { defaultStateDir } from '../../state/paths.js';
import { askYesNo, canAsk } from '../confirm.js';
import { escapeTerminal as esc, useColour } from '../../terminal/escape.js';
import { reportError } from '../report-error.js';
import { usageError } from '../../errors.js';
import { defineCommand } from './command.js';
import { profileDirOption, profileDirsFor } from './profile-dir-option.js';

function summary(o: ApplyOutcome, dryRun: boolean): string {
  const lines: string[] = [];
  const what = o.adding.length ? o.adding.map((n) => `+${n}`).join(' ') : 'nothing new (already allowed)';
  lines.push(`${dryRun ? 'would apply' : 'applied'} ${o.proposal.id} to ${esc(o.profilePath)}: ${what}${o.rebased ? ' (rebased onto the changed file)' : ''}`);
  for (const r of o.risky) lines.push(`  risk ${r.level}: ${r.syscall}: ${r.why}`);
  if (o.backup) lines.push(`  previous version kept as ${esc(o.backup)} (seccomp-tailor rollback ${esc(o.profilePath)})`);
  if (!dryRun && o.written) {
    const names = o.restart.map((c) => (c.name ? `${esc(c.name)} (${esc(c.id.slice(0, 12))})` : esc(c.id.slice(0, 12))));
    lines.push(names.length
      ? `  running containers pick up a profile only when restarted: restart ${names.join(', ')}`
      : '  containers started with this profile pick up the change only when restarted');
  }
  return lines.join('\n') + '\n';
}

export default defineCommand({
  command: 'apply [ids..]',
  describe: 'apply proposals to their profile files (checked, validated, atomic, backed up)',
  builder: (y) =>
    y
      .positional('ids', { type: 'string', array: true, describe: 'proposal ids' })
      .option('all', { type: 'boolean', default: false, describe: 'every open proposal' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'show the diff, write nothing' })
      .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'do not ask for confirmation' })
      .option('allow-risky', { type: 'boolean', default: false, describe: 'allow adding dangerous syscalls (ptrace, mount, bpf, ...)' })
      .option('state-dir', { type: 'string', default: defaultStateDir, describe: 'state directory' })
      .option('profile-dir', profileDirOption),
  handler: async (argv) => {
    const stateDir = argv.stateDir;
    let ids = (argv.ids) ?? [];
    if (argv.all) ids = (await listProposals(stateDir)).proposals.filter((p) => p.status === 'open' && p.add.length > 0).map((p) => p.id);
    else if (ids.length === 0) throw usageError('name proposal ids, or pass --all');
    if (ids.length === 0) process.stdout.write('no open proposals\n');
    const lib = await nativeLibseccomp();
    const profileDirs = await profileDirsFor(stateDir, argv.profileDir);
    const dryRun = argv.dryRun === true;
    const colour = useColour();
    const interactive = !dryRun && argv.yes !== true && canAsk();
    let failed = 0;
    for (const id of ids) {
      try {
        const out = await applyProposal(id, {
          stateDir, lib, dryRun, allowRisky: argv.allowRisky === true, profileDirs,
          ...(interactive ? {
            confirm: async (plan) => {
              process.stderr.write(unifiedDiff(plan.profilePath, plan.before, plan.after, useColour(process.stderr)) + '\n');
              return askYesNo(`apply ${id} to ${esc(plan.profilePath)}?`);
            },
          } : {}),
        });
        if (dryRun) process.stdout.write(unifiedDiff(out.profilePath, out.before, out.after, colour) + '\n');
        process.stdout.write(summary(out, dryRun));
      } catch (e) {
        failed++;
        process.exitCode = reportError(e);
      }
    }
    if (failed && ids.length > 1) process.stderr.write(`seccomp-tailor: ${failed} of ${ids.length} proposals not applied\n`);
  },
});
