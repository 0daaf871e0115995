// Shared by the parser tests: a small syscall table (the real one is libseccomp's, via the addon)
// and the way a sample log is turned into its expected events.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createLineParser, createLineSplitter, type ParseCounters, type SeccompEvent, type SyscallResolver } from '../../parsers/index.js';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const samplesDir = `${repoRoot}samples/logs/`;

const TABLE: Record<string, Record<number, string>> = {
  x86_64: { 0: 'read', 1: 'write', 3: 'close', 11: 'munmap', 13: 'rt_sigaction', 51: 'getsockname', 54: 'setsockopt', 56: 'clone', 63: 'uname', 72: 'fcntl', 80: 'chdir', 83: 'mkdir', 90: 'chmod', 170: 'sethostname', 202: 'futex', 268: 'fchmodat', 270: 'pselect6', 272: 'unshare', 288: 'accept4', 439: 'faccessat2' },
  x86: { 132: 'getpgid' },
  x32: { 0x40000001: 'write' },
  aarch64: { 227: 'msync' },
};
export const resolveSyscall: SyscallResolver = (arch, nr) => TABLE[arch]?.[nr];

export interface SampleResult { counters: ParseCounters; events: SeccompEvent[] }

/** Parse a sample as `events` does: bytes, split into lines, one stateful parser. */
export function parseSample(bytes: Buffer, opts: { yearHint?: number } = {}): SampleResult {
  const parser = createLineParser({ resolveSyscall, yearHint: opts.yearHint ?? 2026 });
  const events: SeccompEvent[] = [];
  const splitter = createLineSplitter({
    line: (l) => { const r = parser.push(l, true); if (r.kind === 'event') events.push(r.event); },
    oversize: (n) => { parser.oversize(n); },
  });
  splitter.push(bytes);
  splitter.end();
  // Through JSON so undefined keys compare as absent, as `events --json` prints them.
  return JSON.parse(JSON.stringify({ counters: parser.counters, events })) as SampleResult;
}

export const readSample = (name: string): Buffer => readFileSync(samplesDir + name);
