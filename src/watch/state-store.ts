// The watcher's own state: where each source was read up to, and the tallies the proposals are
// rendered from, in ONE file written atomically. Counts and checkpoint therefore always agree: after
// a crash (kill -9 included) the watcher resumes from the checkpoint with exactly the counts that
// covered the lines before it, so a replayed line is never counted twice and none is skipped.
// Proposals are a rendering of this state (rewritten at start), which is why they may be written
// before it: a crash in between only makes them briefly ahead of a state that replay catches up.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../fs/atomic-write.js';
import { z } from 'zod';
import { watchStateCorrupt, watchStateUnreadable } from '../errors.js';
import type { AggregateSnapshot } from './aggregator.js';
import { legacySubjectSchema } from './v1-migration.js';

export const FileCheckpoint = z.object({
  kind: z.literal('file'),
  path: z.string(),
  /** st_dev and st_ino of the file the offset is in (survives rename-rotation). */
  dev: z.number(),
  ino: z.number(),
  offset: z.number().int().nonnegative(),
});
export const KmsgCheckpoint = z.object({
  kind: z.literal('kmsg'),
  /** /proc/sys/kernel/random/boot_id: sequence numbers restart at every boot. */
  bootId: z.string(),
  seq: z.number().int().nonnegative(),
});
export const JournalCheckpoint = z.object({ kind: z.literal('journald'), cursor: z.string() });
export const NetlinkCheckpoint = z.object({
  kind: z.literal('netlink'),
  /** Audit serials restart at every boot. */
  bootId: z.string(),
  /** Every audit event up to this serial was handled (or reported lost). */
  serial: z.number().int().nonnegative(),
  /** Time stamp of that record (ISO 8601), the start of a restart's loss window. */
  time: z.string().optional(),
  /** SECCOMP serials above `serial` already handled (records arrive slightly out of order). */
  handledAbove: z.array(z.number().int().nonnegative()).default([]),
});
/** Not a source's: the kernel's audit lost counter at the last poll (kernel-lost.ts). */
export const KernelLostCheckpoint = z.object({
  kind: z.literal('kernel-lost'),
  /** The counter restarts at every boot. */
  bootId: z.string(),
  lost: z.number().int().nonnegative(),
  time: z.string(),
});
export const Checkpoint = z.discriminatedUnion('kind', [FileCheckpoint, KmsgCheckpoint, JournalCheckpoint, NetlinkCheckpoint, KernelLostCheckpoint]);
export type Checkpoint = z.infer<typeof Checkpoint>;
export type FileCheckpoint = z.infer<typeof FileCheckpoint>;
export type KmsgCheckpoint = z.infer<typeof KmsgCheckpoint>;
export type JournalCheckpoint = z.infer<typeof JournalCheckpoint>;
export type NetlinkCheckpoint = z.infer<typeof NetlinkCheckpoint>;
export type KernelLostCheckpoint = z.infer<typeof KernelLostCheckpoint>;

const Tally = z.looseObject({
  arch: z.string(), syscall: z.string(), nr: z.number(), count: z.number().int().nonnegative(),
  firstSeen: z.string(), lastSeen: z.string(), comm: z.array(z.string()), exe: z.array(z.string()), actions: z.array(z.string()),
});
const containerRef = { id: z.string().optional(), name: z.string().optional(), image: z.string().optional(), runtime: z.string().optional() };
const SubjectSchema = z.looseObject({
  id: z.string(),
  profilePath: z.string(),
  tallies: z.record(z.string(), Tally),
  containers: z.record(z.string(), z.looseObject({
    ...containerRef, count: z.number().int().nonnegative(), firstSeen: z.string(), lastSeen: z.string(), syscalls: z.array(z.string()),
  })),
  others: z.object({ containers: z.number().int().nonnegative(), count: z.number().int().nonnegative(), ids: z.array(z.string()) }),
  folded: z.array(z.string()).optional(),
});
/** Written by version 1: folded on load (v1-migration.ts). */
const LegacySubjectSchema = legacySubjectSchema(Tally);

