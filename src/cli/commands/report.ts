// `seccomp-tailor report [PROFILE] [--html FILE] [--registry-id ID] [--state-dir DIR] [--timeline FILE] | --live ID [--config FILE]`
import { writeFileAtomic } from '../../fs/atomic-write.js';
import { loadReport } from '../../report/load.js';
import { renderHtml } from '../../report/render-html.js';
import { renderText } from '../../report/render-text.js';
import { defaultStateDir } from '../../state/paths.js';
import { escapeTerminal as esc } from '../../terminal/escape.js';
import { defineCommand } from './command.js';

export default defineCommand({
  command: 'report [profile]',
  describe: "a profile at a glance: syscalls by kind, what podman's default allows that it does not, risky ones, growth over time",
  builder: (y) =>
    y
      .positional('profile', { type: 'string', describe: 'the profile (default: the one of --registry-id)' })
      .option('html', { type: 'string', describe: 'write one self-contained HTML file here instead of text to stdout' })
      .option('registry-id', { type: 'string', describe: 'a recorded container: its facts, profile file and timeline from the registry' })
      .option('state-dir', { type: 'string', default: defaultStateDir, describe: 'state directory (holds the registry)' })
      .option('timeline', { type: 'string', describe: 'first-seen times, JSON [{name, arch, firstSeen}] (default: PROFILE.timeline.json if present)' })
      .option('default-profile', { type: 'string', describe: 'the reference profile (default: /usr/share/containers/seccomp.json)' })
      .option('live', { type: 'string', describe: 'a container the hook is recording now: its profile so far and when each syscall first appeared' })
      .option('config', { type: 'string', describe: 'hook config file, for --live (default: /etc/seccomp-tailor/hook.json)' }),
  handler: async (argv) => {
    const reference = typeof argv.defaultProfile === 'string' ? { defaultProfile: argv.defaultProfile } : {};
    // A container being recorded now (its recording read through the hook), or a profile file.
    const model = typeof argv.live === 'string'
      ? await (await import('../../report/live.js')).loadLiveReport({ id: argv.live, ...reference, ...(typeof argv.config === 'string' ? { hookConfig: argv.config } : {}) })
      : await loadReport({
        stateDir: argv.stateDir,
        ...(typeof argv.profile === 'string' ? { profile: argv.profile } : {}),
        ...(typeof argv.registryId === 'string' ? { registryId: argv.registryId } : {}),
        ...(typeof argv.timeline === 'string' ? { timeline: argv.timeline } : {}),
        ...reference,
      });
    if (typeof argv.html !== 'string') return void process.stdout.write(renderText(model));
    await writeFileAtomic(argv.html, renderHtml(model), { mode: 0o644 });
    process.stdout.write(`wrote ${esc(argv.html)}: ${model.allowedCount} syscalls${model.reductionVsDefault === undefined ? '' : `, ${model.reductionVsDefault}% smaller than podman's default`}, ${model.risky.length} risky\n`);
  },
});
