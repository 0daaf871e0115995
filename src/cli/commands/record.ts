// `seccomp-tailor record [--output FILE] -- CMD ARGS...`
import { defineCommand } from './command.js';
import { recordCommand, recordingAgainst } from '../../record/record-command.js';
import { escapeTerminal } from '../../terminal/escape.js';
import { serializeProfile } from '../../profile/schema.js';
import { writeFileAtomic } from '../../fs/atomic-write.js';
import { assertPlatform } from '../../install/preflight.js';
import { profileWider, recordNoCommand } from '../../errors.js';
import { ALLOW_CLONE3_OPTION, FAMILIES_OPTION } from './profile.js';
import { familyAllowWarning } from '../../profile/families.js';

async function runtimeExtras(runtime: string) {
  const { runtimeNeedsFor, runtimeVersion } = await import('../../record/runtime-needs.js');
  const { nativeArch } = await import('../../native/libseccomp.js');
  return runtimeNeedsFor(runtime, runtimeVersion(runtime), nativeArch());
}

async function gate(rec: Parameters<typeof recordingAgainst>[0], path: string, format: 'text' | 'github'): Promise<void> {
  const { readProfile } = await import('../../profile/toolbox.js');
  const { formatGate } = await import('../../profile/against.js');
  const { nativeArch } = await import('../../native/libseccomp.js');
  const g = recordingAgainst(rec, await readProfile(path), nativeArch());
  for (const l of formatGate(g, path, format)) process.stdout.write(`${escapeTerminal(l)}\n`);
  if (g.violations.length) {
    process.stderr.write(`seccomp-tailor: ${profileWider(path, g.violations.length).message}\n`);
    process.exitCode = 1;
  } else process.stderr.write(`seccomp-tailor: ${path} allows everything the run needed\n`);
}

export default defineCommand({
  command: 'record [command..]',
  describe: 'run a command under the eBPF tracer and write the seccomp profile of what it and all its descendants called',
  builder: (y) =>
    y
      .usage('$0 record [--output FILE] -- CMD [ARGS...]')
      .positional('command', { type: 'string', array: true, describe: 'the command and its arguments, after --' })
      .option('output', { alias: 'o', type: 'string', describe: 'profile file to write (atomically); default: standard output' })
      .option('wait', { type: 'number', default: 10, describe: 'seconds to wait for descendants after the command exits' })
      .option('runtime', { type: 'string', describe: 'also allow what this OCI runtime (runc, crun) calls after installing the filter, as measured (src/record/runtime-needs/), so the profile works for the command in a container' })
      .option('names-only', { type: 'boolean', default: false, describe: 'names only, no argument rules (the profiles of earlier versions)' })
      .option('clone3-enosys', { type: 'boolean', default: false, describe: 'clone3 fails with ENOSYS so libc falls back to clone, whose flags the profile filters (clone3\'s flags are behind a pointer seccomp cannot read)' })
      .option('families', FAMILIES_OPTION).option('allow-clone3', ALLOW_CLONE3_OPTION)
      .option('against', { type: 'string', describe: 'CI gate: exit 1 when the run needed anything this profile does not allow (syscalls, argument values); the recorded profile is then written only with -o' })
      .option('format', { choices: ['text', 'github'] as const, default: 'text' as const, describe: 'with --against: github prints ::error:: workflow commands' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no summary on standard error' }),
  handler: async (argv) => {
    // yargs leaves what follows `--` in argv._ after the command's own name.
    const words = [...((argv.command) ?? []), ...((argv._ as unknown[]).slice(1))].map(String);
    const [cmd, ...args] = words;
    if (!cmd) throw recordNoCommand();
    assertPlatform({ bpffs: false });
    const runtime = typeof argv.runtime === 'string' ? await runtimeExtras(argv.runtime) : undefined;
    const rec = await recordCommand(cmd, args, {
      descendantsTimeoutMs: (argv.wait) * 1000, extraNames: runtime?.names,
      namesOnly: argv.namesOnly === true, clone3: argv.clone3Enosys === true ? 'enosys' : 'allow',
      families: argv.families, allowClone3: argv.allowClone3 === true,
    });
    const widened = familyAllowWarning({ profile: undefined, enosys: [], allowed: rec.familyAllowed, notes: [] });
    if (widened) process.stderr.write(`seccomp-tailor: warning: ${widened}\n`);
    if (runtime?.warning) process.stderr.write(`seccomp-tailor: warning: ${runtime.warning}\n`);
    const text = serializeProfile(rec.profile);
    if (typeof argv.output === 'string') await writeFileAtomic(argv.output, text, { mode: 0o644 });
    else if (typeof argv.against !== 'string') process.stdout.write(text);
    if (!argv.quiet) {
      const perArch = new Map<string, number>();
      for (const c of rec.calls) perArch.set(c.arch, (perArch.get(c.arch) ?? 0) + 1);
      const archs = [...perArch].map(([a, n]) => `${a}: ${n}`).join(', ') || 'none';
      const allowed = new Set((rec.profile.syscalls ?? []).filter((r) => r.action === 'SCMP_ACT_ALLOW').flatMap((r) => r.names)).size;
      process.stderr.write(`seccomp-tailor: recorded ${allowed} syscalls (${archs}) from ${rec.state.initialTasks + rec.state.forks} tasks, ${rec.state.execs} execs` +
        (rec.unknown.length ? `; ${rec.unknown.length} numbers no table names were left out` : '') +
        (rec.state.dropped ? `; ${rec.state.dropped} out-of-range calls ignored` : '') +
        (rec.leftRunning ? `; ${rec.leftRunning} descendants still running were not waited for` : '') +
        `; argument rules: ${rec.restricted.length} syscalls restricted${rec.restricted.length ? ` (${rec.restricted.join(', ')})` : ''}\n`);
      for (const n of rec.argNotes) process.stderr.write(`seccomp-tailor: ${n.syscall}: ${n.note}\n`);
      for (const n of rec.familyNotes) process.stderr.write(`seccomp-tailor: ${n.syscall}: ${n.note}\n`);
    }
    process.exitCode = rec.exit.code ?? (rec.exit.signal ? 128 + 15 : 1);
    if (typeof argv.against === 'string') await gate(rec, argv.against, argv.format);
  },
});
