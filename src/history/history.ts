// THE owner of <stateDir>/history/: one file per profile (keyed like proposals, by the profile's
// absolute path: sanitizePath), one JSON object a line, one line per run of a container that was
// recorded into the profile or shadowed it. `profile readiness` and `report --html` read it.
//
// Appends are one write(2) with O_APPEND (never interleaved). Bounded: past MAX_RUNS lines the
// file is compacted (atomic rewrite) to its newest KEEP_RUNS runs behind one `summary` line that
// keeps what readiness needs of the dropped runs (their number, containers, images, time span and
// per-syscall run counts), so the estimates do not change when old lines go. Appends and the
// compaction take a small lock (a directory, mkdir is atomic) so no append lands in a file being
// replaced. Root-only: directory 0700, files 0600.
import { chmodSync, closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readSync, rmdirSync, statSync, writeSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { writeFileAtomicSync } from '../fs/atomic-write.js';
import { sanitizePath } from '../state/paths.js';

export const HISTORY_DIR_MODE = 0o700;
export const HISTORY_FILE_MODE = 0o600;
export const MAX_RUNS = 4_000;
export const KEEP_RUNS = 3_000;
/** Syscalls (with argument values) one run may add; more are cut and the cut said in `addedTruncated`. */
export const MAX_ADDED = 2_000;
const MAX_FILE_BYTES = 64 * 1024 * 1024;

export const historyDir = (stateDir: string): string => join(stateDir, 'history');
export const historyPath = (stateDir: string, profile: string): string => join(historyDir(stateDir), `${sanitizePath(profile)}.jsonl`);

export interface AddedSyscall { arch: string; name: string; args?: Array<{ index: number; value: string }> }

export interface RunHistoryEntry {
  profile: string;
  kind: 'recording' | 'shadow';
  container: string;
  image?: { name?: string; digest?: string };
  startedAt: string;
  endedAt: string;
  /** What the run did that the profile did not allow at that moment. */
  added: AddedSyscall[];
  /** Set by appendRunHistory when `added` was longer than MAX_ADDED. */
  addedTruncated?: number;
}

/** What compaction kept of the runs it dropped. */
export interface HistorySummary {
  runs: number;
  containers: string[];
  images: string[];
  firstAt: string;
  lastAt: string;
  /** The last time a dropped run added something. */
  lastNewAt: string | null;
  /** Per added syscall key (addedKey), in how many dropped runs it was added. */
  keyRuns: Record<string, number>;
}

// Checked by hand, not with zod: the hook and hookd append through this file, and nothing they
// reach may load zod (test/unit/import-graph.test.ts).
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown, max: number): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;
const isTime = (v: unknown): v is string => isStr(v, 64) && !Number.isNaN(Date.parse(v));
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const ARCH = /^[a-z0-9_]{1,32}$/;
const NAME = /^[a-z0-9_]{1,64}$/;
const DECIMAL = /^(0|[1-9][0-9]{0,19})$/;

function checkImage(v: unknown): RunHistoryEntry['image'] | string {
  if (v === undefined) return undefined;
  if (!isObj(v)) return 'image';
  const out: NonNullable<RunHistoryEntry['image']> = {};
  if (v.name !== undefined) { if (!isStr(v.name, 1024)) return 'image.name'; out.name = v.name; }
  if (v.digest !== undefined) { if (!isStr(v.digest, 256)) return 'image.digest'; out.digest = v.digest; }
  return out;
}

function checkAdded(v: unknown): AddedSyscall[] | string {
  if (!Array.isArray(v) || v.length > MAX_ADDED) return `added (a list of at most ${MAX_ADDED})`;
  const out: AddedSyscall[] = [];
  for (const [i, a] of v.entries()) {
    if (!isObj(a) || typeof a.arch !== 'string' || !ARCH.test(a.arch) || typeof a.name !== 'string' || !NAME.test(a.name)) return `added.${i}`;
    if (a.args === undefined) { out.push({ arch: a.arch, name: a.name }); continue; }
    if (!Array.isArray(a.args) || a.args.length > 6) return `added.${i}.args`;
    const args: Array<{ index: number; value: string }> = [];
    for (const x of a.args) {
      if (!isObj(x) || !Number.isInteger(x.index) || (x.index as number) < 0 || (x.index as number) > 5) return `added.${i}.args.index`;
      if (typeof x.value !== 'string' || !DECIMAL.test(x.value) || BigInt(x.value) >= 1n << 64n) return `added.${i}.args.value`;
      args.push({ index: x.index as number, value: x.value });
    }
    out.push({ arch: a.arch, name: a.name, args });
  }
  return out;
}

