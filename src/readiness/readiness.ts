// When is a profile ready to enforce? The article's answer, made a number: keep observing the
// container (recordings, shadowed runs), and lock down once enough runs were seen, none added a
// syscall for long enough, and the Good–Turing estimate of the chance that the next run needs a
// syscall not yet seen (syscalls seen in exactly one run ÷ runs) is small. An open proposal for the
// profile always means "learning": someone has yet to decide on what was found. Pure: runs,
// proposals and the clock in; the verdict out.
//
// A history run counts what it added (what the profile lacked at that moment); a recording named
// on the command line counts every syscall it allows. Syscalls are keyed by name and argument
// values, not by arch: a profile names syscalls.
import { addedKey, imageLabel, type HistorySummary, type RunHistoryEntry } from '../history/history.js';

export interface Thresholds {
  /** Runs needed at least. */
  minRuns: number;
  /** No new syscall for this long (ms; 0: not required). */
  quietForMs: number;
  /** The Good–Turing estimate may be at most this. */
  maxPNew: number;
}

/** The defaults (README: Shadow mode and readiness). */
export const DEFAULT_THRESHOLDS: Thresholds = { minRuns: 10, quietForMs: 7 * 24 * 3600_000, maxPNew: 0.05 };

export interface Run {
  at: string;
  kind: 'recording' | 'shadow' | 'recorded-file';
  container: string;
  image?: string;
  keys: string[];
}

export interface PendingProposal { id: string; source: 'audit' | 'shadow'; syscalls: string[] }

export interface ReadinessInput {
  profile: string;
  history: { runs: readonly RunHistoryEntry[]; summary?: HistorySummary };
  /** Recorded profiles named on the command line, with when they were made. */
  recordings: ReadonlyArray<{ path: string; at: string; keys: string[] }>;
  pendingProposals: readonly PendingProposal[];
  nowMs: number;
  thresholds: Thresholds;
}

export interface Readiness {
  profile: string;
  observations: { runs: number; containers: number; recordings: number; shadowed: number; recordedFiles: number; compacted: number; order: Array<{ at: string; kind: Run['kind']; container: string; new: string[] }> };
  distinctSyscalls: number;
  /** Syscalls seen in exactly one run. */
  singletons: number;
  lastNewAt: string | null;
  pNew: number | null;
  images: string[];
  pendingProposals: PendingProposal[];
  thresholds: { minRuns: number; quietFor: string; maxPNew: number };
  verdict: 'ready' | 'learning';
  reason: string;
}

