// THE owner of <stateDir>/shadow/: where the tracer side (hookd, the hook) leaves what a shadowed
// profile would deny, and the watcher picks it up (src/watch/sources/shadow-spool.ts) whatever its
// audit source is. No audit record is involved anywhere.
//
// Layout: one file per container, `<container>.jsonl`, one JSON object a line, only ever appended
// (O_APPEND: each call is one write(2), which Linux applies at the end of the file under the inode
// lock, so two writers never interleave inside a line). bigint values are decimal strings.
// Root-only: the directory is 0700 and each file 0600, owned by the writer; a symlink or a
// directory owned by someone else is refused (what containers did is not for every user to read,
// and a planted file would feed the watcher).
// Bounded: MAX_LINES_PER_CONTAINER finding lines a container; the first append past it writes one
// `bound` line instead, which the reader reports, and nothing more for that container.
// Each (arch, syscall, tuple) is written once when first seen, and again when its last-seen time or
// count moved on, at most every REPEAT_MS, so a long-running container's line count follows what
// it does, not how long it runs. The reader folds repeats.
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readSync, chmodSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { isAbsolute, join } from 'node:path';
import type { ShadowDenial } from './types.js';

export const SHADOW_DIR_MODE = 0o700;
export const SHADOW_FILE_MODE = 0o600;
export const MAX_LINES_PER_CONTAINER = 10_000;
/** A finding already written is written again at most this often (its last-seen and count move). */
export const REPEAT_MS = 5_000;
/** A line longer than this is not a spool line (the reader skips it and says so). */
export const MAX_LINE_BYTES = 8 * 1024;

export const shadowDir = (stateDir: string): string => join(stateDir, 'shadow');

export interface ShadowRef {
  container: string;
  profilePath: string;
  image?: { name?: string; digest?: string };
}

/** The file-name stem of a container: its id when that is a plain id, else a hash of it. */
export function spoolStem(container: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(container) ? container : `h-${createHash('sha256').update(container).digest('hex').slice(0, 32)}`;
}

// --- writing ------------------------------------------------------------------------------------

interface FileState { lines: number; bounded: boolean; written: Map<string, { lastSeenMs: number; count?: number; atMs: number }> }
const files = new Map<string, FileState>();

/** The key a finding is reported once under: (arch, syscall, tuple). */
export function findingKey(d: Pick<ShadowDenial, 'arch' | 'name' | 'tuple'>): string {
  return `${d.arch}/${d.name}/${(d.tuple ?? []).map((t) => `${t.index}=${t.value}`).join(',')}`;
}

function ensureDir(stateDir: string): string {
  const dir = shadowDir(stateDir);
  mkdirSync(dir, { recursive: true, mode: SHADOW_DIR_MODE });
  const st = lstatSync(dir);
  if (!st.isDirectory()) throw new Error(`${dir} is not a directory (a symbolic link?): not writing shadow findings there`);
  const uid = process.geteuid?.() ?? st.uid;
  if (st.uid !== uid) throw new Error(`${dir} is owned by uid ${st.uid}, not by this user: not writing shadow findings there`);
  if ((st.mode & 0o777) !== SHADOW_DIR_MODE) chmodSync(dir, SHADOW_DIR_MODE);
  return dir;
}

function openForAppend(path: string): number {
  const fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, SHADOW_FILE_MODE);
  const st = fstatSync(fd);
  const uid = process.geteuid?.() ?? st.uid;
  if (!st.isFile() || st.uid !== uid || st.nlink !== 1) {
    closeSync(fd);
    throw new Error(`${path} is not a spool file of this user: not appending to it`);
  }
  return fd;
}

// What this process has not seen yet of an existing file (a restarted hookd): its lines and keys.
function recover(path: string): FileState {
  const state: FileState = { lines: 0, bounded: false, written: new Map() };
  for (const r of readWholeSpool(path).records) {
    if (r.kind === 'bound') state.bounded = true;
    else {
      state.lines++;
      state.written.set(findingKey(r.denial), { lastSeenMs: r.denial.lastSeenMs, ...(r.denial.count === undefined ? {} : { count: r.denial.count }), atMs: 0 });
    }
  }
  return state;
}

