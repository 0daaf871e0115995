// The accumulation curve (issue 20): distinct syscalls against runs (recordings and shadowed runs
// of the profile, from its history), with the runs that brought new ones marked. Where the curve
// has flattened for many runs, the profile is close to ready (`profile readiness` says how close).
// Pure: the history in, a model and an inline SVG out.
import type { HistorySummary, RunHistoryEntry } from '../history/history.js';
import { runsOf } from '../readiness/readiness.js';
import { escapeHtml as e } from './html-escape.js';

export interface AccumulationPoint { run: number; at: string; kind: string; container: string; total: number; new: string[] }
export interface Accumulation {
  points: AccumulationPoint[];
  /** Runs compacted into the history's summary before the first point (their syscalls are in its total). */
  summarized: number;
}

/** The curve, or undefined when the profile has no history. */
export function accumulationOf(history: { runs: readonly RunHistoryEntry[]; summary?: HistorySummary }): Accumulation | undefined {
  const runs = runsOf({ history, recordings: [] });
  if (!runs.length) return undefined;
  const known = new Set(Object.keys(history.summary?.keyRuns ?? {}));
  const offset = history.summary?.runs ?? 0;
  const points = runs.map((r, i) => {
    const fresh = r.keys.filter((k) => !known.has(k)).sort();
    fresh.forEach((k) => known.add(k));
    return { run: offset + i + 1, at: r.at, kind: r.kind, container: r.container, total: known.size, new: fresh };
  });
  return { points, summarized: offset };
}

export function accumulationChart(a: Accumulation): string {
  const W = 960, H = 300, L = 56, R = 24, T = 20, B = 44;
  const first = a.points[0]!.run - 1;
  const lastRun = a.points.at(-1)!.run;
  const total = Math.max(1, a.points.at(-1)!.total);
  const x = (run: number): number => L + ((run - first) / Math.max(1, lastRun - first)) * (W - L - R);
  const top = total + Math.max(1, Math.ceil(total * 0.08));
  const y = (n: number): number => H - B - (n / top) * (H - T - B);
  const startTotal = a.points[0]!.total - a.points[0]!.new.length;
  let d = `M${x(first).toFixed(1)},${y(startTotal).toFixed(1)}`;
  for (const p of a.points) d += ` H${x(p.run).toFixed(1)} V${y(p.total).toFixed(1)}`;
  const parts: string[] = [
    `<line x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}" class="axis"/><line x1="${L}" x2="${L}" y1="${T}" y2="${H - B}" class="axis"/>`,
    `<text x="${L - 8}" y="${(y(0) + 4).toFixed(1)}" text-anchor="end" class="tick">0</text><text x="${L - 8}" y="${(y(total) + 4).toFixed(1)}" text-anchor="end" class="tick">${total}</text>`,
    `<text x="${x(first).toFixed(1)}" y="${H - B + 20}" text-anchor="middle" class="tick">${first}</text><text x="${x(lastRun).toFixed(1)}" y="${H - B + 20}" text-anchor="middle" class="tick">${lastRun}</text>`,
    `<path d="${d}" class="step"/>`,
  ];
  for (const p of a.points) {
    const title = `run ${p.run} (${p.kind}, ${p.container}) at ${p.at}: ${p.new.length ? `new: ${p.new.join(', ')}` : 'nothing new'}; ${p.total} in all`;
    parts.push(`<circle cx="${x(p.run).toFixed(1)}" cy="${y(p.total).toFixed(1)}" r="${p.new.length ? 5 : 2.5}" class="${p.new.length ? 'last' : 'dot'}" data-new="${p.new.length}"><title>${e(title)}</title></circle>`);
  }
  parts.push(`<text x="${L + (W - L - R) / 2}" y="${H - 6}" text-anchor="middle" class="axis-title">runs (recordings and shadowed containers)</text>`);
  parts.push(`<text transform="translate(14 ${T + (H - T - B) / 2}) rotate(-90)" text-anchor="middle" class="axis-title">distinct syscalls</text>`);
  return `<svg class="chart" id="accumulation-chart" role="img" aria-label="distinct syscalls against runs" viewBox="0 0 ${W} ${H}" width="100%" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}

/** The report section's body. */
export function accumulationSection(a: Accumulation): string {
  const withNew = a.points.filter((p) => p.new.length);
  const last = withNew.at(-1);
  const since = last ? a.points.at(-1)!.run - last.run : a.points.length;
  return `<p>${a.points.at(-1)!.run} runs${a.summarized ? ` (${a.summarized} summarized)` : ''}; ${withNew.length} brought syscalls the profile lacked (large dots)` +
    `${last ? `, the last at run ${last.run} (${e(last.at)}): <code>${e(last.new.slice(0, 6).join(', '))}</code>${last.new.length > 6 ? ' …' : ''}` : ''}; ${since} run${since === 1 ? '' : 's'} since added nothing. ` +
    'See <code>seccomp-tailor profile readiness</code> for the verdict.</p>' + accumulationChart(a);
}
