// Proposals for people: the list table and the `show` page. Every string that came from inside a
// container (comm, exe) or from a file name goes through escapeTerminal.
import { escapeTerminal as esc, paint } from '../terminal/escape.js';
import { addCounts, containerCount } from '../profile/proposal-evidence.js';
import type { ContainerRef, Proposal } from '../profile/proposal.js';
import { table } from '../profile/stats.js';
import type { ApplyPlan } from './apply.js';
import { unifiedDiff } from './render.js';

const containerLabel = (c: ContainerRef): string => esc(c.name ?? c.id?.slice(0, 12) ?? c.image ?? '?');

const riskLabel = (p: Proposal): string => {
  const high = p.add.filter((a) => a.risk?.level === 'high').length;
  const medium = p.add.filter((a) => a.risk?.level === 'medium').length;
  return [high ? `${high} high` : '', medium ? `${medium} medium` : ''].filter(Boolean).join(', ') || '-';
};

/** How many containers asked, and on how many hosts when evidence was imported. */
const hostsLabel = (p: Proposal): string => {
  const hosts = new Set((p.imported ?? []).map((c) => c.host));
  return hosts.size ? `${containerCount(p)} (${hosts.size + 1} hosts)` : String(containerCount(p));
};

const short = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function formatProposalTable(proposals: readonly Proposal[]): string {
  if (proposals.length === 0) return 'no proposals\n';
  const rows = [['ID', 'STATUS', 'CONTAINERS', 'LATEST', 'PROFILE', 'ADD', 'RISK', 'FIRST SEEN', 'LAST SEEN', 'COUNT']];
  for (const p of proposals) {
    const names = [...new Set(p.add.map((a) => a.syscall))];
    const first = p.add.map((a) => a.firstSeen).sort()[0] ?? '-';
    const last = p.add.map((a) => a.lastSeen).sort().at(-1) ?? '-';
    const blocked = p.blockedByRule.length ? ` (+${p.blockedByRule.length} blocked by rule)` : '';
    rows.push([
      p.id, p.status, hostsLabel(p), short(containerLabel(p.container), 24), short(esc(p.profile.path), 40),
      short(names.join(',') || '-', 40) + blocked, riskLabel(p), first.slice(0, 19), last.slice(0, 19),
      String(p.add.reduce((n, a) => addCounts(n, a.count), 0)),
    ]);
  }
  return table(rows).join('\n') + '\n';
}

/** The evidence, the risk notes and (when `plan` could be made) the diff; else why it cannot apply. */
export function formatProposalPage(p: Proposal, plan: ApplyPlan | Error, colour: boolean): string {
  const out: string[] = [];
  out.push(paint(colour, 'bold', `proposal ${p.id} (${p.status})`));
  const describe = (c: ContainerRef): string =>
    [c.name && `name ${esc(c.name)}`, c.id && `id ${esc(c.id)}`, c.image && `image ${esc(c.image)}`, c.runtime && `runtime ${esc(c.runtime)}`].filter(Boolean).join(', ') || 'unknown';
  out.push(`containers: ${containerCount(p)} asked${p.imported?.length ? ` (evidence from ${p.imported.length} other host proposal(s): ${[...new Set(p.imported.map((c) => esc(c.host)))].join(', ')})` : ''}`);
  for (const c of p.containers) {
    out.push(`  ${c.host ? `${esc(c.host)}: ` : ''}${describe(c)}: ×${c.count}, ${esc(c.firstSeen)} .. ${esc(c.lastSeen)}: ${c.syscalls.map((x) => esc(x)).join(', ')}`);
  }
  if (p.otherContainers.containers) out.push(`  and ${p.otherContainers.containers} more container(s): ×${p.otherContainers.count}`);
  out.push(`profile:   ${esc(p.profile.path)} (sha256 ${p.profile.sha256.slice(0, 16)}…)`);
  out.push(`updated:   ${esc(p.updatedAt)}${p.appliedAt ? `, applied ${esc(p.appliedAt)}` : ''}${p.rejected ? `, rejected ${esc(p.rejected.at)}${p.rejected.reason ? `: ${esc(p.rejected.reason)}` : ''}` : ''}`);
  const inc = p.evidenceIncomplete;
  if (inc) {
    out.push(paint(colour, 'yellow', `evidence incomplete: ${inc.lostRecords ? `${inc.lostRecords} records` : 'records'} lost host-wide (${inc.notices} notice${inc.notices === 1 ? '' : 's'}: ${inc.sources.map((x) => esc(x)).join(', ')}) between ${esc(inc.from)} and ${esc(inc.to)}, while this profile's containers were watched: counts are a lower bound and syscalls may be missing`));
  }
  out.push('');
  if (p.add.length) {
    out.push(`syscalls to allow (${p.add.length}):`);
    for (const a of p.add) {
      out.push(`  ${paint(colour, 'bold', a.syscall)} [${esc(a.arch)}] ×${a.count}, ${esc(a.firstSeen)} .. ${esc(a.lastSeen)}, action ${a.actions.map((x) => esc(x)).join('/')}`);
      out.push(`    comm: ${a.comm.map((x) => `"${esc(x)}"`).join(', ') || '-'}`);
      out.push(`    exe:  ${a.exe.map((x) => `"${esc(x)}"`).join(', ') || '-'}`);
      if (a.risk) out.push(`    ${paint(colour, a.risk.level === 'high' ? 'red' : 'yellow', `risk ${a.risk.level}`)}: ${esc(a.risk.why)}`);
      if (a.widen) out.push(`    ${paint(colour, 'yellow', `widens its argument rules (${a.widen.basis})`)}: ${esc(a.widen.reason)}`);
    }
  } else out.push('nothing to allow');
  if (p.blockedByRule.length) {
    out.push('', `denied by the profile's own rules (reported, never proposed):`);
    for (const b of p.blockedByRule) out.push(`  ${esc(b.syscall)} [${esc(b.arch)}] ×${b.count}: rule ${b.rule} (${b.action}${b.reason === 'conditional' ? ', conditional' : ''})`);
  }
  out.push('');
  if (plan instanceof Error) out.push(paint(colour, 'red', `cannot apply now: ${esc(plan.message)}`));
  else {
    if (plan.rebased) out.push(paint(colour, 'yellow', 'the profile changed since this proposal was computed: the diff is rebased onto its current content'));
    out.push(plan.after === plan.before ? 'the profile already allows all of it' : unifiedDiff(plan.profilePath, plan.before, plan.after, colour));
  }
  return out.join('\n') + '\n';
}
