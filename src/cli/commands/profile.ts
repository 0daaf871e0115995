// `seccomp-tailor profile validate|diff|merge|stats|complain|enforce|export`
import type { Argv } from 'yargs';
import { nativeLibseccomp } from '../../profile/libseccomp-view.js';
import {
  complainFile, diffFiles, emit, enforceFile, exportFile, mergeFiles, statsFile, validateFiles,
} from '../../profile/toolbox.js';
import { escapeTerminal as esc } from '../../terminal/escape.js';
import { defineCommand } from './command.js';
import { resolve } from 'node:path';
import { defaultStateDir } from '../../state/paths.js';
import { indexProfileFile } from '../../state/profile-index.js';
import { readinessCommand } from './profile-readiness.js';

export const FAMILIES_OPTION = {
  choices: ['enosys', 'allow', 'off'] as const, default: 'enosys' as const,
  describe: 'newer calls the profile never saw whose older call it allows (clone3, faccessat2, openat2, ...): enosys makes libc fall back; allow allows them by name (wider; clone3 stays ENOSYS without --allow-clone3); off adds nothing',
};
export const ALLOW_CLONE3_OPTION = { type: 'boolean', default: false, describe: 'with --families allow, allow clone3 by name too (its flags are behind a pointer seccomp cannot read)' } as const;
const warn = (ws: readonly string[]): void => ws.forEach((w) => process.stderr.write(`seccomp-tailor: warning: ${w}\n`));
const out = <T>(y: Argv<T>) => y.option('output', { alias: 'o', type: 'string', describe: 'write here (atomically) instead of stdout' });
const indexed = <T>(y: Argv<T>) => y.option('state-dir', { type: 'string', default: defaultStateDir, describe: 'note the -o file in this state directory\'s profile index (the watcher finds it when Docker embeds it)' });

/**
 * Docker embeds a profile's JSON and forgets its path: noting the written file lets the watcher
 * propose against it. Best effort: a user who cannot write the state directory still gets the file.
 */
function noteWritten(argv: { output?: string | undefined; stateDir?: string | undefined }, text: string): void {
  if (argv.output === undefined) return;
  try {
    indexProfileFile(argv.stateDir ?? defaultStateDir, resolve(argv.output), text);
  } catch { /* not root: the watcher falls back to an embedded copy */ }
}