/** `0`, `90s`, `30m`, `12h`, `7d` -> ms; undefined when it is none of those. */
export function parseDuration(s: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(s.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  if (m[2] === '' && n !== 0) return undefined; // a bare number other than 0 has no unit
  return n * ({ '': 0, s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 }[m[2]!] ?? 0);
}

export function formatDuration(ms: number): string {
  if (ms === 0) return '0';
  for (const [unit, size] of [['d', 86_400_000], ['h', 3600_000], ['m', 60_000], ['s', 1000]] as const) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms / 1000}s`;
}

/** Every run in the order it was made: history runs by end time, recordings by their time. */
export function runsOf(input: Pick<ReadinessInput, 'history' | 'recordings'>): Run[] {
  const runs: Run[] = [
    ...input.history.runs.map((r) => ({ at: r.endedAt, kind: r.kind, container: r.container, ...(imageLabel(r.image) ? { image: imageLabel(r.image)! } : {}), keys: [...new Set(r.added.map(addedKey))] })),
    ...input.recordings.map((r) => ({ at: r.at, kind: 'recorded-file' as const, container: r.path, keys: [...new Set(r.keys)] })),
  ];
  return runs.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

export function readiness(input: ReadinessInput): Readiness {
  const runs = runsOf(input);
  const summary = input.history.summary;
  const freq = new Map<string, number>(Object.entries(summary?.keyRuns ?? {}));
  const known = new Set(freq.keys());
  let lastNewAt = summary?.lastNewAt ?? null;
  const order: Readiness['observations']['order'] = [];
  for (const r of runs) {
    const fresh = r.keys.filter((k) => !known.has(k));
    for (const k of r.keys) freq.set(k, (freq.get(k) ?? 0) + 1);
    fresh.forEach((k) => known.add(k));
    if (fresh.length) lastNewAt = r.at;
    order.push({ at: r.at, kind: r.kind, container: r.container, new: fresh.sort() });
  }
  const total = runs.length + (summary?.runs ?? 0);
  const singletons = [...freq.values()].filter((n) => n === 1).length;
  const pNew = total > 0 ? singletons / total : null;
  const containers = new Set([...(summary?.containers ?? []), ...runs.map((r) => r.container)]);
  const images = [...new Set([...(summary?.images ?? []), ...runs.flatMap((r) => (r.image ? [r.image] : []))])].sort();
  const t = input.thresholds;

  const reasons: string[] = [];
  if (input.pendingProposals.length) reasons.push(`${input.pendingProposals.length} open proposal${input.pendingProposals.length === 1 ? '' : 's'} (${input.pendingProposals.map((p) => `${p.id}: ${p.syscalls.slice(0, 5).join(', ')}${p.syscalls.length > 5 ? ', …' : ''}`).join('; ')}) must be applied or rejected first`);
  if (total < t.minRuns) reasons.push(`${total} run${total === 1 ? '' : 's'} observed, ${t.minRuns} needed`);
  if (pNew !== null && pNew > t.maxPNew) reasons.push(`the chance the next run needs a new syscall is estimated at ${pNew.toFixed(3)} (${singletons} seen in one run only ÷ ${total} runs), above ${t.maxPNew}`);
  if (lastNewAt && t.quietForMs > 0 && input.nowMs - Date.parse(lastNewAt) < t.quietForMs) reasons.push(`a new syscall appeared at ${lastNewAt}, less than ${formatDuration(t.quietForMs)} ago`);
  const ready = reasons.length === 0;
  return {
    profile: input.profile,
    observations: {
      runs: total, containers: containers.size,
      recordings: runs.filter((r) => r.kind === 'recording').length,
      shadowed: runs.filter((r) => r.kind === 'shadow').length,
      recordedFiles: runs.filter((r) => r.kind === 'recorded-file').length,
      compacted: summary?.runs ?? 0,
      order,
    },
    distinctSyscalls: freq.size,
    singletons,
    lastNewAt,
    pNew,
    images,
    pendingProposals: input.pendingProposals.map((p) => ({ ...p, syscalls: [...p.syscalls] })),
    thresholds: { minRuns: t.minRuns, quietFor: formatDuration(t.quietForMs), maxPNew: t.maxPNew },
    verdict: ready ? 'ready' : 'learning',
    reason: ready
      ? `${total} runs from ${containers.size} container${containers.size === 1 ? '' : 's'}, estimated chance of a new syscall ${pNew?.toFixed(3)}, ${lastNewAt ? `nothing new since ${lastNewAt}` : 'nothing new'}, no open proposal`
      : reasons.join('; '),
  };
}

/** The short human summary. */
export function renderReadiness(r: Readiness): string {
  const lines = [
    `${r.profile}: ${r.verdict.toUpperCase()}`,
    `  ${r.reason}`,
    `  runs ${r.observations.runs} (recordings ${r.observations.recordings}, shadowed ${r.observations.shadowed}, recorded files ${r.observations.recordedFiles}${r.observations.compacted ? `, ${r.observations.compacted} summarized` : ''}), containers ${r.observations.containers}, images ${r.images.length ? r.images.join(', ') : 'unknown'}`,
    `  distinct syscalls ${r.distinctSyscalls}, seen once ${r.singletons}, pNew ${r.pNew === null ? 'n/a' : r.pNew.toFixed(3)}, last new ${r.lastNewAt ?? 'never'}`,
    `  thresholds: --min-runs ${r.thresholds.minRuns} --quiet-for ${r.thresholds.quietFor} --max-p-new ${r.thresholds.maxPNew}`,
  ];
  return lines.join('\n') + '\n';
}
