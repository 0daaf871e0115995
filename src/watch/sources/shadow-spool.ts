// The watcher's shadow source: follows <stateDir>/shadow/ (src/shadow/spool.ts) whatever the audit
// source is, and turns each finding into its profile's shadow proposal (src/shadow/proposals.ts).
// Attribution is the tracer's own: the spool line names the container and the profile; no pid is
// looked up and no log text is read. Checkpointed: the bytes read of each file and the findings
// folded so far are saved (after the proposals, as the engine does) in .watch-state.json, so a
// restart continues where it stopped and counts nothing twice. Findings reach the proposal file
// within a poll (fs.watch wakes it at once; POLL_MS is the fallback).
import { existsSync, mkdirSync, readFileSync, statSync, unlinkSync, watch, type FSWatcher } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { writeFileAtomicSync } from '../../fs/atomic-write.js';
import { findProposal, writeProposal } from '../../profile/proposal-store.js';
import { addFinding, renderShadowProposal, shadowProposalId, type ProfileFindings } from '../../shadow/proposals.js';
import { listSpoolFiles, readSpoolFrom, shadowDir, SHADOW_DIR_MODE } from '../../shadow/spool.js';
import type { IsRejected } from '../render-proposal.js';
import type { ProfileCache } from '../profile-cache.js';

export const POLL_MS = 200;
/** A spool file read to its end is removed once untouched this long (its findings live on in the state). */
export const RETAIN_MS = 7 * 24 * 3600_000;
/** Profiles and containers a watcher keeps findings for (the oldest container is forgotten past it). */
export const MAX_CONTAINERS_PER_PROFILE = 1000;

export interface ShadowSpoolOptions {
  stateDir: string;
  profiles: Pick<ProfileCache, 'read' | 'refusal'>;
  isRejected: IsRejected;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  pollMs?: number;
  /** Called after each pass that wrote something (tests and the latency bench). */
  onWrite?: (written: string[]) => void;
}

interface SavedState {
  v: 1;
  offsets: Record<string, number>;
  profiles: Record<string, ProfileFindings>;
}

const statePath = (stateDir: string): string => join(shadowDir(stateDir), '.watch-state.json');

const encode = (s: SavedState): string => JSON.stringify(s, (_k, v) => (typeof v === 'bigint' ? { $big: v.toString() } : v));
const decode = (t: string): SavedState => JSON.parse(t, (_k, v) => (v && typeof v === 'object' && typeof v.$big === 'string' && /^[0-9]{1,20}$/.test(v.$big) ? BigInt(v.$big) : v)) as SavedState;

function loadState(stateDir: string, log: ShadowSpoolOptions['log']): SavedState {
  const path = statePath(stateDir);
  if (!existsSync(path)) return { v: 1, offsets: {}, profiles: {} };
  try {
    const s = decode(readFileSync(path, 'utf8'));
    if (s.v === 1 && s.offsets && s.profiles) return s;
  } catch {
    // fall through
  }
  log.warn({ path }, 'shadow watch state unreadable: reading the spool again from the start (proposal counts are recomputed, not added)');
  return { v: 1, offsets: {}, profiles: {} };
}

export class ShadowSpoolSource {
  private readonly state: SavedState;
  private timer: NodeJS.Timeout | undefined;
  private watcher: FSWatcher | undefined;
  private running = false;
  private again = false;
  private readonly warned = new Set<string>();
  readonly stats = { findings: 0, proposalWrites: 0, problems: 0 };

  constructor(private readonly o: ShadowSpoolOptions) {
    mkdirSync(shadowDir(o.stateDir), { recursive: true, mode: SHADOW_DIR_MODE });
    this.state = loadState(o.stateDir, o.log);
  }

  start(): this {
    try {
      this.watcher = watch(shadowDir(this.o.stateDir), { persistent: false }, () => this.kick());
    } catch (e) {
      this.o.log.warn({ err: (e as Error).message }, 'cannot watch the shadow spool directory: polling it');
    }
    this.timer = setInterval(() => this.kick(), this.o.pollMs ?? POLL_MS);
    this.timer.unref?.();
    this.kick();
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.watcher?.close();
    this.timer = undefined;
    this.watcher = undefined;
  }