/** A history line as an entry, or the field that is wrong. */
function checkEntry(j: unknown): RunHistoryEntry | string {
  if (!isObj(j) || j.v !== 1) return 'v';
  if (j.kind !== 'recording' && j.kind !== 'shadow') return 'kind';
  if (!isStr(j.profile, 4096) || !isAbsolute(j.profile)) return 'profile';
  if (!isStr(j.container, 256)) return 'container';
  const image = checkImage(j.image);
  if (typeof image === 'string') return image;
  if (!isTime(j.startedAt)) return 'startedAt';
  if (!isTime(j.endedAt)) return 'endedAt';
  const added = checkAdded(j.added);
  if (typeof added === 'string') return added;
  if (j.addedTruncated !== undefined && (!isCount(j.addedTruncated) || j.addedTruncated === 0)) return 'addedTruncated';
  return {
    profile: j.profile, kind: j.kind, container: j.container, ...(image ? { image } : {}),
    startedAt: j.startedAt, endedAt: j.endedAt, added,
    ...(j.addedTruncated === undefined ? {} : { addedTruncated: j.addedTruncated as number }),
  };
}

function checkSummary(j: Record<string, unknown>): HistorySummary | string {
  const strings = (v: unknown, max: number): v is string[] => Array.isArray(v) && v.length <= max && v.every((s) => isStr(s, 1300));
  if (!isCount(j.runs)) return 'runs';
  if (!strings(j.containers, 100_000) || !strings(j.images, 100_000)) return 'containers/images';
  if (!isTime(j.firstAt) || !isTime(j.lastAt)) return 'firstAt/lastAt';
  if (j.lastNewAt !== null && !isTime(j.lastNewAt)) return 'lastNewAt';
  if (!isObj(j.keyRuns) || !Object.values(j.keyRuns).every((n) => isCount(n) && n > 0)) return 'keyRuns';
  return {
    runs: j.runs, containers: [...j.containers], images: [...j.images], firstAt: j.firstAt, lastAt: j.lastAt,
    lastNewAt: j.lastNewAt as string | null, keyRuns: { ...(j.keyRuns as Record<string, number>) },
  };
}

/** The identity of an added syscall across runs: `socket(0=1)`, `uname`. Arch-less on purpose: a profile names syscalls, not numbers. */
export function addedKey(a: Pick<AddedSyscall, 'name' | 'args'>): string {
  const args = (a.args ?? []).slice().sort((x, y) => x.index - y.index);
  return args.length ? `${a.name}(${args.map((v) => `${v.index}=${v.value}`).join(',')})` : a.name;
}

export const imageLabel = (i: RunHistoryEntry['image']): string | undefined => (i?.name || i?.digest ? [i.name, i.digest].filter(Boolean).join('@') : undefined);

function ensureDir(stateDir: string): string {
  const dir = historyDir(stateDir);
  mkdirSync(dir, { recursive: true, mode: HISTORY_DIR_MODE });
  const st = lstatSync(dir);
  if (!st.isDirectory()) throw new Error(`${dir} is not a directory (a symbolic link?): not writing history there`);
  const uid = process.geteuid?.() ?? st.uid;
  if (st.uid !== uid) throw new Error(`${dir} is owned by uid ${st.uid}, not by this user: not writing history there`);
  if ((st.mode & 0o777) !== HISTORY_DIR_MODE) chmodSync(dir, HISTORY_DIR_MODE);
  return dir;
}

// mkdir is atomic and never follows a planted link; a holder that died leaves a lock older than STALE_MS.
const STALE_MS = 10_000;
function withLock<T>(path: string, fn: () => T): T {
  const lock = `${path}.lock`;
  const deadline = Date.now() + 5_000;
  for (;;) {
    try {
      mkdirSync(lock, { mode: 0o700 });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const st = statSync(lock, { throwIfNoEntry: false });
      if (st && Date.now() - st.mtimeMs > STALE_MS) {
        try { rmdirSync(lock); } catch { /* another waiter took it over */ }
        continue;
      }
      if (Date.now() > deadline) throw new Error(`${path} is locked by another writer (${lock}); history entry not written`, { cause: e });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
  try {
    return fn();
  } finally {
    try { rmdirSync(lock); } catch { /* gone already */ }
  }
}

/** Appends one run to its profile's history (compacting the file when it is full). */
export function appendRunHistory(stateDir: string, entry: RunHistoryEntry): void {
  if (!isAbsolute(entry.profile)) throw new Error(`history: profile path ${JSON.stringify(entry.profile)} is not absolute`);
  const profile = resolve(entry.profile);
  const cut = entry.added.length > MAX_ADDED ? entry.added.length - MAX_ADDED : 0;
  const line = {
    v: 1, kind: entry.kind, profile, container: entry.container,
    ...(entry.image ? { image: entry.image } : {}),
    startedAt: entry.startedAt, endedAt: entry.endedAt,
    added: entry.added.slice(0, MAX_ADDED).map((a) => ({ arch: a.arch, name: a.name, ...(a.args?.length ? { args: a.args.map((v) => ({ index: v.index, value: v.value })) } : {}) })),
    ...(cut ? { addedTruncated: cut } : {}),
  };
  const checked = checkEntry(line);
  if (typeof checked === 'string') throw new Error(`history: not a run entry (${checked})`);
  ensureDir(stateDir);
  const path = historyPath(stateDir, profile);
  withLock(path, () => {
    const fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, HISTORY_FILE_MODE);
    let lines = 0;
    try {
      const st = fstatSync(fd);
      if (!st.isFile() || st.uid !== (process.geteuid?.() ?? st.uid)) throw new Error(`${path} is not a history file of this user: not appending to it`);
      const buf = Buffer.from(JSON.stringify(line) + '\n');
      for (let at = 0; at < buf.length; ) at += writeSync(fd, buf, at, buf.length - at);
      lines = countLines(path);
    } finally {
      closeSync(fd);
    }
    if (lines > MAX_RUNS) compact(path);
  });
}

function readText(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new Error(`${path} is not a regular file`);
    const size = Math.min(st.size, MAX_FILE_BYTES);
    const buf = Buffer.alloc(size);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, buf, got, size - got, got);
      if (n === 0) break;
      got += n;
    }
    return buf.subarray(0, got).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function countLines(path: string): number {
  const t = readText(path) ?? '';
  let n = 0;
  for (let i = t.indexOf('\n'); i >= 0; i = t.indexOf('\n', i + 1)) n++;
  return n;
}

