// The report of a profile file from disk (or the one a registered container was started with),
// with the container's registry entry, the recording's timeline and the profile's run history.
// A container being recorded now is live.ts's.
import { readFile } from 'node:fs/promises';
import { reportNoProfile } from '../errors.js';
import { parseProfile } from '../profile/schema.js';
import { reportReference } from './reference.js';
import { readRegistryEntry, type RegistryEntry } from '../state/registry.js';
import { buildReport, type ContainerFacts, type ReportModel } from './model.js';
import { accumulationOf, type Accumulation } from './accumulation.js';
import { readRunHistory } from '../history/history.js';
import { resolve } from 'node:path';
import { parseTimeline, sidecarPath, timelineOfEntry, type Timeline } from './timeline.js';

export interface ReportOptions {
  profile?: string;
  registryId?: string;
  stateDir: string;
  timeline?: string;
  defaultProfile?: string;
}

const readIfExists = (path: string): Promise<string | undefined> => readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
  if (err.code === 'ENOENT') return undefined;
  throw err;
});

function factsOf(e: RegistryEntry): ContainerFacts {
  const pick = <K extends keyof ContainerFacts>(k: K, v: unknown): Partial<ContainerFacts> => (typeof v === 'string' ? { [k]: v } : {});
  return { id: e.id, ...pick('runtime', e.runtime), ...pick('name', e.name), ...pick('image', e.image), ...pick('registeredAt', e.registeredAt), ...pick('stoppedAt', e.stoppedAt) };
}

/** The timeline: --timeline, else the sidecar next to the profile, else the registry entry's. */
async function findTimeline(profilePath: string, opts: ReportOptions, entry?: RegistryEntry): Promise<Timeline | undefined> {
  if (opts.timeline) {
    const text = await readFile(opts.timeline, 'utf8');
    return parseTimeline(text, opts.timeline);
  }
  const side = sidecarPath(profilePath);
  const text = await readIfExists(side);
  if (text !== undefined) return parseTimeline(text, side);
  return entry ? timelineOfEntry(entry) : undefined;
}

export async function loadReport(opts: ReportOptions): Promise<ReportModel> {
  let entry: RegistryEntry | undefined;
  if (opts.registryId) {
    entry = readRegistryEntry(opts.stateDir, opts.registryId);
    if (!entry) throw reportNoProfile(`no container ${opts.registryId} in the registry of ${opts.stateDir}`);
  }
  const profilePath = opts.profile ?? entry?.profilePath;
  if (!profilePath) {
    throw reportNoProfile(entry ? `container ${entry.id} has no profile file in its registry entry: name the profile` : 'name a profile file, or a container with --registry-id');
  }
  const profile = parseProfile(await readFile(profilePath, 'utf8'), profilePath);
  const timeline = await findTimeline(profilePath, opts, entry);
  const accumulation = historyCurve(opts.stateDir, profilePath);
  return buildReport({
    profile,
    source: profilePath,
    ...(await reportReference(opts.defaultProfile)),
    ...(timeline ? { timeline } : {}),
    ...(accumulation ? { accumulation } : {}),
    ...(entry ? { container: factsOf(entry) } : {}),
  });
}

/** The accumulation curve from the profile's history; none when there is none, or it cannot be read (not root). */
function historyCurve(stateDir: string, profilePath: string): Accumulation | undefined {
  try {
    return accumulationOf(readRunHistory(stateDir, resolve(profilePath)));
  } catch {
    return undefined;
  }
}
