// `apply`: turn an open proposal into the new profile file, or refuse and leave the file untouched.
// Every refusal happens before the first byte is written; the write itself is atomic; the previous
// content is kept as a numbered backup first.
import jsonpatch from 'fast-json-patch';
import { applyDeclined, applyNothing, baseChanged, invalidResult, isTailorError, patchMismatch, proposalNotOpen, riskyRefused, targetRefused } from '../errors.js';
import { assertReplaceable, removeStaleTemps, writeFileAtomic } from '../fs/atomic-write.js';
import { toProfileLike, type Libseccomp } from '../profile/libseccomp-view.js';
import { buildPatch, sha256Hex, widenValues, type PatchOperation, type Proposal } from '../profile/proposal.js';
import { riskOf, type Risk } from '../profile/risk.js';
import { wideningFor } from '../profile/widen-args.js';
import { canonicalJson, checkProfile, type SeccompProfile } from '../profile/schema.js';
import { verdictFor } from '../profile/syscall-set.js';
import { saveBackup } from './backups.js';
import { withProfileLock } from './lock.js';
import { holdWritableTarget } from '../fs/safe-target.js';
import { proposalTargetRefusal } from '../state/profile-dirs.js';
import { containersUsing, type ContainerRef } from './registry-view.js';
import { formatJsonLike } from './render.js';
import { readProposal, writeProposal } from '../profile/proposal-store.js';
import { indexProfileFile } from '../state/profile-index.js';

export type CompileView = Pick<Libseccomp, 'nativeArch' | 'names' | 'compile'>;

export interface ApplyPlan {
  proposal: Proposal;
  profilePath: string;
  before: string;
  after: string;
  /** Names the profile gains. */
  adding: string[];
  /** Proposed names the (changed) profile already allows. */
  alreadyAllowed: string[];
  /** True when the profile changed since the proposal and the addition was re-derived. */
  rebased: boolean;
  risky: Array<{ syscall: string } & Risk>;
}

export interface ApplyOptions {
  stateDir: string;
  lib: CompileView;
  dryRun?: boolean;
  allowRisky?: boolean;
  /**
   * The administrator's profile directories (state/profile-dirs.ts): a proposal for a file anywhere
   * else is refused, however it got into the state directory.
   */
  profileDirs: readonly string[];
  /** Asked (inside the lock, before any write) with the plan; false refuses with APPLY_DECLINED. */
  confirm?: (plan: ApplyPlan) => Promise<boolean>;
  now?: () => Date;
}

export interface ApplyOutcome extends ApplyPlan {
  written: boolean;
  backup?: string;
  /** Running containers started with this profile file: they get the change only when restarted. */
  restart: ContainerRef[];
}

const patched = (doc: unknown, ops: readonly PatchOperation[]): unknown =>
  jsonpatch.applyPatch(jsonpatch.deepClone(doc), ops as unknown as jsonpatch.Operation[], true, false).newDocument;

/**
 * Pure planning: the new file content for `proposal` given the file's current bytes, or a refusal
 * (APPLY_BASE_CHANGED, APPLY_PATCH_MISMATCH, APPLY_RISKY, APPLY_INVALID_RESULT).
 */
