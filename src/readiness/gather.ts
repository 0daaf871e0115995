// The edges of `profile readiness`: the profile's history, the recorded profiles named on the
// command line (made when their file was last written), and the open proposals for the profile in
// the watcher's state directory. The verdict itself is readiness.ts's.
import { statSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readinessBadArgument } from '../errors.js';
import { readRunHistory } from '../history/history.js';
import { listProposals } from '../profile/proposal-store.js';
import { isPermitting, parseProfile, type SeccompProfile } from '../profile/schema.js';
import { readiness, type PendingProposal, type Readiness, type Thresholds } from './readiness.js';

/** The syscalls a recorded profile allows, keyed as history keys them (name, and argument values where a rule tests them). */
export function recordedKeys(p: SeccompProfile): string[] {
  const keys = new Set<string>();
  for (const r of p.syscalls ?? []) {
    if (!isPermitting(r.action)) continue;
    for (const name of r.names) {
      const args = (r.args ?? []).slice().sort((a, b) => a.index - b.index);
      if (!args.length) keys.add(name);
      else keys.add(`${name}(${args.map((a) => (a.op === 'SCMP_CMP_EQ' ? `${a.index}=${a.value}` : a.op === 'SCMP_CMP_MASKED_EQ' ? `${a.index}&${a.value}=${a.valueTwo ?? 0}` : `${a.index}${a.op.slice(9).toLowerCase()}${a.value}`)).join(',')})`);
    }
  }
  return [...keys];
}

export function gatherReadiness(profilePath: string, recordingPaths: readonly string[], stateDir: string, thresholds: Thresholds, nowMs = Date.now()): { result: Readiness; problems: string[] } {
  const profile = resolve(profilePath);
  const history = readRunHistory(stateDir, profile);
  const problems = [...history.problems];
  const recordings = recordingPaths.map((path) => {
    let text: string;
    let at: string;
    try {
      text = readFileSync(path, 'utf8');
      at = statSync(path).mtime.toISOString();
    } catch (e) {
      throw readinessBadArgument(`${path}: cannot read the recording (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    return { path: resolve(path), at, keys: recordedKeys(parseProfile(text, path)) };
  });
  const listed = listProposals(stateDir);
  problems.push(...listed.problems);
  const pendingProposals: PendingProposal[] = listed.proposals
    .filter((p) => p.status === 'open' && p.add.length > 0 && resolve(p.profile.path) === profile)
    .map((p) => ({ id: p.id, source: (p as { source?: unknown }).source === 'shadow' ? 'shadow' : 'audit', syscalls: [...new Set(p.add.map((a) => a.syscall))].sort() }));
  return { result: readiness({ profile, history, recordings, pendingProposals, nowMs, thresholds }), problems };
}
