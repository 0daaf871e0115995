// The report as one self-contained HTML file: inline CSS and SVG, no script, no external resource
// (a Content-Security-Policy meta tag says so to the browser too), so it can be mailed or attached
// to a ticket and opened anywhere.
import { escapeHtml as e } from './html-escape.js';
import type { KindRow, ReportModel, RiskyName } from './model.js';
import { formatDuration, growthChart, kindBars } from './svg-charts.js';
import { accumulationSection } from './accumulation.js';

const CSS = `
*{box-sizing:border-box}
body{margin:0;background:#f4f5f7;color:#1d2330;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1120px;margin:0 auto;padding:28px 24px 48px}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:19px;margin:0 0 12px}
h3{font-size:15px;margin:0;display:flex;justify-content:space-between;gap:8px}
code,.chip,.mono{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,"DejaVu Sans Mono",monospace}
.sub{color:#5b6475;margin:0 0 20px;word-break:break-all}
.card{background:#fff;border:1px solid #e1e4ea;border-radius:10px;padding:18px 20px;margin:0 0 18px}
.tiles{display:grid;grid-template-columns:repeat(4,1fr);gap:14px;margin:0 0 18px}
.tile{background:#fff;border:1px solid #e1e4ea;border-radius:10px;padding:14px 16px}
.tile .v{font-size:30px;font-weight:700;line-height:1.1}
.tile .k{color:#5b6475;font-size:13px}
.tile.good .v{color:#1a7f4b}.tile.bad .v{color:#c0362c}td.good{color:#1a7f4b}td.bad{color:#c0362c}
.banner{background:#fff6e0;border:1px solid #f0d48a;border-radius:10px;padding:12px 16px;margin:0 0 18px}
.kinds{display:grid;grid-template-columns:repeat(2,1fr);gap:14px}
.kind{border:1px solid #e1e4ea;border-radius:8px;padding:12px 14px}
.kind .n{color:#5b6475;font-weight:400;font-size:13px}
.chips{display:flex;flex-wrap:wrap;gap:5px;margin-top:8px}
.chip{font-size:12.5px;padding:1px 7px;border-radius:5px;background:#eaf1fb;color:#17457a;border:1px solid #d3e2f5}
.chip.risk-high{background:#fde8e6;color:#a3241b;border-color:#f3b8b2;font-weight:600}
.chip.risk-medium{background:#fff1dc;color:#8a4b00;border-color:#f2cf99;font-weight:600}
.chip.gone{background:#f1f2f4;color:#596273;border-color:#e1e4ea}
.chip.gone.risky{background:#e4f5ea;color:#1a6b40;border-color:#b5e0c4;font-weight:600}
.empty{color:#8a93a3;font-size:13px;margin-top:6px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:7px 10px;border-bottom:1px solid #eceef2;vertical-align:top}
th{font-size:12.5px;color:#5b6475;font-weight:600;text-transform:uppercase;letter-spacing:.03em}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.lvl{display:inline-block;font-size:11.5px;font-weight:700;border-radius:4px;padding:0 6px;text-transform:uppercase}
.lvl.high{background:#c0362c;color:#fff}.lvl.medium{background:#e39b2d;color:#fff}
.chart{display:block;max-width:100%;height:auto}
.chart .lbl{font-size:13px;fill:#1d2330}.chart .num,.chart .tick{font-size:12px;fill:#5b6475}
.chart .legend{font-size:12px;fill:#1d2330}.chart .axis-title{font-size:12px;fill:#5b6475}
.chart .bar-def{fill:#dde1e8}.chart .bar-this{fill:#2f6fcf}
.chart .grid{stroke:#eceef2}.chart .axis{stroke:#9aa3b2}
.chart .step{fill:none;stroke:#2f6fcf;stroke-width:2.5}.chart .dot{fill:#2f6fcf}
.chart .last{fill:#fff;stroke:#c0362c;stroke-width:2.5}.chart .note{font-size:13px;font-weight:600;fill:#c0362c}
.muted{color:#5b6475}
footer{color:#8a93a3;font-size:12.5px;margin-top:24px}
@media (max-width:800px){.tiles{grid-template-columns:repeat(2,1fr)}.kinds{grid-template-columns:1fr}}
`;

const riskByName = (rs: readonly RiskyName[]): Map<string, RiskyName> => new Map(rs.map((r) => [r.name, r]));

function chip(name: string, risk: RiskyName | undefined, cls = ''): string {
  const classes = ['chip', cls, risk ? (cls ? 'risky' : `risk-${risk.level}`) : ''].filter(Boolean).join(' ');
  const title = risk ? ` title="${e(`${risk.level} risk: ${risk.why}`)}"` : '';
  return `<span class="${classes}"${title}>${e(name)}</span>`;
}

