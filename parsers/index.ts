// The parsers' public surface: pure functions from log text to SeccompEvents.
export type * from './types.js';
export { parseLine, parseText, MAX_LINE_BYTES, type LineOptions } from './parse-line.js';
export { createLineParser, createLineSplitter, createByteLineSplitter, DEFAULT_DEDUPE_WINDOW } from './stream.js';
export type { LineParser, LineParserOptions, ParseCounters, LineSink, LineSplitter, ByteLineSink } from './stream.js';
export { detectFormat, LOG_FORMATS, type LogFormat, type DetectedFormat } from './detect.js';
export { decodeCode, type DecodedCode } from './actions.js';
export { archName, X32_SYSCALL_BIT } from './arch.js';
export { findAuditStamp, type AuditStamp } from './audit-stamp.js';