/**
 * Appends what `ref.container`'s shadowed profile would deny. Call it with every snapshot's
 * denials (cumulative or not): what is already written and has not moved is skipped.
 */
export function appendShadowDenials(stateDir: string, ref: ShadowRef, denials: readonly ShadowDenial[], nowMs = Date.now()): void {
  if (denials.length === 0) return;
  if (!isAbsolute(ref.profilePath)) throw new Error(`shadow profile path ${JSON.stringify(ref.profilePath)} is not absolute`);
  const path = join(ensureDir(stateDir), `${spoolStem(ref.container)}.jsonl`);
  let state = files.get(path);
  if (!state) {
    // A long-lived hookd sees many containers: the oldest one's memory goes first (re-read from its file if needed).
    if (files.size >= MAX_REMEMBERED) files.delete(files.keys().next().value!);
    files.set(path, (state = recover(path)));
  }
  if (state.bounded) return;
  const head = { v: 1, container: ref.container, profilePath: ref.profilePath, ...(ref.image ? { image: ref.image } : {}) };
  const lines: string[] = [];
  for (const d of denials) {
    const key = findingKey(d);
    const prev = state.written.get(key);
    if (prev) {
      const moved = d.lastSeenMs > prev.lastSeenMs || (d.count !== undefined && d.count !== prev.count);
      if (!moved || nowMs - prev.atMs < REPEAT_MS) continue;
    }
    if (state.lines >= MAX_LINES_PER_CONTAINER) {
      lines.push(JSON.stringify({ ...head, kind: 'bound', lines: state.lines, atMs: nowMs }));
      state.bounded = true;
      break;
    }
    lines.push(JSON.stringify({ ...head, kind: 'denial', ...encodeDenial(d), atMs: nowMs }));
    state.written.set(key, { lastSeenMs: d.lastSeenMs, ...(d.count === undefined ? {} : { count: d.count }), atMs: nowMs });
    state.lines++;
  }
  if (lines.length === 0) return;
  const fd = openForAppend(path);
  try {
    const buf = Buffer.from(lines.join('\n') + '\n');
    // One write(2) for the whole batch; a short write (disk full) continues where it stopped.
    for (let at = 0; at < buf.length; ) at += writeSync(fd, buf, at, buf.length - at);
  } finally {
    closeSync(fd);
  }
}

function encodeDenial(d: ShadowDenial): Record<string, unknown> {
  return {
    arch: d.arch, name: d.name, nr: d.nr,
    ...(d.tuple ? { tuple: d.tuple.map((t) => ({ index: t.index, value: t.value.toString() })) } : {}),
    firstSeenMs: d.firstSeenMs, lastSeenMs: d.lastSeenMs,
    ...(d.count === undefined ? {} : { count: d.count }),
    reason: d.reason,
  };
}

/** Containers whose written keys a process remembers (each is recovered from its file when needed again). */
export const MAX_REMEMBERED = 1024;

/** Forgets one container's written keys (call at its poststop). */
export function forgetSpoolContainer(stateDir: string, container: string): void {
  files.delete(join(shadowDir(stateDir), `${spoolStem(container)}.jsonl`));
}

/** Forgets what this process wrote (tests; a container's state once it is gone). */
export function forgetSpoolState(stateDir?: string): void {
  if (stateDir === undefined) files.clear();
  else for (const k of [...files.keys()]) if (k.startsWith(shadowDir(stateDir) + '/')) files.delete(k);
}

// --- reading ------------------------------------------------------------------------------------

// Checked by hand, not with zod: the hook and hookd write through this file, and nothing they
// reach may load zod (test/unit/import-graph.test.ts).
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isMs = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isStr = (v: unknown, max: number): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;
const DECIMAL = /^(0|[1-9][0-9]{0,19})$/;
const U64_LIMIT = 1n << 64n;