function tiles(m: ReportModel): string {
  const nativeTotal = m.arches[0]?.total;
  const t = (v: string, k: string, cls = ''): string => `<div class="tile ${cls}"><div class="v">${e(v)}</div><div class="k">${e(k)}</div></div>`;
  return `<div class="tiles">${[
    t(String(m.allowedCount), nativeTotal === undefined ? 'syscalls allowed' : `syscalls allowed (of ${nativeTotal} on ${m.arches[0]!.arch})`),
    m.reductionVsDefault === undefined
      ? t('–', 'no default profile to compare with')
      : t(`${m.reductionVsDefault}%`, `smaller than podman's default (${m.defaultAllowedCount} allowed)`, m.reductionVsDefault > 0 ? 'good' : 'bad'),
    t(String(m.removedCount ?? '–'), 'that the default allows are blocked here'),
    t(String(m.risky.length), m.risky.length === 1 ? 'risky syscall allowed' : 'risky syscalls allowed', m.risky.some((r) => r.level === 'high') ? 'bad' : 'good'),
  ].join('')}</div>`;
}

function kindCards(rows: readonly KindRow[], risky: Map<string, RiskyName>): string {
  const cards = rows.map((r) => `<div class="kind"><h3><span>${e(r.title)}</span><span class="n">${r.allowed.length}${r.defaultAllowed === undefined ? '' : ` of ${r.defaultAllowed}`}</span></h3>` +
    (r.allowed.length ? `<div class="chips">${r.allowed.map((n) => chip(n, risky.get(n))).join('')}</div>` : '<div class="empty">none allowed</div>') + '</div>');
  return `<div class="kinds">${cards.join('')}</div>`;
}

function riskTable(rs: readonly RiskyName[]): string {
  if (rs.length === 0) return '<p class="muted">None: the profile allows no syscall on the risk list.</p>';
  return `<table><thead><tr><th>syscall</th><th>risk</th><th>kind</th><th>why it matters</th></tr></thead><tbody>${rs.map((r) =>
    `<tr><td><code>${e(r.name)}</code></td><td><span class="lvl ${e(r.level)}">${e(r.level)}</span></td><td>${e(r.kind)}</td><td>${e(r.why)}</td></tr>`).join('')}</tbody></table>`;
}

function removedSection(m: ReportModel): string {
  if (m.removedCount === undefined) return '<p class="muted">podman&#39;s default profile (/usr/share/containers/seccomp.json, from containers-common) was not found, so there is nothing to compare with.</p>';
  const risky = riskByName(m.riskyRemoved);
  const rows = m.kinds.filter((k) => k.removed.length > 0);
  const intro = `<p><strong>${m.removedCount}</strong> syscalls that podman&#39;s default profile allows cannot run under this one` +
    (m.riskyRemoved.length ? `, <strong>${m.riskyRemoved.length}</strong> of them on the risk list (green below; hover for why)` : '') + '.</p>';
  const body = rows.map((k) => `<div class="kind"><h3><span>${e(k.title)}</span><span class="n">${k.removed.length} blocked</span></h3><div class="chips">${k.removed.map((n) => chip(n, risky.get(n), 'gone')).join('')}</div></div>`);
  return intro + `<div class="kinds">${body.join('')}</div>`;
}

function growthSection(m: ReportModel): string {
  const g = m.growth;
  if (!g) {
    return '<p class="muted">No first-seen times for this profile. The chart appears when a timeline is given: <code>--timeline FILE</code>, ' +
      'a <code>PROFILE.timeline.json</code> file next to the profile, or a <code>timeline</code> array in the container&#39;s registry entry ' +
      '(<code>[{"name","arch","firstSeen"}]</code>).</p>';
  }
  const t0 = Date.parse(g.first);
  const recent = g.points.slice(-8).reverse();
  return `<p>${g.points.length} distinct syscalls; the last new one (<code>${e(g.points.at(-1)!.name)}</code>) appeared ` +
    `<strong>${e(formatDuration(g.spanMs))}</strong> after the first, at ${e(g.last)}. A profile that has stopped growing for a long time is ready to enforce.</p>` +
    growthChart(g) +
    `<table><thead><tr><th>latest new syscalls</th><th>arch</th><th class="num">after the first</th><th class="num">total</th></tr></thead><tbody>${recent.map((p) =>
      `<tr><td><code>${e(p.name)}</code></td><td>${e(p.arch)}</td><td class="num">+${e(formatDuration(Date.parse(p.at) - t0))}</td><td class="num">${p.total}</td></tr>`).join('')}</tbody></table>`;
}