const subcommands = [
  defineCommand({
    command: 'validate <files..>',
    describe: 'schema + libseccomp compile + sanity checks; one line per problem',
    builder: (y) => y.positional('files', { type: 'string', array: true, demandOption: true }),
    handler: async (argv) => {
      const results = await validateFiles(argv.files, await nativeLibseccomp());
      let bad = false;
      for (const { file, problems } of results) {
        if (problems.length === 0) process.stdout.write(`${esc(file)}: ok\n`);
        for (const p of problems) process.stdout.write(`${esc(file)}: ${p.severity}: ${esc(p.message)}\n`);
        bad ||= problems.some((p) => p.severity === 'error');
      }
      if (bad) process.exitCode = 1;
    },
  }),
  defineCommand({
    command: 'diff <a> <b>',
    describe: 'syscalls added/removed per action and arch, conditional rule changes',
    builder: (y) => y.positional('a', { type: 'string', demandOption: true }).positional('b', { type: 'string', demandOption: true })
      .option('json', { type: 'boolean', default: false })
      .option('exit-code', { type: 'boolean', default: false, describe: 'exit 1 when B allows anything A does not (like git diff --exit-code), 0 otherwise' }),
    handler: async (argv) => {
      const { diff, text, wider } = await diffFiles(argv.a, argv.b, await nativeLibseccomp().catch(() => undefined));
      process.stdout.write(argv.json ? JSON.stringify({ ...diff, wider }, null, 2) + '\n' : text);
      if (argv.exitCode) {
        for (const w of wider) process.stderr.write(`seccomp-tailor: wider: ${w}\n`);
        if (wider.length) process.exitCode = 1;
      }
    },
  }),
  defineCommand({
    command: 'merge <files..>',
    describe: 'union of profiles into the first (baseline); a name any input blocks stays blocked',
    builder: (y) => out(y.positional('files', { type: 'string', array: true, demandOption: true }))
      .option('provenance', { type: 'boolean', default: false, describe: 'group names by the inputs they come from, in comment fields' }),
    handler: async (argv) => {
      const r = await mergeFiles(argv.files, { provenance: argv.provenance === true });
      warn(r.warnings);
      await emit(r.text, argv.output);
    },
  }),
  defineCommand({
    command: 'stats <file>',
    describe: "allowed syscalls per arch vs the arch's table and podman's default profile; dangerous ones allowed",
    builder: (y) => y.positional('file', { type: 'string', demandOption: true }).option('json', { type: 'boolean', default: false })
      .option('default-profile', { type: 'string', describe: 'the reference profile (default: /usr/share/containers/seccomp.json)' }),
    handler: async (argv) => {
      const r = await statsFile(argv.file, await nativeLibseccomp(), argv.defaultProfile);
      process.stdout.write(argv.json ? JSON.stringify(r.stats, null, 2) + '\n' : r.text);
    },
  }),
  defineCommand({
    command: 'complain <file>',
    describe: 'the complain-mode variant: default SCMP_ACT_LOG (runs everything, logs what the allow-list lacks)',
    builder: (y) => indexed(out(y.positional('file', { type: 'string', demandOption: true }))),
    handler: async (argv) => {
      const r = await complainFile(argv.file);
      warn(r.warnings);
      await emit(r.text, argv.output);
      noteWritten(argv, r.text);
    },
  }),
  defineCommand({
    command: 'enforce <file>',
    describe: 'the enforcing variant whose denials are logged: errno (+SECCOMP_FILTER_FLAG_LOG) or kill',
    builder: (y) => indexed(out(y.positional('file', { type: 'string', demandOption: true })))
      .option('mode', { choices: ['errno', 'kill'] as const, default: 'errno' as const })
      .option('runtime', { choices: ['crun', 'runc'] as const, default: 'crun' as const, describe: 'runc before 1.2 refuses "flags": they are then left out' })
      .option('families', FAMILIES_OPTION).option('allow-clone3', ALLOW_CLONE3_OPTION),
    handler: async (argv) => {
      const r = await enforceFile(argv.file, argv.mode, argv.runtime, { mode: argv.families, allowClone3: argv.allowClone3 === true });
      warn(r.warnings);
      await emit(r.text, argv.output);
      noteWritten(argv, r.text);
    },
  }),
  defineCommand({
    command: 'translate <file>',
    describe: 'the profile for another arch (aarch64, x86_64) or several (x86_64,aarch64: one multi-arch profile), checked by libseccomp',
    builder: (y) => out(y.positional('file', { type: 'string', demandOption: true }))
      .option('arch', { type: 'string', demandOption: true, describe: 'target arch(es): aarch64, x86_64, or x86_64,aarch64' }),
    handler: async (argv) => {
      const { translateFile, parseTargets } = await import('../../profile/translate-file.js');
      const r = await translateFile(argv.file, parseTargets(argv.arch), await nativeLibseccomp());
      for (const l of r.lines) process.stderr.write(`seccomp-tailor: ${l}\n`);
      for (const p of r.problems) process.stderr.write(`seccomp-tailor: ${p.severity}: ${esc(p.message)}\n`);
      if (r.problems.some((p) => p.severity === 'error')) {
        process.exitCode = 1;
        return;
      }
      await emit(r.text, argv.output);
    },
  }),
  defineCommand({
    command: 'export <file>',
    describe: "the OCI config.json linux.seccomp fragment, or a Security Profiles Operator SeccompProfile (YAML)",
    builder: (y) => out(y.positional('file', { type: 'string', demandOption: true }))
      .option('format', { choices: ['oci', 'spo'] as const, default: 'oci' as const })
      .option('name', { type: 'string', describe: 'SeccompProfile metadata.name (default: from the file name)' })
      .option('namespace', { type: 'string', describe: 'SeccompProfile metadata.namespace' }),
    handler: async (argv) => {
      const r = await exportFile(argv.file, argv.format, await nativeLibseccomp(), {
        ...(typeof argv.name === 'string' ? { name: argv.name } : {}),
        ...(typeof argv.namespace === 'string' ? { namespace: argv.namespace } : {}),
      });
      warn(r.warnings);
      await emit(r.text, argv.output);
    },
  }),
  readinessCommand,
];

export default defineCommand({
  command: 'profile <command>',
  describe: 'the profile toolbox: validate, diff, merge, stats, complain, enforce, translate, export, readiness',
  builder: (y) => subcommands.reduce((acc, c) => acc.command(c), y).demandCommand(1),
  handler: () => undefined,
});
