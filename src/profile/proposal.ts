// THE proposal file: written by the watch daemon (one per profile file, updated in place) and by
// `proposals import`, read by `proposals`, `apply` and `reject`. Pure: schema and builders, no I/O.
// Stored at proposalPath(stateDir, id); JSON, 2-space, trailing newline.
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { patchConflict, proposalInvalid, proposalNotJson } from '../errors.js';
import { proposalsDir } from '../state/paths.js';
import { archTokenOf, isConditionalRule, SeccompAction, type SeccompProfile, type SeccompRule } from './schema.js';
import { verdictFor } from './syscall-set.js';
import { wideningFor } from './widen-args.js';
import { familyPatchOps } from './families-patch.js';

/** An RFC 6902 operation (the shape fast-json-patch applies). */
export const PatchOperation = z.looseObject({
  op: z.enum(['add', 'remove', 'replace', 'move', 'copy', 'test']),
  path: z.string(),
  value: z.unknown().optional(),
  from: z.string().optional(),
});
export type PatchOperation = z.infer<typeof PatchOperation>;

export const ProposalRisk = z.object({ level: z.enum(['high', 'medium']), why: z.string() });
export type ProposalRisk = z.infer<typeof ProposalRisk>;

const isoTime = z.string().min(1);

/** The denials of one syscall on one arch. `comm`/`exe` are hostile: escape to print. */
export const ProposalEvidence = z.looseObject({
  /** libseccomp arch name (x86_64, x86, aarch64, ...), as in events. */
  arch: z.string().min(1),
  syscall: z.string().regex(/^[a-z0-9_]+$/),
  count: z.number().int().nonnegative(),
  firstSeen: isoTime,
  lastSeen: isoTime,
  /** Distinct values seen (the watcher caps the list length). */
  comm: z.array(z.string()),
  exe: z.array(z.string()),
  /** Event actions seen (kill_process, errno, log, ...: parsers/types.ts SeccompAction). */
  actions: z.array(z.string()),
});
export type ProposalEvidence = z.infer<typeof ProposalEvidence>;

/** A syscall to allow, with the evidence that it is needed. */
export const ProposalAddition = ProposalEvidence.extend({
  risk: ProposalRisk.optional(),
  /**
   * The syscall is allowed only with argument rules: how they are widened and why. For display:
   * the rules themselves are recomputed from the profile (widen-args.ts), never read from here.
   */
  widen: z.object({
    basis: z.enum(['values', 'engine-default', 'name']),
    reason: z.string(),
    /**
     * The argument tuples the workload was seen to need (shadow mode sees them; audit records do
     * not), as decimal strings in the order widen-args.ts's policy reads them: the rules are still
     * derived from these by that policy, never taken from the file.
     */
    values: z.array(z.array(z.string().regex(/^(0|[1-9][0-9]{0,19})$/)).max(6)).max(64).optional(),
  }).optional(),
});
export type ProposalAddition = z.infer<typeof ProposalAddition>;

/** A denial of a syscall the profile blocks on purpose (or allows only conditionally): reported, never proposed. */
export const BlockedByRule = z.looseObject({
  arch: z.string().min(1),
  syscall: z.string().min(1),
  /** Index into the profile's `syscalls` array. */
  rule: z.number().int().nonnegative(),
  /** The rule's action (not the event's). */
  action: SeccompAction,
  count: z.number().int().nonnegative(),
  /** 'explicit': a blocking rule; 'conditional': allowed only for some args/capabilities. */
  reason: z.enum(['explicit', 'conditional']).optional(),
});
export type BlockedByRule = z.infer<typeof BlockedByRule>;

/**
 * Records were lost while this proposal's container was watched (printk's rate limit, a full
 * netlink buffer, the watcher down with no log to catch up from): the counts are a lower bound and
 * syscalls may be missing. The kernel does not say whose records were lost.
 */
