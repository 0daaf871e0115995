// The report for a terminal: the same sections as the HTML, as plain lines. Names come from files
// others wrote, so every one is escaped for the terminal.
import { formatComparison } from '../profile/engine-defaults.js';
import { escapeTerminal as t } from '../terminal/escape.js';
import type { ReportModel } from './model.js';
import { formatDuration } from './svg-charts.js';

/** Names wrapped into lines of at most `width` columns, indented. */
function wrap(names: readonly string[], indent: string, width = 100): string[] {
  const lines: string[] = [];
  let line = indent;
  for (const n of names.map((x) => t(x))) {
    if (line.length + n.length + 1 > width && line.trim()) {
      lines.push(line.trimEnd());
      line = indent;
    }
    line += `${n} `;
  }
  if (line.trim()) lines.push(line.trimEnd());
  return lines;
}

export function renderText(m: ReportModel): string {
  const out: string[] = [`${t(m.source)}: default action ${t(m.defaultAction)}, arches ${m.arches.map((a) => t(a.arch)).join(', ')}`];
  const c = m.container;
  if (c) out.push(`container ${t(c.id)}${c.runtime ? ` (${t(c.runtime)})` : ''}${c.registeredAt ? `, started ${t(c.registeredAt)}` : ''}${c.stoppedAt ? `, stopped ${t(c.stoppedAt)}` : ''}`);
  if (m.permissiveDefault) out.push(`note: the default action lets every syscall run${m.defaultAction === 'SCMP_ACT_LOG' ? ' (complain mode: unlisted calls are logged)' : ''}`);
  out.push(m.reductionVsDefault === undefined
    ? `${m.allowedCount} syscalls allowed (no default profile to compare with)`
    : `${m.allowedCount} syscalls allowed, ${m.reductionVsDefault}% fewer than podman's default (${m.defaultAllowedCount}); ${m.removedCount} of the default's are blocked here`);
  out.push('', 'allowed, by kind:');
  for (const k of m.kinds) {
    if (k.allowed.length === 0) continue;
    out.push(`  ${k.title} (${k.allowed.length}${k.defaultAllowed === undefined ? '' : ` of ${k.defaultAllowed}`})`, ...wrap(k.allowed, '    '));
  }
  out.push('', m.risky.length ? `risky syscalls allowed (${m.risky.length}):` : 'risky syscalls allowed: none');
  for (const r of m.risky) out.push(`  ${t(r.name)} [${r.level}]: ${r.why}`);
  const [argHead, ...argRest] = formatComparison(m.argRules.defaults, m.argRules.restricted);
  out.push('', argHead!);
  for (const n of m.argRules.restricted) for (const r of m.argRules.rules[n] ?? []) out.push(`  ${t(n)}: ${t(r)}`);
  out.push(...argRest);
  if (m.removedCount !== undefined) {
    out.push('', `allowed by podman's default but not here (${m.removedCount}${m.riskyRemoved.length ? `, ${m.riskyRemoved.length} of them risky` : ''}):`);
    for (const k of m.kinds) if (k.removed.length) out.push(`  ${k.title} (${k.removed.length})`, ...wrap(k.removed, '    '));
  }
  out.push('');
  const g = m.growth;
  if (g) out.push(`growth: ${g.points.length} distinct syscalls; the last new one (${t(g.points.at(-1)!.name)}) appeared ${formatDuration(g.spanMs)} after the first, at ${g.last}`);
  else out.push('growth: no first-seen times (give --timeline FILE, or PROFILE.timeline.json next to the profile)');
  return out.join('\n') + '\n';
}
