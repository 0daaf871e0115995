// `proposals import FILE`: another host's proposals merged into this host's, by the sha256 of the
// profile they were computed against. Each (host, proposal there) contributes once: a newer revision
// replaces its older one, the same revision changes nothing, so importing a file twice (or a node's
// export and a central host's re-export of it) never counts a denial twice.
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, normalize } from 'node:path';
import { fleetDocumentTooLarge, fleetDocumentUnreadable, isTailorError } from '../errors.js';
import { localEvidence, mergeContribution, type LocalEvidence } from '../profile/proposal-evidence.js';
import { renderFromEvidence, type IsRejected } from '../profile/proposal-render.js';
import { isFoldable, proposalId, sha256Hex, type ImportedContribution, type Proposal } from '../profile/proposal.js';
import { parseProfile } from '../profile/schema.js';
import { findProposal, listProposals, writeProposal } from '../profile/proposal-store.js';
import { proposalTargetRefusal } from '../state/profile-dirs.js';
import { MAX_DOCUMENT_BYTES, parseFleetDocument, type FleetItem } from './document.js';

/** An absolute, normalised path inside the administrator's profile directories (state/profile-dirs.ts). */
function targetRefusal(path: string, profileDirs: readonly string[]): string | undefined {
  if (!isAbsolute(path) || normalize(path) !== path) return 'not an absolute, normalised path';
  return proposalTargetRefusal(path, profileDirs);
}

export interface ImportOptions {
  stateDir: string;
  /** This host's name: its own evidence coming back in another host's export is not counted again. */
  host: string;
  isRejected: IsRejected;
  /**
   * Where this host's administrator keeps profiles: an item for a file anywhere else is refused
   * (required: a document naming the host-wide default profile must not become a proposal).
   */
  profileDirs: readonly string[];
  now?: Date;
}

export type ItemOutcome =
  | { kind: 'created' | 'merged'; id: string; path: string; contributions: number }
  | { kind: 'unchanged'; id: string; path: string }
  | { kind: 'refused'; path: string; sha256: string; why: string };

export interface ImportOutcome {
  from: string;
  items: ItemOutcome[];
}

const noEvidence = (): LocalEvidence => ({ add: [], containers: [], otherContainers: { containers: 0, count: 0 } });

/** This host's proposal against the same content, or where a new one goes; else why there is none. */
function targetOf(item: FleetItem, byHash: Map<string, Proposal>, o: ImportOptions): { id: string; path: string; existing?: Proposal } | string {
  const same = byHash.get(item.profile.sha256);
  const path = same?.profile.path ?? item.profile.path;
  const refused = targetRefusal(path, o.profileDirs);
  if (refused) return `${path}: ${refused}`;
  if (same) return { id: same.id, path, existing: same };
  const id = proposalId(path);
  const other = findProposal(o.stateDir, id);
  if (other) return `${path}: this host's proposal ${id} is for other content (sha256 ${other.profile.sha256.slice(0, 16)}…)`;
  try {
    if (statSync(path).isFile() && sha256Hex(readFileSync(path)) !== item.profile.sha256) return `${path}: the file on this host has other content`;
  } catch { /* no such file here: a central review host keeps proposals for profiles it does not run */ }
  return { id, path };
}

function importItem(item: FleetItem, byHash: Map<string, Proposal>, o: ImportOptions, at: string): ItemOutcome {
  const refuse = (why: string): ItemOutcome => ({ kind: 'refused', path: item.profile.path, sha256: item.profile.sha256, why });
  if (sha256Hex(item.profile.content) !== item.profile.sha256) return refuse('the profile text does not match its sha256');
  let profile;
  try {
    profile = parseProfile(item.profile.content, item.profile.path);
  } catch (e) {
    return refuse(`not a profile (${(e as Error).message.split('\n')[0]})`);
  }
  const t = targetOf(item, byHash, o);
  if (typeof t === 'string') return refuse(t);

  let list: ImportedContribution[] = [...(t.existing?.imported ?? [])];
  let changed = 0;
  for (const c of item.contributions) {
    if (c.host === o.host) continue;
    const r = mergeContribution(list, { ...c, importedAt: at });
    list = r.list;
    if (r.outcome === 'added' || r.outcome === 'replaced') changed++;
  }
  if (changed === 0) return { kind: 'unchanged', id: t.id, path: t.path };
  const local = t.existing ? localEvidence(t.existing) : noEvidence();
  const r = renderFromEvidence({ id: t.id, profilePath: t.path }, local, { profile, sha256: item.profile.sha256 }, t.existing, o.isRejected, at, list);
  if (!r) return { kind: 'unchanged', id: t.id, path: t.path };
  writeProposal(o.stateDir, r.proposal);
  byHash.set(item.profile.sha256, r.proposal);
  return { kind: t.existing ? 'merged' : 'created', id: t.id, path: t.path, contributions: changed };
}

export function importProposals(file: string, o: ImportOptions): ImportOutcome {
  let text: string;
  try {
    if (statSync(file).size > MAX_DOCUMENT_BYTES) throw fleetDocumentTooLarge(file, MAX_DOCUMENT_BYTES);
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (isTailorError(e)) throw e;
    throw fleetDocumentUnreadable(file, e as NodeJS.ErrnoException);
  }
  const doc = parseFleetDocument(text, file);
  const byHash = new Map<string, Proposal>();
  // Never into a version 1 proposal (one per container): the watcher folds those into the profile
  // file's own proposal, which is where imported evidence goes.
  for (const p of listProposals(o.stateDir).proposals) if (!isFoldable(p)) byHash.set(p.profile.sha256, p);
  const at = (o.now ?? new Date()).toISOString();
  return { from: doc.host, items: doc.items.map((item) => importItem(item, byHash, o, at)) };
}
