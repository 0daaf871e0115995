// journald, through `journalctl -f -o json`: the audit transport (_AUDIT_TYPE=1326) and the
// kernel transport (loss notices, and the records when journald reads kmsg). The checkpoint is
// the journal cursor of the last entry handed over; the parser drops the copy of a record that
// arrives through both transports.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { watchSourceFailed } from '../../errors.js';
import type { Checkpoint } from '../state-store.js';
import type { RunOptions, Source, SourceSink } from './source.js';

const CURSOR = /"__CURSOR"\s*:\s*"((?:[^"\\]|\\.)*)"/;

export function journalctlArgs(resume: Checkpoint | undefined, follow: boolean): string[] {
  const args = ['-o', 'json', '--no-pager', '--output-fields=MESSAGE,_AUDIT_TYPE,_AUDIT_ID,_SOURCE_REALTIME_TIMESTAMP,_TRANSPORT,_HOSTNAME,__CURSOR'];
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
    let partial = '';
    try {
      // Async iteration pulls one chunk at a time: while a chunk is handled, the pipe fills and
      // journalctl blocks, which is the backpressure.
      for await (const chunk of child.stdout) {
        const s = partial + (chunk as Buffer).toString('utf8');
        let from = 0;
        let lastCursor: string | undefined;
        for (;;) {
          const nl = s.indexOf('\n', from);
          if (nl < 0) break;
          const line = s.slice(from, nl);
          from = nl + 1;
          if (line.length === 0) continue;
          sink.line(line, false);
          const m = CURSOR.exec(line);
          if (m) lastCursor = JSON.parse(`"${m[1]}"`) as string;
        }
        partial = s.slice(from);
        if (lastCursor !== undefined) sink.checkpoint({ kind: 'journald', cursor: lastCursor });
      }
    } finally {
      opts.signal.removeEventListener('abort', abort);
    }
    const [code] = (await exited) as [number | null];
    if (!opts.signal.aborted && code !== 0 && !opts.once) {
      throw watchSourceFailed(`journalctl exited with ${code}: ${stderr.trim().split('\n')[0] ?? ''}`);
    }
  }
}