/** Records no container could be named for with certainty (mapper.ts UnknownReason), or whose filter is not the named profile. */
export const UnattributedTally = z.object({
  count: z.number().int().nonnegative(),
  byReason: z.record(z.string(), z.number().int().nonnegative()),
  first: z.string(),
  last: z.string(),
});
export type UnattributedTally = z.infer<typeof UnattributedTally>;

/** Containers whose annotation named a profile file their bundle's filter is not (a few ids kept). */
export const FilterMismatches = z.object({ count: z.number().int().nonnegative(), containers: z.array(z.string()) });
export type FilterMismatches = z.infer<typeof FilterMismatches>;

export const WatchState = z.object({
  version: z.literal(1),
  unattributed: UnattributedTally.optional(),
  filterMismatches: FilterMismatches.optional(),
  /** Per source key (`file:/var/log/audit/audit.log`, `kmsg`, `journald`, `netlink`). */
  checkpoints: z.record(z.string(), Checkpoint),
  aggregate: z.object({ subjects: z.record(z.string(), z.union([SubjectSchema, LegacySubjectSchema])) }),
  savedAt: z.string(),
});
export type WatchState = z.infer<typeof WatchState>;

export const watchStatePath = (stateDir: string): string => join(stateDir, 'watch', 'state.json');

export function emptyState(): WatchState {
  return { version: 1, checkpoints: {}, aggregate: { subjects: {} }, savedAt: new Date(0).toISOString() };
}

/** The saved state, or an empty one on first start. A corrupt file is an error, never silently reset (that would lose counts). */
export function loadState(stateDir: string): WatchState {
  const path = watchStatePath(stateDir);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
    throw watchStateUnreadable(path, e);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw watchStateCorrupt(path, 'is not JSON', e);
  }
  const r = WatchState.safeParse(json);
  if (!r.success) throw watchStateCorrupt(path, `is not a watch state:\n${z.prettifyError(r.error)}`, r.error);
  return r.data;
}

export function saveState(stateDir: string, checkpoints: Record<string, Checkpoint>, aggregate: AggregateSnapshot, unattributed?: UnattributedTally, filterMismatches?: FilterMismatches): void {
  // AggregateSnapshot is what WatchState.aggregate parses to; the cast only widens the tallies to loose objects.
  const state = { version: 1, checkpoints, aggregate, ...(unattributed ? { unattributed } : {}), ...(filterMismatches ? { filterMismatches } : {}), savedAt: new Date().toISOString() } satisfies Omit<WatchState, "aggregate"> & { aggregate: AggregateSnapshot };
  mkdirSync(join(stateDir, 'watch'), { recursive: true, mode: 0o700 });
  // Durable: resuming after a crash or power loss depends on it (fs/atomic-write.ts).
  writeFileAtomicSync(watchStatePath(stateDir), JSON.stringify(state) + '\n', { mode: 0o600 });
}

/**
 * `proposals list`'s line about denials no proposal holds because their container could not be
 * named with certainty; undefined when there are none (or no readable state).
 */
export function unattributedNote(stateDir: string): string | undefined {
  let state: WatchState;
  try {
    state = loadState(stateDir);
  } catch {
    return undefined;
  }
  const lines: string[] = [];
  const u = state.unattributed;
  if (u && u.count > 0) {
    const why = Object.entries(u.byReason).sort(([a], [b]) => a.localeCompare(b)).map(([r, n]) => `${r} ${n}`).join(', ');
    lines.push(`${u.count} denial${u.count === 1 ? '' : 's'} could not be attributed (${why}; ${u.first} .. ${u.last}); the watcher's log names each process`);
  }
  const f = state.filterMismatches;
  if (f && f.count > 0) {
    lines.push(`${f.count} container${f.count === 1 ? '' : 's'} named a profile file that is not the filter they run (${f.containers.join(', ')}${f.count > f.containers.length ? ', ...' : ''}): their denials went to the filter they run, not to that file`);
  }
  return lines.length ? lines.join('\n') : undefined;
}