function archTable(m: ReportModel): string {
  return `<table><thead><tr><th>arch</th><th class="num">allowed</th><th class="num">arch table</th><th class="num">reduction</th><th class="num">default profile</th><th class="num">reduction vs default</th></tr></thead><tbody>${m.arches.map((a) =>
    `<tr><td>${e(a.arch)}</td><td class="num">${a.allowed}</td><td class="num">${a.total}</td><td class="num">${a.reductionVsTotal}%</td>` +
    `<td class="num">${a.defaultProfileAllowed ?? '–'}</td><td class="num">${a.reductionVsDefault === undefined ? '–' : `${a.reductionVsDefault}%`}</td></tr>`).join('')}</tbody></table>`;
}

function argSection(m: ReportModel): string {
  const a = m.argRules;
  const rules = a.restricted.length
    ? `<p><strong>argument rules: ${a.restricted.length} syscalls restricted</strong></p><table><thead><tr><th>syscall</th><th>allowed only</th></tr></thead><tbody>${a.restricted.map((n) =>
      `<tr><td><code>${e(n)}</code></td><td>${(a.rules[n] ?? []).map((r) => e(r)).join('<br>')}</td></tr>`).join('')}</tbody></table>`
    : '<p><strong>argument rules: 0 syscalls restricted</strong> (every allowed syscall is allowed by name alone)</p>';
  const rows = a.defaults.map((d) =>
    `<tr><td><code>${e(d.syscall)}</code></td><td>${e(d.engines.join(', '))}${d.unlessCap ? ` without ${e(d.unlessCap)}` : ''}: ${e(d.summary)}</td>` +
    `<td class="${d.verdict === 'looser' ? 'bad' : 'good'}">${d.verdict === 'looser' ? `looser: allows ${e(d.allows.join(', '))}` : e(d.verdict)}</td></tr>`).join('');
  return `${rules}<table><thead><tr><th>syscall</th><th>the engine default</th><th>this profile</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function containerLine(m: ReportModel): string {
  const c = m.container;
  if (!c) return '';
  const facts = [`container <code>${e(c.id)}</code>`, c.name && `name ${e(c.name)}`, c.image && `image ${e(c.image)}`, c.runtime && `runtime ${e(c.runtime)}`,
    c.registeredAt && `started ${e(c.registeredAt)}`, c.stoppedAt && `stopped ${e(c.stoppedAt)}`].filter(Boolean);
  return `<p class="sub">${facts.join(' · ')}</p>`;
}

export function renderHtml(m: ReportModel): string {
  const risky = riskByName(m.risky);
  const banner = m.permissiveDefault
    ? `<div class="banner">The default action is <code>${e(m.defaultAction)}</code>: every syscall can run. ${m.defaultAction === 'SCMP_ACT_LOG' ? 'This is complain mode: the calls not listed are logged, not blocked.' : 'Only the listed rules restrict anything.'}</div>`
    : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(`seccomp profile report: ${m.source}`)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>Seccomp profile report</h1>
<p class="sub"><code>${e(m.source)}</code> · default action <code>${e(m.defaultAction)}</code> · arches ${m.arches.map((a) => e(a.arch)).join(', ')}</p>
${containerLine(m)}
${banner}
${tiles(m)}
<section class="card" id="by-kind"><h2>Allowed syscalls by kind</h2>${kindBars(m.kinds)}</section>
<section class="card" id="allowed"><h2>What this profile allows (${m.allowedCount})</h2>${kindCards(m.kinds, risky)}</section>
<section class="card" id="risky"><h2>Risky syscalls still allowed (${m.risky.length})</h2>${riskTable(m.risky)}</section>
<section class="card" id="arguments"><h2>Argument rules against the engine defaults</h2>${argSection(m)}</section>
<section class="card" id="removed"><h2>What podman&#39;s default allows that this one does not${m.removedCount === undefined ? '' : ` (${m.removedCount})`}</h2>${removedSection(m)}</section>
<section class="card" id="growth"><h2>Growth over time</h2>${growthSection(m)}</section>
${m.accumulation ? `<section class="card" id="accumulation"><h2>Accumulation over runs</h2>${accumulationSection(m.accumulation)}</section>` : ''}
<section class="card" id="arches"><h2>Per architecture</h2>${archTable(m)}</section>
<footer>seccomp-tailor report · generated ${e(m.generatedAt)}${m.defaultSource ? ` · compared with <code>${e(m.defaultSource)}</code>` : ''}</footer>
</main>
</body>
</html>
`;
}
