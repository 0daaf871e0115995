// `seccomp-tailor events [FILE|-]`: SECCOMP events from any log Linux writes them to.
import { defineCommand } from './command.js';
import { LOG_FORMATS, type LogFormat } from '../../../parsers/index.js';
import { runEvents } from '../../watch/events.js';
import { DEFAULT_NETLINK_RCVBUF } from '../../watch/defaults.js';
import { syscallName } from '../../native/libseccomp.js';

export default defineCommand({
  command: 'events [file]',
  describe: 'print the SECCOMP events of a log: audit.log, kmsg, dmesg, syslog, journalctl (- for stdin)',
  builder: (y) =>
    y
      .positional('file', { type: 'string', default: '-', describe: 'log file, or - for stdin' })
      .option('format', { choices: ['auto', ...LOG_FORMATS], default: 'auto', describe: 'skip per-line detection' })
      .option('json', { type: 'boolean', default: false, describe: 'one JSON object per event' })
      .option('follow', { alias: 'F', type: 'boolean', default: false, describe: 'keep reading across rotation, like tail -F' })
      .option('count', { type: 'boolean', default: false, describe: 'parse only: print just the summary' })
      .option('source', { choices: ['file', 'netlink'] as const, default: 'file' as const, describe: 'netlink: live events from the audit multicast socket (root; runs until interrupted, --follow implied)' })
      .option('netlink-rcvbuf', { type: 'number', default: DEFAULT_NETLINK_RCVBUF, describe: 'receive buffer of the netlink socket in bytes' }),
  handler: async (argv) => {
    const path = String(argv.file ?? '-');
    const ac = new AbortController();
    const stop = () => ac.abort();
    process.once('SIGINT', stop).once('SIGTERM', stop);
    await runEvents({
      path,
      ...(argv.source === 'netlink' ? { source: 'netlink' as const } : {}),
      ...(typeof argv.netlinkRcvbuf === 'number' && argv.netlinkRcvbuf > 0 ? { netlinkRcvbuf: argv.netlinkRcvbuf } : {}),
      format: argv.format === 'auto' ? undefined : (argv.format as LogFormat),
      json: argv.json === true,
      follow: argv.follow === true && path !== '-',
      countOnly: argv.count === true,
      resolveSyscall: syscallName,
      // Syslog's `Nov 28 14:53:05` has no year; this year is the best guess for a live log.
      yearHint: new Date().getUTCFullYear(),
      out: process.stdout,
      err: process.stderr,
      signal: ac.signal,
    });
  },
});
