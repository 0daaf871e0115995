// `--source -`: lines from standard input, to its end. No checkpoint: a pipe cannot be re-read.
import type { Checkpoint } from '../state-store.js';
import type { RunOptions, Source, SourceSink } from './source.js';
import { OVERSIZE, OVERSIZE_BYTES, splitLines } from './split-lines.js';

export class StdinSource implements Source {
  readonly key = 'stdin';
  readonly description = 'standard input';
  constructor(private readonly input: NodeJS.ReadableStream = process.stdin) {}

  async run(sink: SourceSink, _resume: Checkpoint | undefined, opts: RunOptions): Promise<void> {
    for await (const line of this.input.pipe(splitLines()) as AsyncIterable<string | typeof OVERSIZE>) {
      if (opts.signal.aborted) break;
      if (line === OVERSIZE) sink.oversize(OVERSIZE_BYTES);
      else sink.line(line, false);
    }
  }
}
