// `proposals export`: this host's proposals as one fleet document. Each item carries the profile's
// text and its hash (the merge key), this host's own evidence and the evidence it imported earlier
// under the hosts it came from, so that a central host importing from every node counts each once.
import { readFileSync } from 'node:fs';
import { ownContribution } from '../profile/proposal-evidence.js';
import { sha256Hex, type Proposal } from '../profile/proposal.js';
import { listProposals } from '../profile/proposal-store.js';
import { FLEET_API_VERSION, FLEET_KIND, MAX_PROFILE_BYTES, type FleetContribution, type FleetDocument, type FleetItem } from './document.js';

export interface ExportOutcome {
  document: FleetDocument;
  /** Proposals left out, with why (one line each, for stderr). */
  skipped: string[];
}

function itemOf(p: Proposal, host: string): FleetItem | string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(p.profile.path);
  } catch (e) {
    return `${p.id}: cannot read ${p.profile.path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  }
  // The evidence was judged against these exact bytes: a file changed since (an apply, an edit)
  // would ship a hash no other host can match. The watcher re-renders it on its next denial.
  if (sha256Hex(bytes) !== p.profile.sha256) return `${p.id}: ${p.profile.path} changed since the proposal was computed`;
  if (bytes.length > MAX_PROFILE_BYTES) return `${p.id}: ${p.profile.path} is larger than ${MAX_PROFILE_BYTES} bytes`;
  const own = ownContribution(p, host);
  const contributions: FleetContribution[] = [
    ...(own.add.length || own.containers.length ? [own] : []),
    ...(p.imported ?? []).map(({ importedAt: _at, ...c }) => c),
  ];
  if (contributions.length === 0) return `${p.id}: no evidence to export`;
  return { profile: { sha256: p.profile.sha256, path: p.profile.path, content: bytes.toString('utf8') }, status: p.status, contributions };
}

export function exportProposals(stateDir: string, host: string, now = new Date()): ExportOutcome {
  const { proposals, problems } = listProposals(stateDir);
  const items: FleetItem[] = [];
  const skipped = [...problems];
  for (const p of proposals) {
    const item = itemOf(p, host);
    if (typeof item === 'string') skipped.push(item);
    else items.push(item);
  }
  items.sort((a, b) => (a.profile.sha256 < b.profile.sha256 ? -1 : a.profile.sha256 > b.profile.sha256 ? 1 : 0));
  return { document: { apiVersion: FLEET_API_VERSION, kind: FLEET_KIND, host, exportedAt: now.toISOString(), items }, skipped };
}