function checkImage(v: unknown): ShadowRef['image'] | string {
  if (v === undefined) return undefined;
  if (!isObj(v)) return 'image is not an object';
  const out: NonNullable<ShadowRef['image']> = {};
  if (v.name !== undefined) { if (!isStr(v.name, 1024)) return 'image.name'; out.name = v.name; }
  if (v.digest !== undefined) { if (!isStr(v.digest, 256)) return 'image.digest'; out.digest = v.digest; }
  return out;
}

function checkTuple(v: unknown): ShadowDenial['tuple'] | string {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length > 6) return 'tuple is not a list of at most 6 values';
  const out: NonNullable<ShadowDenial['tuple']> = [];
  for (const t of v) {
    if (!isObj(t) || !Number.isInteger(t.index) || (t.index as number) < 0 || (t.index as number) > 5) return 'tuple index is not 0-5';
    if (typeof t.value !== 'string' || !DECIMAL.test(t.value) || BigInt(t.value) >= U64_LIMIT) return 'tuple value is not a 64-bit decimal';
    out.push({ index: t.index as number, value: BigInt(t.value) });
  }
  return out;
}

export type SpoolRecord =
  | { kind: 'denial'; ref: ShadowRef; denial: ShadowDenial; atMs: number }
  | { kind: 'bound'; ref: ShadowRef; lines: number; atMs: number };

/** One spool line, or a one-line reason it is not one. */
export function parseSpoolLine(line: string): SpoolRecord | { problem: string } {
  if (Buffer.byteLength(line) > MAX_LINE_BYTES) return { problem: `a line of ${Buffer.byteLength(line)} bytes (at most ${MAX_LINE_BYTES})` };
  let j: unknown;
  try {
    j = JSON.parse(line);
  } catch {
    return { problem: 'a line that is not JSON' };
  }
  const bad = (what: string) => ({ problem: `a line that is not a shadow finding (${what})` });
  if (!isObj(j) || j.v !== 1) return bad('no version 1');
  if (!isStr(j.container, 256)) return bad('container');
  if (!isStr(j.profilePath, 4096) || !isAbsolute(j.profilePath)) return bad('profilePath');
  if (!isMs(j.atMs)) return bad('atMs');
  const image = checkImage(j.image);
  if (typeof image === 'string') return bad(image);
  const ref: ShadowRef = { container: j.container, profilePath: j.profilePath, ...(image ? { image } : {}) };
  if (j.kind === 'bound') return isMs(j.lines) ? { kind: 'bound', ref, lines: j.lines, atMs: j.atMs } : bad('lines');
  if (j.kind !== 'denial') return bad('kind');
  if (typeof j.arch !== 'string' || !/^[a-z0-9_]{1,32}$/.test(j.arch)) return bad('arch');
  if (typeof j.name !== 'string' || !/^[a-z0-9_]{1,64}$/.test(j.name)) return bad('name');
  if (!isMs(j.nr)) return bad('nr');
  const tuple = checkTuple(j.tuple);
  if (typeof tuple === 'string') return bad(tuple);
  if (!isMs(j.firstSeenMs) || !isMs(j.lastSeenMs)) return bad('first/last seen');
  if (j.count !== undefined && !isMs(j.count)) return bad('count');
  if (j.reason !== 'name' && j.reason !== 'argument') return bad('reason');
  const denial: ShadowDenial = {
    arch: j.arch, name: j.name, nr: j.nr,
    ...(tuple ? { tuple } : {}),
    firstSeenMs: j.firstSeenMs, lastSeenMs: j.lastSeenMs,
    ...(j.count === undefined ? {} : { count: j.count as number }),
    reason: j.reason,
  };
  return { kind: 'denial', ref, denial, atMs: j.atMs };
}

export interface SpoolChunk {
  records: SpoolRecord[];
  problems: string[];
  /** Where the next read starts: after the last complete line read. */
  nextOffset: number;
  /** The file is shorter than the offset asked for (replaced): start again from 0. */
  truncated: boolean;
}

