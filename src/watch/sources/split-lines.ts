// split2 as the line splitter over a child's or standard input's stream, with the parsers' line
// limit: a line longer than MAX_LINE_BYTES that spans chunks is skipped to its end instead of
// being buffered whole, and stands in the output as OVERSIZE, in order. (A long line that
// arrives within one chunk comes out whole; the parsers refuse it as oversize themselves.)
import split2 from 'split2';
import type { Transform, TransformCallback } from 'node:stream';
import { MAX_LINE_BYTES } from '../../../parsers/index.js';

export const OVERSIZE = Symbol('oversize line');
/** What is known of a skipped line's length: more than the limit. */
export const OVERSIZE_BYTES = MAX_LINE_BYTES + 1;

type Split2 = Transform & { overflow: boolean };

export function splitLines(matcher: string | RegExp = '\n'): Transform {
  // skipOverflow is split2's (not in its type definitions).
  const options: split2.Options & { skipOverflow: boolean } = { maxLength: MAX_LINE_BYTES, skipOverflow: true };
  const lines = split2(matcher, options) as Split2;
  const transform = lines._transform.bind(lines);
  // A skip starts at the end of a chunk whose unfinished line passed the limit.
  lines._transform = (chunk: Buffer, enc: BufferEncoding, cb: TransformCallback) => {
    const was = lines.overflow;
    transform(chunk, enc, (err?: Error | null) => {
      if (!err && !was && lines.overflow) lines.push(OVERSIZE);
      cb(err);
    });
  };
  return lines;
}
