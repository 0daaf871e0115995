// Which container a process belonged to, by time as well as identity. Namespace inode numbers are
// handed out again as soon as a namespace is freed (the next container very often gets the previous
// one's pid and mount namespace inodes), so an inode names a container only together with a time.
// Every time here is the kernel's CLOCK_BOOTTIME in microseconds: a process's start as the exit
// witness saw it (exact, ns) or /proc showed it (10 ms ticks), a container init's start and exit.
// No audit stamp is needed to decide: the stamp is CLOCK_REALTIME read from the coarse clock
// (ktime_get_coarse_real_ts64, up to a jiffy behind) and printed to the millisecond, while a
// process's own start is exact and in the same clock as the containers' lifetimes.
import type { RegistryEntry } from '../state/registry.js';
import { CLOCK_TICKS_PER_SECOND } from './proc.js';

export const US_PER_TICK = 1_000_000 / CLOCK_TICKS_PER_SECOND;

export interface Lifetime {
  /** The init started in [startLow, startHigh]: one point when witnessed, a 10 ms tick from /proc. */
  startLow: number;
  startHigh: number;
  /** When the init exited (the namespace died with or after it); undefined: running, or not witnessed. */
  exit?: number;
}

export function lifetimeOf(e: RegistryEntry): Lifetime {
  const exit = e.exitBootUs;
  if (e.startBootUs !== undefined) return { startLow: e.startBootUs, startHigh: e.startBootUs, ...(exit !== undefined ? { exit } : {}) };
  return { startLow: e.initStartTime * US_PER_TICK, startHigh: (e.initStartTime + 1) * US_PER_TICK, ...(exit !== undefined ? { exit } : {}) };
}

export type Generation = { entry: RegistryEntry } | { ambiguous: RegistryEntry[] } | undefined;

/**
 * Of the containers that carried one namespace inode (or cgroup id), the one whose namespace a
 * process that started at `startUs` (and had that inode) lived in. A namespace is freed only after
 * its init exited and its inode is reused only after it is freed: the generations of one inode are
 * disjoint in time. So a generation is ruled out when the process started before its init could
 * have, or after its init exited, or after a later generation had certainly started. What is left
 * must be one generation that had certainly started by then; anything else (two left, or one whose
 * start is known only to a tick that contains the process's start) is ambiguous, never a guess.
 */
export function generationAt(entries: readonly RegistryEntry[], startUs: number, ended: (e: RegistryEntry) => boolean = (e) => e.stoppedAt !== undefined): Generation {
  const lives = entries.map((entry) => ({ entry, l: lifetimeOf(entry) }));
  const possible = lives.filter(({ entry, l }) => l.startLow <= startUs && (l.exit === undefined || startUs <= l.exit)
    && !lives.some((later) => later.entry !== entry && later.l.startLow >= l.startHigh && later.l.startLow > l.startLow && later.l.startHigh <= startUs));
  if (possible.length === 0) return undefined;
  const only = possible.length === 1 ? possible[0]! : undefined;
  // A container that has ended without its exit being known could have ended before the process
  // started (and its inode gone to one discovery missed): only a running one or a known exit is certain.
  if (only && only.l.startHigh <= startUs && (only.l.exit !== undefined || !ended(only.entry))) return { entry: only.entry };
  return { ambiguous: possible.map((p) => p.entry) };
}

/** Boot-time nanoseconds (the witness's clock) to the microseconds lifetimes are kept in. */
export const bootNsToUs = (ns: bigint): number => Number(ns / 1000n);
