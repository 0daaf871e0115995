// Whose proposal a container's denials go to: the profile file its filter comes from (named by its
// annotation, or the watcher's copy of an embedded profile), unless proposals may not target that
// file. An annotation that names a file the running filter is not is reported and set aside: the
// denials belong to the filter that runs.
import type { Logger } from 'pino';
import { proposalId, type ContainerRef } from '../profile/proposal.js';
import type { RegistryEntry } from '../state/registry.js';
import { profileFingerprint } from '../state/profile-fingerprint.js';
import type { SubjectRef } from './aggregator.js';
import { hiddenDenials, profileFileOf } from './container-profile.js';
import type { WatchMetrics } from './metrics.js';
import type { ProfileCache } from './profile-cache.js';
import type { FilterMismatches } from './state-store.js';
import type { WarnOnce } from './warn-once.js';

export interface SubjectResolverOptions {
  stateDir: string;
  profiles: ProfileCache;
  log: Logger;
  warn: WarnOnce;
  metrics?: WatchMetrics;
  /** Saved mismatches (the state's), counted on from. */
  filterMismatches?: FilterMismatches;
  /** The mismatch tally changed: the state needs saving. */
  changed(): void;
}

const MAX_COUNTED = 10_000;

export class SubjectResolver {
  /** Registry entries are replaced, never mutated, so the entry object itself is the cache key. */
  private readonly subjects = new WeakMap<RegistryEntry, SubjectRef | null>();
  private readonly mismatchCounted = new Set<string>();
  /** Containers whose annotation named a file their bundle's filter is not: in the state, for `proposals list`. */
  filterMismatches: FilterMismatches | undefined;

  constructor(private readonly o: SubjectResolverOptions) {
    if (o.filterMismatches) this.filterMismatches = { ...o.filterMismatches, containers: [...o.filterMismatches.containers] };
  }

  /** The subject of a container's denials, or undefined (no profile file, or one proposals may not target). */
  subjectOf(entry: RegistryEntry): SubjectRef | undefined {
    let s = this.subjects.get(entry);
    if (s === undefined) {
      s = this.resolve(entry) ?? null;
      this.subjects.set(entry, s);
    }
    return s ?? undefined;
  }

  /** Warns once per profile that would keep a container's denials out of the log. */
  noticeContainer(entry: RegistryEntry): void {
    const path = profileFileOf(this.o.stateDir, entry);
    if (!path) return;
    if (this.o.profiles.refusal(path)) {
      this.subjectOf(entry); // reports it
      return;
    }
    const p = this.o.profiles.read(path);
    if ('error' in p) {
      this.o.warn.warn(`profile:${path}`, { container: entry.id, profile: path, error: p.error }, 'cannot read the container\'s profile');
      return;
    }
    const silent = hiddenDenials(p.profile);
    if (silent) this.o.warn.warn(`silent:${path}`, { container: entry.id, profile: path, defaultAction: p.profile.defaultAction }, silent);
  }

  private resolve(named: RegistryEntry): SubjectRef | undefined {
    const entry = this.runningFilterOf(named);
    const profilePath = profileFileOf(this.o.stateDir, entry);
    if (!profilePath) return undefined;
    const refused = this.o.profiles.refusal(profilePath);
    if (refused) {
      this.o.warn.warn(`refused:${profilePath}`, { container: entry.id, profile: profilePath, why: refused }, 'the container\'s annotation names a profile file proposals may not target: not read, no proposal');
      return undefined;
    }
    const container: ContainerRef = { id: entry.id, runtime: entry.runtime };
    if (entry.name) container.name = entry.name;
    if (entry.image) container.image = entry.image;
    return { id: proposalId(profilePath), profilePath, container };
  }

  /**
   * The annotation is whatever the container's author wrote; the filter in its bundle (Docker,
   * containerd, kubelet and podman all put it in config.json) is what the kernel runs. When both are
   * there and the named file is not that filter (by the fingerprint the profile index keeps), the
   * denials belong to the filter that runs: the named file's proposal never sees them, and the
   * mismatch is reported (metric, log, `proposals list`).
   */
  private runningFilterOf(entry: RegistryEntry): RegistryEntry {
    if (!entry.profilePath || entry.profile === undefined || this.o.profiles.refusal(entry.profilePath)) return entry;
    const named = this.o.profiles.read(entry.profilePath);
    if ('error' in named) return entry;
    const runs = profileFingerprint(entry.profile);
    if (runs === undefined || runs === profileFingerprint(named.profile)) return entry;
    if (!this.mismatchCounted.has(entry.id)) {
      if (this.mismatchCounted.size >= MAX_COUNTED) this.mismatchCounted.clear();
      this.mismatchCounted.add(entry.id);
      this.o.metrics?.filterMismatches.inc();
      const f = (this.filterMismatches ??= { count: 0, containers: [] });
      f.count++;
      if (f.containers.length < 20) f.containers.push(entry.id);
      this.o.changed();
      this.o.log.warn({ container: entry.id, annotated: entry.profilePath, runs: runs.slice(0, 12), named: profileFingerprint(named.profile)?.slice(0, 12) },
        'the container\'s annotation names a profile file that is not the filter it runs: its denials go to the filter it runs, never to that file');
    }
    const { profilePath: _named, ...running } = entry;
    return running;
  }
}
