// The report's two pictures as inline SVG strings (no script, no library, no network): allowed vs
// default per kind, and the recording's growth (distinct syscalls over time).
import { escapeHtml as e } from './html-escape.js';
import type { Growth, KindRow } from './model.js';
import { KIND_LABELS } from './syscall-kinds.js';

/** 950 ms -> "950 ms", 61 s -> "1 min 1 s", for axis labels and notes. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min${Math.round(s % 60) ? ` ${Math.round(s % 60)} s` : ''}`;
  const h = Math.floor(min / 60);
  return `${h} h${min % 60 ? ` ${min % 60} min` : ''}`;
}

/** Horizontal bars: this profile's count over the default profile's, one row per kind. */
export function kindBars(rows: readonly KindRow[]): string {
  const rowH = 28;
  const labelW = 190;
  const barW = 640;
  const width = labelW + barW + 100;
  const height = rows.length * rowH + 34;
  const max = Math.max(1, ...rows.map((r) => Math.max(r.defaultAllowed ?? 0, r.allowed.length)));
  const scale = (n: number): number => (n / max) * barW;
  const parts: string[] = [];
  rows.forEach((r, i) => {
    const y = i * rowH + 6;
    const def = r.defaultAllowed;
    parts.push(`<text x="${labelW - 10}" y="${y + 15}" text-anchor="end" class="lbl">${e(KIND_LABELS[r.kind])}</text>`);
    if (def !== undefined) parts.push(`<rect x="${labelW}" y="${y + 2}" width="${scale(def).toFixed(1)}" height="18" rx="3" class="bar-def"><title>${e(`${r.title}: the default profile allows ${def}`)}</title></rect>`);
    parts.push(`<rect x="${labelW}" y="${y + 2}" width="${Math.max(r.allowed.length ? 2 : 0, scale(r.allowed.length)).toFixed(1)}" height="18" rx="3" class="bar-this"><title>${e(`${r.title}: this profile allows ${r.allowed.length}`)}</title></rect>`);
    const end = labelW + scale(Math.max(def ?? 0, r.allowed.length)) + 8;
    parts.push(`<text x="${end.toFixed(1)}" y="${y + 15}" class="num">${e(def === undefined ? `${r.allowed.length}` : `${r.allowed.length} / ${def}`)}</text>`);
  });
  const ly = rows.length * rowH + 18;
  parts.push(`<rect x="${labelW}" y="${ly - 10}" width="12" height="12" rx="2" class="bar-this"/><text x="${labelW + 18}" y="${ly}" class="legend">this profile</text>`);
  if (rows.some((r) => r.defaultAllowed !== undefined))
    parts.push(`<rect x="${labelW + 120}" y="${ly - 10}" width="12" height="12" rx="2" class="bar-def"/><text x="${labelW + 138}" y="${ly}" class="legend">podman&#39;s default profile</text>`);
  return `<svg class="chart" role="img" aria-label="allowed syscalls per kind" viewBox="0 0 ${width} ${height}" width="100%" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}

/** Round step for about `n` ticks over `max` (1, 2, 5 x 10^k). */
function niceStep(max: number, n: number): number {
  const raw = max / n;
  const pow = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? pow * 10;
}

/** A step line of distinct syscalls vs time since the first one; the last new syscall marked. */
export function growthChart(g: Growth): string {
  const W = 960, H = 300, L = 56, R = 24, T = 20, B = 44;
  const t0 = Date.parse(g.first);
  const span = Math.max(1, g.spanMs);
  const total = g.points.at(-1)!.total;
  const x = (ms: number): number => L + (ms / span) * (W - L - R);
  // headroom above the last step so its marker and label stay inside the frame
  const top = total + Math.max(1, Math.ceil(total * 0.08));
  const y = (n: number): number => H - B - (n / top) * (H - T - B);
  let d = `M${x(0).toFixed(1)},${y(0).toFixed(1)}`;
  for (const p of g.points) {
    const px = x(Date.parse(p.at) - t0);
    d += ` H${px.toFixed(1)} V${y(p.total).toFixed(1)}`;
  }
  const parts: string[] = [];
  const yStep = niceStep(total, 5);
  for (let v = 0; v <= total; v += yStep)
    parts.push(`<line x1="${L}" x2="${W - R}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" class="grid"/><text x="${L - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" class="tick">${v}</text>`);
  const xStep = niceStep(span, 6);
  for (let v = 0; v <= span; v += xStep)
    parts.push(`<line x1="${x(v).toFixed(1)}" x2="${x(v).toFixed(1)}" y1="${H - B}" y2="${H - B + 5}" class="axis"/><text x="${x(v).toFixed(1)}" y="${H - B + 20}" text-anchor="middle" class="tick">+${e(formatDuration(v))}</text>`);
  parts.push(`<line x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}" class="axis"/><line x1="${L}" x2="${L}" y1="${T}" y2="${H - B}" class="axis"/>`);
  parts.push(`<path d="${d}" class="step"/>`);
  for (const p of g.points) parts.push(`<circle cx="${x(Date.parse(p.at) - t0).toFixed(1)}" cy="${y(p.total).toFixed(1)}" r="2.5" class="dot"><title>${e(`+${formatDuration(Date.parse(p.at) - t0)}: ${p.name} (${p.arch}), ${p.total} in all`)}</title></circle>`);
  const last = g.points.at(-1)!;
  const lx = x(g.spanMs), ly = y(last.total);
  parts.push(`<circle cx="${lx.toFixed(1)}" cy="${ly.toFixed(1)}" r="5" class="last"/>`);
  const anchor = lx > W / 2 ? 'end' : 'start';
  parts.push(`<text x="${(lx + (anchor === 'end' ? -10 : 10)).toFixed(1)}" y="${(ly + 18).toFixed(1)}" text-anchor="${anchor}" class="note">${e(`last new: ${last.name} at +${formatDuration(g.spanMs)}`)}</text>`);
  parts.push(`<text x="${L + (W - L - R) / 2}" y="${H - 6}" text-anchor="middle" class="axis-title">time since the first syscall</text>`);
  parts.push(`<text transform="translate(14 ${T + (H - T - B) / 2}) rotate(-90)" text-anchor="middle" class="axis-title">distinct syscalls</text>`);
  return `<svg class="chart" role="img" aria-label="distinct syscalls over time" viewBox="0 0 ${W} ${H}" width="100%" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}
