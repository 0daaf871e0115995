// Shadow findings -> a proposal for the shadowed profile. Pure. Unlike a denial from the audit log,
// a finding carries the argument values the call used, so a syscall the profile allows only for
// some values is widened by exactly the values seen (widen-args.ts's `values` basis: `arg0 ==
// AF_UNIX`, the flag bits seen), never by the engine default's rule. The proposal is its own file
// (`source: "shadow"`, id from the profile path), beside the one audit denials feed, so neither
// rendering overwrites the other's evidence; `apply` treats both alike.
import { argPolicyOf } from '../profile/arg-model.js';
import type { LocalEvidence } from '../profile/proposal-evidence.js';
import { renderFromEvidence, sameContent, type IsRejected, type ProfileNow } from '../profile/proposal-render.js';
import { buildPatch, sha256Hex, type ContainerEvidence, type Proposal } from '../profile/proposal.js';
import { verdictFor } from '../profile/syscall-set.js';
import { wideningFor } from '../profile/widen-args.js';
import { resolve } from 'node:path';
import { findingKey } from './spool.js';
import type { ShadowRef } from './spool.js';
import type { ShadowDenial } from './types.js';

/** The shadow proposal's id for a profile file (never equal to the audit proposal's). */
export const shadowProposalId = (profilePath: string): string => sha256Hex(`shadow\0${resolve(profilePath)}`).slice(0, 12);

export interface ContainerFindingsState {
  image?: ShadowRef['image'];
  /** By findingKey: the latest (folded) finding of this container. */
  findings: Record<string, ShadowDenial>;
}
/** Per container id, what the profile would deny of it. */
export type ProfileFindings = Record<string, ContainerFindingsState>;