export interface RunHistory {
  /** Runs in the order they ended. */
  runs: RunHistoryEntry[];
  /** What compaction kept of older runs, if any were dropped. */
  summary?: HistorySummary;
  /** Lines that were not history (reported, skipped). */
  problems: string[];
}

function parseText(text: string, path: string): RunHistory {
  const runs: RunHistoryEntry[] = [];
  const problems: string[] = [];
  let summary: HistorySummary | undefined;
  const lines = text.split('\n');
  // A line without its end is an append in progress (or cut by a crash): not read.
  lines.pop();
  lines.forEach((l, i) => {
    if (l === '') return;
    let json: unknown;
    try {
      json = JSON.parse(l);
    } catch {
      problems.push(`${path}:${i + 1}: not JSON`);
      return;
    }
    if (isObj(json) && json.v === 1 && json.kind === 'summary') {
      const s = checkSummary(json);
      if (typeof s === 'string') problems.push(`${path}:${i + 1}: not a history summary (${s})`);
      else summary = s;
      return;
    }
    const entry = checkEntry(json);
    if (typeof entry === 'string') {
      problems.push(`${path}:${i + 1}: not a history entry (${entry})`);
      return;
    }
    runs.push(entry);
  });
  runs.sort((a, b) => Date.parse(a.endedAt) - Date.parse(b.endedAt));
  return { runs, ...(summary ? { summary } : {}), problems };
}

/** The profile's history (empty when it has none). */
export function readRunHistory(stateDir: string, profile: string): RunHistory {
  const path = historyPath(stateDir, resolve(profile));
  const text = readText(path);
  return text === undefined ? { runs: [], problems: [] } : parseText(text, path);
}

/** Folds runs (and an older summary) into one summary. */
export function summarize(runs: readonly RunHistoryEntry[], prior?: HistorySummary): HistorySummary {
  const containers = new Set(prior?.containers ?? []);
  const images = new Set(prior?.images ?? []);
  const keyRuns: Record<string, number> = { ...(prior?.keyRuns ?? {}) };
  let firstAt = prior?.firstAt;
  let lastAt = prior?.lastAt;
  let lastNewAt = prior?.lastNewAt ?? null;
  for (const r of runs) {
    containers.add(r.container);
    const img = imageLabel(r.image);
    if (img) images.add(img);
    if (!firstAt || Date.parse(r.startedAt) < Date.parse(firstAt)) firstAt = r.startedAt;
    if (!lastAt || Date.parse(r.endedAt) > Date.parse(lastAt)) lastAt = r.endedAt;
    for (const k of new Set(r.added.map(addedKey))) keyRuns[k] = (keyRuns[k] ?? 0) + 1;
    if (r.added.length && (!lastNewAt || Date.parse(r.endedAt) > Date.parse(lastNewAt))) lastNewAt = r.endedAt;
  }
  return { runs: (prior?.runs ?? 0) + runs.length, containers: [...containers], images: [...images], firstAt: firstAt ?? new Date(0).toISOString(), lastAt: lastAt ?? new Date(0).toISOString(), lastNewAt, keyRuns };
}

function compact(path: string): void {
  const h = parseText(readText(path) ?? '', path);
  const drop = h.runs.slice(0, Math.max(0, h.runs.length - KEEP_RUNS));
  const keep = h.runs.slice(drop.length);
  const summary = summarize(drop, h.summary);
  const text = [JSON.stringify({ v: 1, kind: 'summary', ...summary }), ...keep.map((r) => JSON.stringify({ v: 1, ...r }))].join('\n') + '\n';
  writeFileAtomicSync(path, text, { mode: HISTORY_FILE_MODE });
}
