// The recorder object (bpf/tracer.bpf.o): where it is, its version, loading and attaching it,
// and publishing it in bpffs so it stays attached with no process holding it.
import { mkdirOnBpffs } from '../fs/bpffs.js';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { BpfMap, BpfObject, type BpfLink } from '../native/ebpf.js';
import { packagePath } from '../native/package-root.js';
import { argKindTable } from './arg-facts.js';
import { ARG_SETS_PER_TARGET } from './tracer-layout.js';

export const DEFAULT_PIN_ROOT = '/sys/fs/bpf/seccomp-tailor';
export const PROGRAMS = ['on_sys_enter', 'on_fork', 'on_exec', 'on_exit'] as const;
export const MAPS = ['task_tags', 'targets', 'target_owners', 'first_seen', 'arg_sets', 'control'] as const;
export type MapName = (typeof MAPS)[number];

export function tracerObjectPath(): string {
  return packagePath('build', 'bpf', 'tracer.bpf.o');
}

export interface LoadOptions {
  /** Argument sets one recording may hold (default ARG_SETS_PER_TARGET; tests set fewer). */
  argSetsPerTarget?: number;
}

export function loadAndAttach(opts: LoadOptions = {}): { obj: BpfObject; links: BpfLink[] } {
  const obj = BpfObject.openFile(tracerObjectPath(), 'seccomp_tailor');
  try {
    // Which numbers are the argument-fact syscalls, per arch, from this host's libseccomp.
    obj.setRodata('cfg_arg_kind', argKindTable());
    obj.setRodata('cfg_arg_sets_per_target', opts.argSetsPerTarget ?? ARG_SETS_PER_TARGET);
    obj.load();
    return { obj, links: PROGRAMS.map((p) => obj.attach(p)) };
  } catch (err) {
    obj.close();
    throw err;
  }
}

let version: string | undefined;
/** Pins are per object content, so an upgrade never mixes layouts with an older loaded tracer. */
export function objectVersion(): string {
  version ??= createHash('sha256').update(readFileSync(tracerObjectPath())).digest('hex').slice(0, 12);
  return version;
}

/** The maps of the tracer pinned at `dir`, or undefined when none is published there. */
export function openPinnedMaps(dir: string): Record<MapName, BpfMap> | undefined {
  if (!existsSync(join(dir, MAPS[0]))) return undefined;
  const maps: Partial<Record<MapName, BpfMap>> = {};
  try {
    for (const m of MAPS) maps[m] = BpfMap.openPinned(join(dir, m));
    return maps as Record<MapName, BpfMap>;
  } catch (err) {
    for (const m of Object.values(maps)) m?.close();
    throw err;
  }
}

/**
 * Loads, attaches and pins a new tracer at `dir`, published atomically: pinned under a temp
 * name, then renamed. If another process published the same version first, ours is dropped.
 */
export function publishPinned(pinRoot: string, dir: string): void {
  mkdirOnBpffs(pinRoot);
  // bpffs refuses names with a dot in them: no hidden-file convention here.
  const tmp = join(pinRoot, `tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(tmp, { mode: 0o700 });
  const { obj, links } = loadAndAttach();
  try {
    for (const m of MAPS) {
      const map = obj.map(m);
      map.pin(join(tmp, m));
      map.close();
    }
    links.forEach((l, i) => l.pin(join(tmp, `link_${PROGRAMS[i]}`)));
    try {
      renameSync(tmp, dir);
    } catch (err) {
      // Another hook published the same version first: use theirs, drop ours (unpinning and
      // closing our links detaches our programs).
      if (!['ENOTEMPTY', 'EEXIST'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
      rmSync(tmp, { recursive: true, force: true });
    }
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  } finally {
    links.forEach((l) => l.close());
    obj.close();
  }
}

/**
 * Detaches the pinned tracer when no slot is claimed, so a host that is not recording pays
 * nothing on its syscalls (a pinned program costs every task the slow syscall path). Safe
 * against a hook claiming at the same moment: the directory is first renamed out of reach,
 * the claims are checked again through the maps already open, and a claimer verifies after
 * its claim that what it opened is still the published tracer (see Tracer.claim).
 */
export function unloadIfIdle(pinRoot: string): { unloaded: string[]; kept: string[] } {
  const res = { unloaded: [] as string[], kept: [] as string[] };
  if (!existsSync(pinRoot)) return res;
  for (const name of readdirSync(pinRoot)) {
    const dir = join(pinRoot, name);
    // A tracer being published right now, by a hook that will use it at once.
    if (name.startsWith('tmp-')) continue;
    // Left by an unloader that died: nobody can reach it any more.
    if (name.startsWith('gone-')) {
      rmSync(dir, { recursive: true, force: true });
      continue;
    }
    // Claims are judged by the owners map, which every tracer version has, so an older
    // version left by an upgrade is unloaded by the same rule.
    let owners: BpfMap;
    try {
      owners = BpfMap.openPinned(join(dir, 'target_owners'));
    } catch {
      continue;
    }
    const claimed = () => !owners.keys().next().done;
    try {
      if (claimed()) {
        res.kept.push(name);
        continue;
      }
      const gone = join(pinRoot, `gone-${process.pid}-${randomBytes(4).toString('hex')}`);
      renameSync(dir, gone);
      if (claimed()) {
        try {
          renameSync(gone, dir);
        } catch {
          // A new tracer was published meanwhile; the claimer re-verifies and moves to it.
        }
        res.kept.push(name);
        continue;
      }
      rmSync(gone, { recursive: true, force: true });
      res.unloaded.push(name);
    } finally {
      owners.close();
    }
  }
  return res;
}

/** Detach and forget every pinned tracer version under pinRoot. */
export function unloadShared(pinRoot: string): boolean {
  if (!existsSync(pinRoot)) return false;
  rmSync(pinRoot, { recursive: true, force: true });
  return true;
}
