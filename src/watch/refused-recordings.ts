// Recordings the hook refused because every recording slot was in use: it leaves one file each
// (state/refused.ts); the watcher counts the names it has not seen before and says so.
import type { Logger } from 'pino';
import { refusalNames, refusedDir } from '../state/refused.js';
import type { WatchMetrics } from './metrics.js';

/** Refused recordings: the hook leaves one file each; a name never seen before is one more. */
export function countRefusedRecordings(stateDir: string, metrics: WatchMetrics, log: Logger): () => void {
  let refusals = new Set(refusalNames(stateDir));
  metrics.recordingsRefused.inc(refusals.size);
  const poll = setInterval(() => {
    const now = refusalNames(stateDir);
    const fresh = now.filter((n) => !refusals.has(n));
    if (fresh.length) {
      metrics.recordingsRefused.inc(fresh.length);
      log.warn({ refused: fresh.length, dir: refusedDir(stateDir) }, 'recordings refused: every recording slot was in use');
    }
    refusals = new Set(now);
  }, 5000);
  poll.unref();
  return () => clearInterval(poll);
}
