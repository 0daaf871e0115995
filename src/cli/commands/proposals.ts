// `seccomp-tailor proposals [list] | show ID`: what the watcher proposes, with evidence and diff.
import { readFile } from 'node:fs/promises';
import { planApply } from '../../apply/apply.js';
import { formatProposalPage, formatProposalTable } from '../../apply/present.js';
import { listProposals, readProposal } from '../../apply/store.js';
import { nativeLibseccomp } from '../../profile/libseccomp-view.js';
import { defaultStateDir } from '../../state/paths.js';
import { escapeTerminal, useColour } from '../../terminal/escape.js';
import type { AnyCommand } from './index.js';

const stateDirOption = { type: 'string', default: defaultStateDir, describe: 'state directory (proposals, backups, registry)' } as const;

async function list(argv: { stateDir: string; json: boolean; all: boolean }): Promise<void> {
  const { proposals, problems } = await listProposals(argv.stateDir);
  const shown = argv.all || argv.json ? proposals : proposals.filter((p) => p.status === 'open');
  for (const p of problems) process.stderr.write(`seccomp-tailor: skipped ${escapeTerminal(p)}\n`);
  process.stdout.write(argv.json ? JSON.stringify(shown, null, 2) + '\n' : formatProposalTable(shown));
}

async function show(argv: { stateDir: string; id: string; json: boolean }): Promise<void> {
  const p = await readProposal(argv.stateDir, argv.id);
  if (argv.json) {
    process.stdout.write(JSON.stringify(p, null, 2) + '\n');
    return;
  }
  const lib = await nativeLibseccomp();
  const plan = await readFile(p.profile.path).then(
    (bytes) => planApply(p, bytes, { lib, allowRisky: true }),
    (e: Error) => e,
  ).catch((e: Error) => e);
  process.stdout.write(formatProposalPage(p, plan, useColour()));
}

export default {
  command: 'proposals [action] [id]',
  describe: 'list the profile changes the watcher proposes (list), or one with its evidence and diff (show ID)',
  builder: (y) =>
    y
      .positional('action', { choices: ['list', 'show'] as const, default: 'list' })
      .positional('id', { type: 'string', describe: 'proposal id (for show)' })
      .option('state-dir', stateDirOption)
      .option('json', { type: 'boolean', default: false, describe: 'print JSON (exact strings, every status)' })
      .option('all', { type: 'boolean', default: false, describe: 'list applied and rejected proposals too' }),
  handler: async (argv: Record<string, unknown>) => {
    const stateDir = argv.stateDir as string;
    if (argv.action === 'show') {
      if (typeof argv.id !== 'string') throw Object.assign(new Error('proposals show needs a proposal id'), { usage: true });
      await show({ stateDir, id: argv.id, json: argv.json === true });
    } else await list({ stateDir, json: argv.json === true, all: argv.all === true });
  },
} satisfies AnyCommand;
