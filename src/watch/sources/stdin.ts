// `--source -`: lines from standard input, to its end. No checkpoint: a pipe cannot be re-read.
import type { Checkpoint } from '../state-store.js';
import { streamLines } from '../line-source.js';
import type { RunOptions, Source, SourceSink } from './source.js';

export class StdinSource implements Source {
  readonly key = 'stdin';
  readonly description = 'standard input';
  constructor(private readonly input: AsyncIterable<Buffer | string> = process.stdin) {}

  async run(sink: SourceSink, _resume: Checkpoint | undefined, opts: RunOptions): Promise<void> {
    // Lines are latin1 views of the bytes, as from a file.
    await streamLines(this.input, { line: (t) => sink.line(t, true), oversize: (n) => sink.oversize(n) }, { signal: opts.signal });
  }
}