export function planApply(proposal: Proposal, current: Uint8Array, opts: { lib: CompileView; allowRisky?: boolean }): ApplyPlan {
  const path = proposal.profile.path;
  const before = Buffer.from(current).toString('utf8');
  const unchanged = sha256Hex(current) === proposal.profile.sha256;
  let json: unknown;
  let profile: SeccompProfile;
  try {
    json = JSON.parse(before);
    profile = checkProfile(json, path);
  } catch (e) {
    const why = `it is no longer a valid profile (${(e as Error).message.split('\n').slice(0, 2).join(' ')})`;
    throw unchanged ? invalidResult(path, why) : baseChanged(path, why);
  }

  const adding: string[] = [];
  const alreadyAllowed: string[] = [];
  for (const a of proposal.add) {
    const v = verdictFor(profile, a.syscall);
    if (v.kind === 'blocked-by-rule') throw baseChanged(path, `${a.syscall} is now blocked by rule ${v.rule} (${v.action}); allowing it would override a deliberate block`);
    if (v.kind === 'conditional' && !(a.widen && wideningFor(profile, a.syscall, widenValues(a.widen)))) throw baseChanged(path, `${a.syscall} is now allowed only conditionally by rule ${v.rule}; allowing it outright would widen that rule`);
    if (v.kind === 'allowed') alreadyAllowed.push(a.syscall);
    else adding.push(a.syscall);
  }
  const uniqueAdding = [...new Set(adding)].sort();

  const risky = uniqueAdding.flatMap((syscall) => {
    const r = riskOf(syscall);
    return r ? [{ syscall, ...r }] : [];
  });
  const high = risky.filter((r) => r.level === 'high');
  if (high.length && !opts.allowRisky) throw riskyRefused(proposal.id, high.map((r) => `${r.syscall}: ${r.why}`).join('; '));

  const derived = buildPatch(profile, proposal.add);
  let doc = patched(json, derived);
  if (unchanged) {
    // The stored patch is what `proposals show` displayed and what other tools apply; it must do
    // exactly what the additions say, nothing more (a hand-edited state file must not widen a profile).
    let stored: unknown;
    try {
      stored = patched(json, proposal.patch);
    } catch {
      throw patchMismatch(proposal.id);
    }
    if (canonicalJson(stored) !== canonicalJson(doc)) throw patchMismatch(proposal.id);
    doc = stored;
  }

  let result: SeccompProfile;
  try {
    result = checkProfile(doc, path);
    opts.lib.compile(toProfileLike(result, opts.lib));
  } catch (e) {
    if (!isTailorError(e)) throw e;
    throw invalidResult(path, e.message.replace(/\n\s*/g, ' '));
  }
  const after = uniqueAdding.length === 0 && canonicalJson(doc) === canonicalJson(json) ? before : formatJsonLike(doc, before);
  return { proposal, profilePath: path, before, after, adding: uniqueAdding, alreadyAllowed: [...new Set(alreadyAllowed)].sort(), rebased: !unchanged, risky };
}

export async function applyProposal(id: string, opts: ApplyOptions): Promise<ApplyOutcome> {
  const proposal = readProposal(opts.stateDir, id);
  if (proposal.status !== 'open') throw proposalNotOpen(id, proposal.status);
  if (proposal.add.length === 0) {
    throw applyNothing(id);
  }
  const path = proposal.profile.path;
  const outside = proposalTargetRefusal(path, opts.profileDirs);
  if (outside) throw targetRefused(path, outside);
  // Every read and write below goes through the held directory, never through the path again.
  const target = holdWritableTarget(path);
  let outcome: ApplyOutcome;
  try {
    // Refuse a symlink before taking the lock: proper-lockfile would otherwise lock the link's name.
    assertReplaceable(target.via);
    outcome = await withProfileLock(target, async (): Promise<ApplyOutcome> => {
    removeStaleTemps(target.via);
    const current = target.read();
    if (current === undefined) throw baseChanged(path, 'the file does not exist');
    const plan = planApply(proposal, current, opts);
    if (opts.dryRun) return { ...plan, written: false, restart: [] };
    if (opts.confirm) {
      if (!(await opts.confirm(plan))) throw applyDeclined(id);
      // The prompt has no time limit: what was shown must still be what gets replaced, and where.
      target.reverify();
      const again = target.read();
      if (again === undefined || sha256Hex(again) !== sha256Hex(current)) throw baseChanged(path, 'the file changed while apply waited for an answer');
    }
    const now = (opts.now ?? (() => new Date()))().toISOString();
    let backup: string | undefined;
    if (plan.after !== plan.before) {
      backup = (await saveBackup(opts.stateDir, path, current, { replacedBySha256: sha256Hex(plan.after), proposalId: id, at: now })).path;
      await writeFileAtomic(target.via, plan.after, { crashTestPoint: true });
      // A container started from the new file under Docker embeds it: keep it findable.
      try { indexProfileFile(opts.stateDir, path, plan.after); } catch { /* the watcher then proposes against an embedded copy */ }
    }
    writeProposal(opts.stateDir, { ...proposal, status: 'applied', appliedAt: now, updatedAt: now });
    return { ...plan, written: plan.after !== plan.before, ...(backup ? { backup } : {}), restart: [] };
    });
  } finally {
    target.close();
  }
  if (!opts.dryRun) outcome.restart = await containersUsing(opts.stateDir, path);
  return outcome;
}