export const EvidenceIncomplete = z.looseObject({
  /** Records (or audit events, for serial gaps) reported lost host-wide; 0 when unknown. */
  lostRecords: z.number().int().nonnegative(),
  notices: z.number().int().nonnegative(),
  from: isoTime,
  to: isoTime,
  /** How the loss was seen: kmsg-ratelimit, serial-gap, netlink-overflow, restart-gap, ... */
  sources: z.array(z.string()),
});
export type EvidenceIncomplete = z.infer<typeof EvidenceIncomplete>;

export const ProposalStatus = z.enum(['open', 'applied', 'rejected']);
export type ProposalStatus = z.infer<typeof ProposalStatus>;

const proposalIdText = z.string().regex(/^[0-9a-f]{12}$/, 'a proposal id is 12 lower-case hex digits');
const count = z.number().int().nonnegative();

/** Containers named one by one in a proposal's evidence; the rest are counted in otherContainers. */
export const MAX_CONTAINERS = 50;

export const ContainerRef = z.looseObject({
  id: z.string().optional(),
  name: z.string().optional(),
  image: z.string().optional(),
  runtime: z.string().optional(),
});
export type ContainerRef = z.infer<typeof ContainerRef>;

/** One container's share of the denials. All strings are hostile (they come from the container's runtime). */
export const ContainerEvidence = ContainerRef.extend({
  /** Set on evidence imported from another host (`proposals import`); absent for this host's own containers. */
  host: z.string().optional(),
  count,
  firstSeen: isoTime,
  lastSeen: isoTime,
  /** Distinct syscall names this container was denied (capped, see MAX_SYSCALLS_PER_CONTAINER). */
  syscalls: z.array(z.string()),
});
export type ContainerEvidence = z.infer<typeof ContainerEvidence>;

export const OtherContainers = z.object({ containers: count, count });
export type OtherContainers = z.infer<typeof OtherContainers>;

/** What one host contributed to a proposal: the unit `proposals export` writes and `import` merges. */
export const Contribution = z.looseObject({
  host: z.string().min(1),
  /** The proposal's id on that host, and its evidence revision (a newer revision replaces an older one). */
  proposal: proposalIdText,
  revision: z.number().int().positive(),
  add: z.array(ProposalEvidence),
  containers: z.array(ContainerEvidence),
  otherContainers: OtherContainers,
});
export type Contribution = z.infer<typeof Contribution>;

export const ImportedContribution = Contribution.extend({ importedAt: isoTime });
export type ImportedContribution = z.infer<typeof ImportedContribution>;