/** Adds one spooled finding (folding repeats: earliest first seen, latest last seen, largest count). */
export function addFinding(state: ProfileFindings, ref: ShadowRef, d: ShadowDenial): void {
  const c = (state[ref.container] ??= { findings: {}, ...(ref.image ? { image: { ...ref.image } } : {}) });
  const k = findingKey(d);
  const p = c.findings[k];
  if (!p) c.findings[k] = { ...d, ...(d.tuple ? { tuple: d.tuple.map((t) => ({ ...t })) } : {}) };
  else {
    p.firstSeenMs = Math.min(p.firstSeenMs, d.firstSeenMs);
    p.lastSeenMs = Math.max(p.lastSeenMs, d.lastSeenMs);
    if (d.count !== undefined) p.count = Math.max(p.count ?? 0, d.count);
  }
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** A finding's tuple in the order widen-args.ts's policy reads it (socket: domain, protocol). */
function policyTuple(d: ShadowDenial): bigint[] | undefined {
  const p = argPolicyOf(d.name);
  if (!p || !d.tuple?.length) return undefined;
  const at = (i: number) => d.tuple!.find((t) => t.index === i)?.value;
  const order = p.kind === 'socket' ? [0, 2] : [p.index];
  const out = order.map(at);
  if (out[0] === undefined) return undefined;
  return out.filter((v): v is bigint => v !== undefined);
}

/** The evidence of all containers, and per (arch, syscall) the argument tuples seen. */
export function shadowEvidence(state: ProfileFindings): { local: LocalEvidence; values: Map<string, bigint[][]> } {
  const add = new Map<string, LocalEvidence['add'][number]>();
  const values = new Map<string, bigint[][]>();
  const containers: ContainerEvidence[] = [];
  for (const [id, c] of Object.entries(state)) {
    let count = 0;
    let first = Infinity;
    let last = 0;
    const names = new Set<string>();
    for (const d of Object.values(c.findings)) {
      const n = d.count ?? 1;
      count += n;
      first = Math.min(first, d.firstSeenMs);
      last = Math.max(last, d.lastSeenMs);
      names.add(d.name);
      const key = `${d.arch}/${d.name}`;
      const e = add.get(key);
      if (!e) add.set(key, { arch: d.arch, syscall: d.name, count: n, firstSeen: iso(d.firstSeenMs), lastSeen: iso(d.lastSeenMs), comm: [], exe: [], actions: ['shadow'] });
      else {
        e.count += n;
        if (iso(d.firstSeenMs) < e.firstSeen) e.firstSeen = iso(d.firstSeenMs);
        if (iso(d.lastSeenMs) > e.lastSeen) e.lastSeen = iso(d.lastSeenMs);
      }
      const t = policyTuple(d);
      if (t) {
        const vs = values.get(d.name) ?? [];
        if (!vs.some((v) => v.join() === t.join())) vs.push(t);
        values.set(d.name, vs);
      }
    }
    if (!names.size) continue;
    const image = c.image?.name ?? c.image?.digest;
    containers.push({ id, ...(image ? { image } : {}), runtime: 'shadow', count, firstSeen: iso(first), lastSeen: iso(last), syscalls: [...names].sort() });
  }
  containers.sort((a, b) => (a.firstSeen < b.firstSeen ? -1 : 1));
  return { local: { add: [...add.values()], containers, otherContainers: { containers: 0, count: 0 } }, values };
}

/** The shadow proposal for `profilePath`, or undefined when there is nothing to say. */
export function renderShadowProposal(profilePath: string, state: ProfileFindings, now: ProfileNow, existing: Proposal | undefined, isRejected: IsRejected, at: string): Proposal | undefined {
  const { local, values } = shadowEvidence(state);
  const target = { id: shadowProposalId(profilePath), profilePath: resolve(profilePath) };
  const r = renderFromEvidence(target, local, now, existing, isRejected, at, []);
  if (!r) return undefined;
  const p = r.proposal;
  // A syscall allowed only for some values: the values seen decide the rule. renderFromEvidence
  // knows no values, so it either proposed the engine default's rule or reported it as blocked.
  for (const [syscall, vs] of values) {
    if (verdictFor(now.profile, syscall).kind !== 'conditional') continue;
    const w = wideningFor(now.profile, syscall, vs);
    const widen = w && { basis: w.basis, reason: w.basis === 'values' ? `shadow mode saw the ${vs.length === 1 ? 'value' : 'values'} the workload needs: ${w.rules.length} rule${w.rules.length === 1 ? '' : 's'} for exactly ${vs.length === 1 ? 'it' : 'them'}` : w.reason, values: vs.map((t) => t.map(String)) };
    for (const a of p.add.filter((x) => x.syscall === syscall)) {
      if (widen) a.widen = { ...widen, values: widen.values.map((t) => [...t]) };
      else delete a.widen;
    }
    if (!widen) {
      p.add = p.add.filter((x) => x.syscall !== syscall);
      continue;
    }
    for (const b of p.blockedByRule.filter((x) => x.syscall === syscall && x.reason === 'conditional')) {
      const ev = local.add.find((e) => e.arch === b.arch && e.syscall === syscall);
      if (ev && !isRejected(target.profilePath, b.arch, syscall)) p.add.push({ ...ev, comm: [], exe: [], actions: [...ev.actions], widen: { ...widen, values: widen.values.map((t) => [...t]) } });
    }
    p.blockedByRule = p.blockedByRule.filter((x) => !(x.syscall === syscall && x.reason === 'conditional'));
  }
  p.add.sort((a, b) => (a.arch === b.arch ? (a.syscall < b.syscall ? -1 : a.syscall > b.syscall ? 1 : 0) : a.arch < b.arch ? -1 : 1));
  p.patch = buildPatch(now.profile, p.add);
  if (p.add.length && p.status !== 'open') {
    p.status = 'open';
    delete p.appliedAt;
    delete p.rejected;
  }
  (p as Proposal & { source?: string }).source = 'shadow';
  if (existing && sameContent(existing, p)) return existing;
  return p;
}
