// /proc/<pid>/stat, read in one place: field 22, the start time in clock ticks after boot, is what
// tells a pid from its reuse (the hook's run states, the tracer's slot owners, the watcher's mapper).
import { readFileSync } from 'node:fs';

/** Field 22 of /proc/<pid>/stat. `comm` (field 2) may hold spaces and parentheses: count from the last ')'. */
export function startTicksFromStat(stat: string): number | undefined {
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  // After ") " come fields 3, 4, ...: field 22 is the 20th of those.
  const v = Number(stat.slice(close + 2).split(' ')[19]);
  return Number.isFinite(v) ? v : undefined;
}

/** The start time of a live process, undefined when it is gone. */
export function processStartTime(pid: number, procRoot = '/proc'): number | undefined {
  try {
    return startTicksFromStat(readFileSync(`${procRoot}/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}