const profileRef = z.object({
  path: z.string().min(1),
  /** sha256 (hex) of the file's bytes the proposal was computed against. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
const decisions = {
  status: ProposalStatus,
  appliedAt: isoTime.optional(),
  rejected: z.object({ at: isoTime, reason: z.string().optional() }).optional(),
  /** This host's losses while it watched the proposal's containers. */
  evidenceIncomplete: EvidenceIncomplete.optional(),
};

/** One proposal per profile file: every container that runs under the file folds into it. */
export const ProposalV2 = z.looseObject({
  version: z.literal(2),
  id: proposalIdText,
  profile: profileRef,
  /** The container that asked most recently (what version 1 called the proposal's container). */
  container: ContainerRef,
  /** At most MAX_CONTAINERS, this host's first; the rest are counted in otherContainers. */
  containers: z.array(ContainerEvidence),
  otherContainers: OtherContainers,
  /** Grows by one whenever the evidence changes: what `import` compares to stay idempotent. */
  revision: z.number().int().positive(),
  createdAt: isoTime,
  updatedAt: isoTime,
  /** Summed over this host's containers and the imported contributions. */
  add: z.array(ProposalAddition),
  blockedByRule: z.array(BlockedByRule),
  patch: z.array(PatchOperation),
  /** Evidence from other hosts, one entry per (host, proposal there): replaced, never added twice. */
  imported: z.array(ImportedContribution).optional(),
  ...decisions,
});

export type ProposalV2 = z.infer<typeof ProposalV2>;

/** Version 1: one proposal per (container or image, profile file). Still read; never written. */
export const ProposalV1 = z.looseObject({
  version: z.literal(1),
  id: proposalIdText,
  container: ContainerRef,
  profile: profileRef,
  createdAt: isoTime,
  updatedAt: isoTime,
  add: z.array(ProposalAddition),
  blockedByRule: z.array(BlockedByRule),
  patch: z.array(PatchOperation),
  ...decisions,
});
export type ProposalV1 = z.infer<typeof ProposalV1>;

const earliest = (xs: string[], fallback: string): string => xs.reduce((a, b) => (b < a ? b : a), xs[0] ?? fallback);
const latest = (xs: string[], fallback: string): string => xs.reduce((a, b) => (b > a ? b : a), xs[0] ?? fallback);

/**
 * A version 1 file as version 2: its one container becomes the evidence's only entry. The id stays
 * (it names the file); the watcher folds such proposals into the profile file's own one.
 */
export function fromV1(p: ProposalV1): ProposalV2 {
  const { version: _v, ...rest } = p;
  const syscalls = [...new Set([...p.add.map((a) => a.syscall), ...p.blockedByRule.map((b) => b.syscall)])].sort();
  const evidence: ContainerEvidence = {
    ...p.container,
    count: p.add.reduce((n, a) => n + a.count, 0) + p.blockedByRule.reduce((n, b) => n + b.count, 0),
    firstSeen: earliest(p.add.map((a) => a.firstSeen), p.createdAt),
    lastSeen: latest(p.add.map((a) => a.lastSeen), p.updatedAt),
    syscalls,
  };
  return { ...rest, version: 2, containers: [evidence], otherContainers: { containers: 0, count: 0 }, revision: 1 };
}

/** Either version on input, version 2 out. */
export const Proposal = z.union([ProposalV2, ProposalV1.transform(fromV1)]);
export type Proposal = z.infer<typeof Proposal>;

export const sha256Hex = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/**
 * The proposal of a profile file: every container running under it (replicas, restarts, another
 * image with the same file) adds its denials here. Different files never share one.
 */
export function proposalId(profilePath: string): string {
  return sha256Hex(`profile\0${resolve(profilePath)}`).slice(0, 12);
}

/** A file of the version 1 form (one per container or image) whose denials belong to proposalId(its profile). */
export const isFoldable = (p: Proposal): boolean => p.id !== proposalId(p.profile.path) && (p as { source?: unknown }).source !== 'shadow';

/** The argument tuples a widening was proposed for (shadow findings), as the policy reads them. */
export function widenValues(widen: unknown): bigint[][] | undefined {
  const v = (widen as { values?: unknown } | undefined)?.values;
  return Array.isArray(v) && v.length ? v.map((t) => (t as string[]).map((x) => BigInt(x))) : undefined;
}

export const proposalPath = (stateDir: string, id: string): string => join(proposalsDir(stateDir), `${id}.json`);

export function parseProposal(text: string, source: string): Proposal {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw proposalNotJson(source, e as Error);
  }
  // One schema per version, so that a bad file is explained against the version it claims.
  const v1 = typeof json === 'object' && json !== null && (json as { version?: unknown }).version === 1;
  const r = v1 ? ProposalV1.transform(fromV1).safeParse(json) : ProposalV2.safeParse(json);
  if (!r.success) throw proposalInvalid(source, z.prettifyError(r.error), r.error);
  return r.data;
}

export const serializeProposal = (p: Proposal): string => JSON.stringify(p, null, 2) + '\n';

const isPlainAllowRule = (r: SeccompRule): boolean => r.action === 'SCMP_ACT_ALLOW' && !isConditionalRule(r) && r.errnoRet == null;

const isSorted = (xs: readonly string[]): boolean => xs.every((x, i) => i === 0 || xs[i - 1]! <= x);

