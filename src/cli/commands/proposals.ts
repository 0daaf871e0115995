// `seccomp-tailor proposals list|show|export|import`
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { Argv } from 'yargs';
import { planApply } from '../../apply/apply.js';
import { formatProposalPage, formatProposalTable } from '../../apply/present.js';
import { rejectionChecker } from '../../state/rejections.js';
import { HostName, serializeFleetDocument } from '../../fleet/document.js';
import { exportProposals } from '../../fleet/export.js';
import { importProposals } from '../../fleet/import.js';
import { emit } from '../../profile/toolbox.js';
import { nativeLibseccomp } from '../../profile/libseccomp-view.js';
import { defaultStateDir } from '../../state/paths.js';
import { listProposals, readProposal } from '../../profile/proposal-store.js';
import { escapeTerminal as esc, useColour } from '../../terminal/escape.js';
import { defineCommand } from './command.js';
import { profileDirOption, profileDirsFor } from './profile-dir-option.js';
import { unattributedNote } from '../../watch/state-store.js';
import { usageError } from '../../errors.js';

const withStateDir = <T>(y: Argv<T>) => y.option('state-dir', { type: 'string', default: defaultStateDir, describe: 'state directory (proposals, backups, registry)' });
const withHost = <T>(y: Argv<T>) => y.option('host', { type: 'string', default: hostname(), describe: 'this host\'s name in fleet documents' })
  .check((a) => {
    const r = HostName.safeParse(a.host);
    if (!r.success) throw usageError(`--host ${JSON.stringify(a.host)}: ${r.error.issues[0]?.message ?? 'not a host name'}`);
    return true;
  });

const list = defineCommand({
  command: ['list', '$0'],
  describe: 'the open proposals, one per profile file, with how many containers asked',
  builder: (y) => withStateDir(y)
    .option('json', { type: 'boolean', default: false, describe: 'print JSON (exact strings, every status)' })
    .option('all', { type: 'boolean', default: false, describe: 'list applied and rejected proposals too' }),
  handler: (argv) => {
    const { proposals, problems } = listProposals(argv.stateDir);
    const shown = argv.all || argv.json ? proposals : proposals.filter((p) => p.status === 'open');
    for (const p of problems) process.stderr.write(`seccomp-tailor: skipped ${esc(p)}\n`);
    process.stdout.write(argv.json ? JSON.stringify(shown, null, 2) + '\n' : formatProposalTable(shown));
    const unattributed = argv.json ? undefined : unattributedNote(argv.stateDir);
    if (unattributed) process.stdout.write(`${unattributed}\n`);
  },
});

const show = defineCommand({
  command: 'show <id>',
  describe: 'one proposal with its evidence (per container) and the diff it would make',
  builder: (y) => withStateDir(y)
    .positional('id', { type: 'string', demandOption: true, describe: 'proposal id' })
    .option('json', { type: 'boolean', default: false, describe: 'print JSON (exact strings)' }),
  handler: async (argv) => {
    const p = readProposal(argv.stateDir, argv.id);
    if (argv.json) {
      process.stdout.write(JSON.stringify(p, null, 2) + '\n');
      return;
    }
    const lib = await nativeLibseccomp();
    const plan = await readFile(p.profile.path).then((bytes) => planApply(p, bytes, { lib, allowRisky: true }), (e: Error) => e).catch((e: Error) => e);
    process.stdout.write(formatProposalPage(p, plan, useColour()));
  },
});

const exportCommand = defineCommand({
  command: 'export',
  describe: 'this host\'s proposals as one document (per profile content hash) for `proposals import` elsewhere',
  builder: (y) => withHost(withStateDir(y))
    .option('output', { alias: 'o', type: 'string', describe: 'write here (atomically) instead of stdout' }),
  handler: async (argv) => {
    const r = exportProposals(argv.stateDir, argv.host);
    for (const s of r.skipped) process.stderr.write(`seccomp-tailor: not exported: ${esc(s)}\n`);
    await emit(serializeFleetDocument(r.document), argv.output);
    if (argv.output) process.stderr.write(`exported ${r.document.items.length} proposal(s) of ${esc(argv.host)} to ${esc(argv.output)}\n`);
  },
});

const importCommand = defineCommand({
  command: 'import <file>',
  describe: 'merge another host\'s proposals into this one\'s, by profile content hash (importing twice adds nothing)',
  builder: (y) => withHost(withStateDir(y))
    .positional('file', { type: 'string', demandOption: true, describe: 'a document written by `proposals export`' })
    .option('profile-dir', profileDirOption),
  handler: async (argv) => {
    const profileDirs = await profileDirsFor(argv.stateDir, argv.profileDir);
    const r = importProposals(argv.file, { stateDir: argv.stateDir, host: argv.host, isRejected: rejectionChecker(argv.stateDir), profileDirs });
    for (const i of r.items) {
      if (i.kind === 'refused') {
        process.stderr.write(`seccomp-tailor: not imported: ${esc(i.path)} (sha256 ${i.sha256.slice(0, 16)}…): ${esc(i.why)}\n`);
        process.exitCode = 1;
      } else if (i.kind === 'unchanged') process.stdout.write(`${i.id} ${esc(i.path)}: nothing new from ${esc(r.from)}\n`);
      else process.stdout.write(`${i.id} ${esc(i.path)}: ${i.kind} with ${i.contributions} contribution(s) from ${esc(r.from)}\n`);
    }
    if (r.items.length === 0) process.stdout.write(`no proposals in ${esc(argv.file)}\n`);
  },
});

export default defineCommand({
  command: 'proposals',
  describe: 'the profile changes the watcher proposes: list, show ID, export, import FILE',
  builder: (y) => y.command(list).command(show).command(exportCommand).command(importCommand),
  handler: () => undefined,
});
