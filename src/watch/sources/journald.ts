// journald, through `journalctl -f -o json`: the audit transport (_AUDIT_TYPE=1326) and the
// kernel transport (loss notices, and the records when journald reads kmsg; SYSLOG_FACILITY tells the
// kernel's own from user-space writes to /dev/kmsg, see journald-json.ts). The checkpoint is
// the journal cursor of the last entry handed over; the parser drops the copy of a record that
// arrives through both transports.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { streamLines } from '../line-source.js';
import { watchSourceFailed } from '../../errors.js';
import type { Checkpoint } from '../state-store.js';
import type { RunOptions, Source, SourceSink } from './source.js';

const CURSOR = /"__CURSOR"\s*:\s*"((?:[^"\\]|\\.)*)"/;

export function journalctlArgs(resume: Checkpoint | undefined, follow: boolean): string[] {
  const args = ['-o', 'json', '--no-pager', '--output-fields=MESSAGE,_AUDIT_TYPE,_AUDIT_ID,_SOURCE_REALTIME_TIMESTAMP,_TRANSPORT,SYSLOG_FACILITY,_HOSTNAME,__CURSOR'];
  if (follow) args.push('-f');
  if (resume?.kind === 'journald') args.push(`--after-cursor=${resume.cursor}`);
  else args.push('-n', '0');
  args.push('_AUDIT_TYPE=1326', '+', '_TRANSPORT=kernel');
  return args;
}

export class JournaldSource implements Source {
  readonly key = 'journald';
  readonly description = 'journald (journalctl -f -o json)';
  constructor(private readonly journalctl = 'journalctl') {}

  async run(sink: SourceSink, resume: Checkpoint | undefined, opts: RunOptions): Promise<void> {
    const child = spawn(this.journalctl, journalctlArgs(resume, !opts.once), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => { if (stderr.length < 4096) stderr += d; });
    const abort = () => child.kill('SIGTERM');
    opts.signal.addEventListener('abort', abort, { once: true });
    const exited = once(child, 'close');
    try {
      // journalctl -o json writes one UTF-8 JSON object a line (binary fields become arrays of
      // numbers), handed over as the latin1 view of its bytes (the parser decodes JSON as UTF-8).
      // The next chunk is read only once this one's lines are handled: while the engine is busy
      // the pipe fills and journalctl blocks, which is the backpressure. An entry longer than a
      // parser accepts is skipped, not buffered without bound.
      await streamLines(child.stdout, {
        line: (line) => {
          if (line.length === 0) return;
          sink.line(line, true);
          const m = CURSOR.exec(line);
          if (m) sink.checkpoint({ kind: 'journald', cursor: JSON.parse(`"${m[1]}"`) as string });
        },
        oversize: (n) => sink.oversize(n),
      });
    } finally {
      opts.signal.removeEventListener('abort', abort);
    }
    const [code] = (await exited) as [number | null];
    if (!opts.signal.aborted && code !== 0 && !opts.once) {
      throw watchSourceFailed(`journalctl exited with ${code}: ${stderr.trim().split('\n')[0] ?? ''}`);
    }
  }
}