/**
 * RFC 6902 operations that allow `additions` in `profile`: the names go into the first unconditional
 * SCMP_ACT_ALLOW rule (at their sorted place when that rule is sorted), or into a new rule appended
 * at the end; an arch missing from a non-empty `architectures` is added too. Names the profile
 * already allows are skipped. A name the profile blocks by rule or allows only conditionally throws
 * PATCH_CONFLICT: widening a deliberate limit is never a side effect (see verdictFor).
 */
export function buildPatch(profile: SeccompProfile, additions: ReadonlyArray<{ arch: string; syscall: string; widen?: unknown }>): PatchOperation[] {
  const ops: PatchOperation[] = [];
  const names = new Set<string>();
  const argRules: SeccompRule[] = [];
  const widened = new Set<string>();
  for (const a of additions) {
    const v = verdictFor(profile, a.syscall);
    // Allowed only with argument rules and proposed as a widening: widened as widen-args.ts
    // decides, from the profile alone (an addition computed against an older profile is not).
    const w = v.kind === 'conditional' && a.widen && !widened.has(a.syscall) ? wideningFor(profile, a.syscall, widenValues(a.widen)) : undefined;
    if (w) {
      widened.add(a.syscall);
      if (w.basis === 'name') names.add(a.syscall);
      else argRules.push(...w.rules);
      continue;
    }
    if (v.kind === 'conditional' && widened.has(a.syscall)) continue;
    if (v.kind === 'blocked-by-rule' || v.kind === 'conditional') {
      throw patchConflict(a.syscall, v.kind === 'conditional' ? 'allowed only conditionally' : `blocked (${v.action})`, v.rule);
    }
    if (v.kind === 'default') names.add(a.syscall);
  }
  // Appended after the name changes, so their indexes stay those of the profile as it was.
  const ruleOps = (hasArray: boolean): PatchOperation[] => hasArray
    ? argRules.map((r) => ({ op: 'add', path: '/syscalls/-', value: r }))
    : argRules.length ? [{ op: 'add', path: '/syscalls', value: argRules }] : [];

  const arches = profile.architectures;
  if (arches && arches.length > 0) {
    const covered = new Set<string>([...arches, ...(profile.archMap ?? []).flatMap((e) => [e.architecture, ...(e.subArchitectures ?? [])])]);
    for (const arch of new Set(additions.map((a) => a.arch))) {
      const token = archTokenOf(arch);
      if (token && !covered.has(token)) {
        ops.push({ op: 'add', path: '/architectures/-', value: token });
        covered.add(token);
      }
    }
  }
  // Family ENOSYS rules stay coherent (families-patch.ts): appended last, they remove by index.
  if (names.size === 0) return [...ops, ...ruleOps(profile.syscalls != null), ...familyPatchOps(profile, names)];

  const sorted = [...names].sort();
  const rules = profile.syscalls;
  const target = rules?.findIndex(isPlainAllowRule) ?? -1;
  if (rules && target >= 0) {
    const current = [...rules[target]!.names];
    const keepSorted = isSorted(current);
    for (const name of sorted) {
      if (keepSorted) {
        let at = current.findIndex((n) => n > name);
        if (at < 0) at = current.length;
        current.splice(at, 0, name);
        ops.push({ op: 'add', path: `/syscalls/${target}/names/${at === current.length - 1 ? '-' : at}`, value: name });
      } else {
        current.push(name);
        ops.push({ op: 'add', path: `/syscalls/${target}/names/-`, value: name });
      }
    }
  } else if (rules) {
    ops.push({ op: 'add', path: '/syscalls/-', value: { names: sorted, action: 'SCMP_ACT_ALLOW' } });
  } else {
    ops.push({ op: 'add', path: '/syscalls', value: [{ names: sorted, action: 'SCMP_ACT_ALLOW' }] });
  }
  return [...ops, ...ruleOps(true), ...familyPatchOps(profile, names)];
}
