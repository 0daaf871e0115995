// `seccomp-tailor profile readiness PROFILE [RECORDING...]`: is the profile ready to enforce?
import { readinessBadArgument } from '../../errors.js';
import { gatherReadiness } from '../../readiness/gather.js';
import { DEFAULT_THRESHOLDS, formatDuration, parseDuration, renderReadiness } from '../../readiness/readiness.js';
import { defaultStateDir } from '../../state/paths.js';
import { escapeTerminal as esc } from '../../terminal/escape.js';
import { defineCommand } from './command.js';

export const readinessCommand = defineCommand({
  command: 'readiness <profile> [recordings..]',
  describe: 'ready to enforce? runs seen (history + recorded profiles named), last new syscall, Good–Turing chance of a new one, open proposals',
  builder: (y) => y.positional('profile', { type: 'string', demandOption: true })
    .positional('recordings', { type: 'string', array: true, describe: 'recorded profiles of the same workload, counted as runs in the order they were written' })
    .option('json', { type: 'boolean', default: false })
    .option('min-runs', { type: 'number', default: DEFAULT_THRESHOLDS.minRuns, describe: 'runs needed at least' })
    .option('quiet-for', { type: 'string', default: formatDuration(DEFAULT_THRESHOLDS.quietForMs), describe: 'no new syscall for this long: 0, 90s, 30m, 12h, 7d' })
    .option('max-p-new', { type: 'number', default: DEFAULT_THRESHOLDS.maxPNew, describe: 'largest acceptable estimate (0-1) that the next run needs a new syscall' })
    .option('state-dir', { type: 'string', default: defaultStateDir, describe: 'the watcher\'s state directory (history, proposals)' }),
  handler: (argv) => {
    const quietForMs = parseDuration(String(argv.quietFor));
    if (quietForMs === undefined) throw readinessBadArgument(`--quiet-for ${JSON.stringify(argv.quietFor)}: expected 0 or a number with s, m, h or d (12h, 7d)`);
    if (!Number.isInteger(argv.minRuns) || argv.minRuns < 1) throw readinessBadArgument(`--min-runs ${argv.minRuns}: expected a whole number of at least 1`);
    if (!(argv.maxPNew >= 0 && argv.maxPNew <= 1)) throw readinessBadArgument(`--max-p-new ${argv.maxPNew}: expected a number between 0 and 1`);
    const { result, problems } = gatherReadiness(argv.profile, argv.recordings ?? [], argv.stateDir, { minRuns: argv.minRuns, quietForMs, maxPNew: argv.maxPNew });
    for (const p of problems) process.stderr.write(`seccomp-tailor: warning: ${esc(p)}\n`);
    process.stdout.write(argv.json ? JSON.stringify(result, null, 2) + '\n' : renderReadiness(result).split('\n').map((l) => esc(l)).join('\n'));
  },
});
