// `--source -`: lines from standard input, to its end. No checkpoint: a pipe cannot be re-read.
import type { Checkpoint } from '../state-store.js';
import type { RunOptions, Source, SourceSink } from './source.js';
import { createLineSplitter } from '../../../parsers/index.js';

export class StdinSource implements Source {
  readonly key = 'stdin';
  readonly description = 'standard input';
  constructor(private readonly input: NodeJS.ReadableStream = process.stdin) {}

  async run(sink: SourceSink, _resume: Checkpoint | undefined, opts: RunOptions): Promise<void> {
    const splitter = createLineSplitter({
      line: (text) => sink.line(text, true),
      oversize: (bytes) => sink.oversize(bytes),
    });
    for await (const chunk of this.input) {
      if (opts.signal.aborted) break;
      splitter.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
    }
    splitter.end();
  }
}