  private kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      do {
        this.again = false;
        this.pass();
      } while (this.again);
    } catch (e) {
      this.o.log.error({ err: (e as Error).message }, 'shadow spool pass failed; retrying at the next poll');
    } finally {
      this.running = false;
    }
  }

  /** Reads what is new in every spool file, renders the proposals it touches, saves the checkpoint. */
  pass(): string[] {
    const touched = new Set<string>();
    let moved = false;
    const names = listSpoolFiles(this.o.stateDir);
    // Offsets of files gone (pruned below) are dropped, so the state stays the size of the spool.
    for (const gone of Object.keys(this.state.offsets).filter((n) => !names.includes(n))) {
      delete this.state.offsets[gone];
      moved = true;
    }
    for (const name of names) {
      const path = join(shadowDir(this.o.stateDir), name);
      let offset = this.state.offsets[name] ?? 0;
      for (;;) {
        const c = readSpoolFrom(path, offset);
        if (c.truncated) {
          offset = 0;
          continue;
        }
        for (const p of c.problems) this.warnOnce(p, { spool: name }, p);
        for (const r of c.records) {
          const profile = resolve(r.ref.profilePath);
          if (r.kind === 'bound') {
            this.warnOnce(`bound:${name}`, { container: r.ref.container, profile, lines: r.lines }, 'the shadow spool bound for this container was hit: later findings of it were not written');
            continue;
          }
          const findings = (this.state.profiles[profile] ??= {});
          addFinding(findings, r.ref, r.denial);
          this.bound(findings);
          touched.add(profile);
          this.stats.findings++;
        }
        if (c.nextOffset === offset) break;
        offset = c.nextOffset;
        moved = true;
      }
      this.state.offsets[name] = offset;
      moved ||= this.prune(path, name, offset);
    }
    const written: string[] = [];
    const at = new Date().toISOString();
    for (const profile of touched) {
      const now = this.o.profiles.read(profile);
      if ('error' in now) {
        this.warnOnce(`profile:${profile}`, { profile, error: now.error }, 'cannot read the shadowed profile: no proposal');
        continue;
      }
      const id = shadowProposalId(profile);
      let existing;
      try {
        existing = findProposal(this.o.stateDir, id);
      } catch {
        existing = undefined; // hand-edited into something invalid: rewritten
      }
      const p = renderShadowProposal(profile, this.state.profiles[profile]!, now, existing, this.o.isRejected, at);
      if (!p || p === existing) continue;
      writeProposal(this.o.stateDir, p);
      written.push(id);
      this.stats.proposalWrites++;
      if (!existing) this.o.log.info({ proposal: id, profile, add: p.add.map((a) => a.syscall) }, 'new shadow proposal');
    }
    // After the proposals: a crash between the two reads the same lines again, which fold to the same counts.
    if (moved) writeFileAtomicSync(statePath(this.o.stateDir), encode(this.state), { mode: 0o600 });
    if (written.length) this.o.onWrite?.(written);
    return written;
  }

  /**
   * A file read to its end and untouched for RETAIN_MS is removed: its findings are in the state
   * (and the proposal), and the container is long gone. Keeps the spool bounded over time.
   */
  private prune(path: string, name: string, offset: number): boolean {
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st || st.size !== offset || Date.now() - st.mtimeMs < RETAIN_MS) return false;
    try {
      unlinkSync(path);
    } catch {
      return false;
    }
    delete this.state.offsets[name];
    return true;
  }

  private bound(findings: ProfileFindings): void {
    const ids = Object.keys(findings);
    if (ids.length <= MAX_CONTAINERS_PER_PROFILE) return;
    const oldest = ids.sort((a, b) => Math.min(...Object.values(findings[a]!.findings).map((d) => d.firstSeenMs)) - Math.min(...Object.values(findings[b]!.findings).map((d) => d.firstSeenMs)))[0]!;
    delete findings[oldest];
  }

  private warnOnce(key: string, fields: object, msg: string): void {
    if (this.warned.has(key)) return;
    if (this.warned.size > 10_000) this.warned.clear();
    this.warned.add(key);
    this.stats.problems++;
    this.o.log.warn(fields, msg);
  }
}