/** The complete lines of `path` from byte `offset`, at most `maxBytes` of them. */
export function readSpoolFrom(path: string, offset: number, maxBytes = 1 << 20): SpoolChunk {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const st = fstatSync(fd);
    const uid = process.geteuid?.() ?? st.uid;
    if (!st.isFile() || st.uid !== uid || (st.mode & 0o022) !== 0) return { records: [], problems: [`${path} is not a spool file of this user: skipped`], nextOffset: offset, truncated: false };
    if (st.size < offset) return { records: [], problems: [], nextOffset: 0, truncated: true };
    const want = Math.min(maxBytes, st.size - offset);
    const buf = Buffer.alloc(want);
    let got = 0;
    while (got < want) {
      const n = readSync(fd, buf, got, want - got, offset + got);
      if (n === 0) break;
      got += n;
    }
    const lastNl = buf.subarray(0, got).lastIndexOf(0x0a);
    const records: SpoolRecord[] = [];
    const problems: string[] = [];
    if (lastNl < 0) {
      // A whole chunk without a newline is no spool line: skip it rather than stall here forever.
      if (got === maxBytes) return { records, problems: [`${path}: ${got} bytes without a line end at offset ${offset}: skipped`], nextOffset: offset + got, truncated: false };
      return { records, problems, nextOffset: offset, truncated: false };
    }
    for (const line of buf.subarray(0, lastNl).toString('utf8').split('\n')) {
      if (line === '') continue;
      const r = parseSpoolLine(line);
      if ('problem' in r) problems.push(`${path}: ${r.problem}`);
      else records.push(r);
    }
    return { records, problems, nextOffset: offset + lastNl + 1, truncated: false };
  } finally {
    closeSync(fd);
  }
}

function readWholeSpool(path: string): { records: SpoolRecord[]; problems: string[] } {
  const records: SpoolRecord[] = [];
  const problems: string[] = [];
  let offset = 0;
  try {
    for (;;) {
      const c = readSpoolFrom(path, offset);
      records.push(...c.records);
      problems.push(...c.problems);
      if (c.nextOffset === offset) break;
      offset = c.nextOffset;
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') problems.push(`${path} is a symbolic link: skipped`);
    else if (code !== 'ENOENT') throw e;
  }
  return { records, problems };
}

/** The spool files present, by name (`<stem>.jsonl`), sorted. */
export function listSpoolFiles(stateDir: string): string[] {
  try {
    return readdirSync(shadowDir(stateDir)).filter((n) => n.endsWith('.jsonl') && !n.startsWith('.')).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/** A container's findings folded by (arch, syscall, tuple): earliest first seen, latest last seen, largest count. */
export interface ContainerFindings {
  ref: ShadowRef;
  denials: ShadowDenial[];
  /** The per-container bound was hit: findings after it were not written. */
  bounded: boolean;
  problems: string[];
}

/** Every container's findings in the spool (for status, tests and readiness; the watcher follows the files instead). */
export function readShadowSpool(stateDir: string): ContainerFindings[] {
  const out: ContainerFindings[] = [];
  for (const name of listSpoolFiles(stateDir)) {
    const { records, problems } = readWholeSpool(join(shadowDir(stateDir), name));
    const first = records[0];
    if (!first) {
      if (problems.length) out.push({ ref: { container: name.slice(0, -'.jsonl'.length), profilePath: '/' }, denials: [], bounded: false, problems });
      continue;
    }
    out.push({ ref: first.ref, denials: foldDenials(records.flatMap((r) => (r.kind === 'denial' ? [r.denial] : []))), bounded: records.some((r) => r.kind === 'bound'), problems });
  }
  return out;
}

export function foldDenials(denials: readonly ShadowDenial[]): ShadowDenial[] {
  const by = new Map<string, ShadowDenial>();
  for (const d of denials) {
    const k = findingKey(d);
    const p = by.get(k);
    if (!p) by.set(k, { ...d });
    else {
      p.firstSeenMs = Math.min(p.firstSeenMs, d.firstSeenMs);
      p.lastSeenMs = Math.max(p.lastSeenMs, d.lastSeenMs);
      if (d.count !== undefined) p.count = Math.max(p.count ?? 0, d.count);
    }
  }
  return [...by.values()];
}
