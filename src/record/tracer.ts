// The loader of bpf/tracer.bpf.c: loads (or finds already pinned) the recorder, claims target
// slots, tags process trees, and reads what they called (tracer-object.ts loads and pins it). A
// Tracer is a handle onto the pinned maps: a process may hold several (hookd opens one per
// request, the recording service keeps a pool); targets are cheap handles onto slots.
import { closeSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BpfMap, bpfErrno, pidfdOpen, UpdateFlags, type BpfLink, type BpfObject, type ProgramInfo } from '../native/ebpf.js';
import { tracerFull, tracerNoProcess, tracerNoTarget, tracerPinFailed, tracerUnloaded } from '../errors.js';
import {
  DEFAULT_PIN_ROOT, MAPS, loadAndAttach, objectVersion, openPinnedMaps, publishPinned, unloadIfIdle, unloadShared, type LoadOptions, type MapName,
} from './tracer-object.js';
import { assertTracerCanRun } from './environment.js';
import * as L from './tracer-layout.js';
import { processStartTime } from '../proc/stat.js';
import { argKindTable, decodeArgSet, type ArgFact } from './arg-facts.js';
import { nativeArch, syscallNumber } from '../native/libseccomp.js';

export interface TargetState {
  slot: number; generation: number; phase: L.Phase;
  initialTasks: number; forks: number; exits: number; liveTasks: number; execs: number;
  lastNewNs: bigint; filterNs: bigint; execNs: bigint; dropped: number;
  /** Syscalls recorded, all phases together (per-syscall counts are not kept: a traced call
   * then costs a bit test, not a hash update). */
  calls: number;
  /** First-seen times or argument sets the kernel maps (or the recording's share of them) had no room for. */
  firstLost: number; argsLost: number;
  /** Argument sets the recording holds (at most ARG_SETS_PER_TARGET). */
  argSetCount: number;
  /** Runtime-tail syscalls of tasks the container's filter does not apply to (not recorded). */
  unfilteredTail: number;
}

export type { SyscallCount } from './tracer-layout.js';
type SyscallCount = L.SyscallCount;

/**
 * What one slot recorded, read from the kernel once: every output made of it (a profile, its
 * timeline, a history line, shadow findings) then agrees, even while the container still runs
 * (`flush`), and the slot's maps are walked once, not once per output.
 */
export interface SlotSnapshot {
  readonly counts: readonly SyscallCount[];
  readonly argFacts: readonly ArgFact[];
  /** Read after the counts and facts: its loss counters cover what they hold. */
  readonly state: TargetState;
}

export class Tracer {
  readonly #maps: Record<MapName, BpfMap>;
  readonly #links: BpfLink[];
  readonly #targets: BigUint64Array;
  readonly #targetsView: DataView;
  readonly #gens: Uint32Array;
  /** struct tracer_control: the programs' gate (claims), then one "claimed" byte per slot. */
  readonly #claims: BigUint64Array;
  readonly #active: Uint8Array;
  #closed = false;

  readonly #obj: BpfObject | undefined;

  private constructor(maps: Record<MapName, BpfMap>, links: BpfLink[], readonly pinDir: string | undefined, obj?: BpfObject) {
    this.#maps = maps;
    this.#links = links;
    this.#obj = obj;
    const t = maps.targets.mmap(true);
    this.#targets = new BigUint64Array(t);
    this.#targetsView = new DataView(t);
    this.#gens = new Uint32Array(t);
    const control = maps.control.mmap(true);
    this.#claims = new BigUint64Array(control, 0, 1);
    this.#active = new Uint8Array(control, L.CONTROL_ACTIVE_OFFSET, L.MAX_TARGETS);
  }

  /** A private tracer: attached while this process holds it, detached by close() or exit. */
  static load(opts: LoadOptions = {}): Tracer {
    assertTracerCanRun();
    const { obj, links } = loadAndAttach(opts);
    try {
      const maps = Object.fromEntries(MAPS.map((m) => [m, obj.map(m)])) as Record<MapName, BpfMap>;
      return new Tracer(maps, links, undefined, obj);
    } catch (err) {
      obj.close();
      throw err;
    }
  }

  /**
   * The machine-wide tracer: pinned in bpffs so it stays attached with no process holding it
   * (zero resident processes per container). The first caller loads and pins it; later
   * callers only open the pinned maps, which takes a few milliseconds.
   */
  static shared(pinRoot = DEFAULT_PIN_ROOT): Tracer {
    assertTracerCanRun();
    const dir = join(pinRoot, objectVersion());
    const maps = openPinnedMaps(dir) ?? (publishPinned(pinRoot, dir), openPinnedMaps(dir));
    if (!maps) throw tracerPinFailed(dir);
    return new Tracer(maps, [], dir);
  }

  /**
   * The machine-wide tracer when it is loaded, else undefined: for readers of recordings that
   * exist already (poststop, status, flush, reports, the shadow follower), which must never load
   * a fresh, empty tracer where the one holding their slot is gone.
   */
  static pinned(pinRoot = DEFAULT_PIN_ROOT): Tracer | undefined {
    assertTracerCanRun();
    const dir = join(pinRoot, objectVersion());
    const maps = openPinnedMaps(dir);
    return maps && new Tracer(maps, [], dir);
  }

  /** See unloadIfIdle in tracer-object.ts. */
  static unloadIfIdle(pinRoot = DEFAULT_PIN_ROOT): { unloaded: string[]; kept: string[] } {
    return unloadIfIdle(pinRoot);
  }

  /** Detach and forget every pinned tracer version under pinRoot. */
  static unloadShared(pinRoot = DEFAULT_PIN_ROOT): boolean {
    return unloadShared(pinRoot);
  }

  /**
   * Claims a free slot for a new target owned by `ownerPid` (whose exit does not end it), among
   * the first `limit` slots (the hook's maxRecordings).
   */
  claim(ownerPid: number = process.pid, limit: number = L.MAX_TARGETS): TracerTarget {
    const slots = Math.max(1, Math.min(limit, L.MAX_TARGETS));
    for (let attempt = 0; attempt < 2; attempt++) {
      for (let slot = 0; slot < slots; slot++) {
        // The claimed byte is a hint that skips a syscall; the owners map decides.
        if (Atomics.load(this.#active, slot)) continue;
        if (this.#maps.target_owners.update(u32(slot), ownerValue(ownerPid, 0), UpdateFlags.noexist)) {
          const generation = this.#beginGeneration(slot);
          this.#maps.target_owners.update(u32(slot), ownerValue(ownerPid, generation));
          // Opens the programs' gate before any task is tagged, so no tagged syscall is missed.
          this.#openGate(slot);
          if (!this.#stillPublished()) {
            this.release(slot, generation);
            throw tracerUnloaded();
          }
          return new TracerTarget(this, slot, generation);
        }
      }
      if (this.reclaimAbandoned(undefined, slots) === 0) break;
    }
    throw tracerFull(slots, slots < L.MAX_TARGETS ? 'hook.json maxRecordings' : 'the tracer\'s maximum');
  }

  /** Re-opens a target claimed earlier (e.g. by the prestart hook, read by poststop). */
  target(slot: number, generation: number): TracerTarget {
    const owner = this.owner(slot);
    if (!owner || owner.generation !== generation || this.#generation(slot) !== generation)
      throw tracerNoTarget(slot, generation);
    return new TracerTarget(this, slot, generation);
  }

  owner(slot: number): L.SlotOwner | undefined {
    const v = this.#maps.target_owners.lookup(u32(slot));
    if (!v) return undefined;
    return L.decodeOwner(v);
  }

  /** Slots whose owner died and whose tree has no live task left, claimed over an hour ago. */
  reclaimAbandoned(maxAgeMs = 3600_000, slots = L.MAX_TARGETS): number {
    let n = 0;
    for (let slot = 0; slot < slots; slot++) {
      const o = this.owner(slot);
      if (!o || processStartTime(o.pid) === o.startTime || Date.now() - o.claimedAtMs < maxAgeMs) continue;
      if (this.readState(slot).liveTasks > 0) continue;
      this.release(slot, o.generation);
      n++;
    }
    return n;
  }

  readState(slot: number): TargetState {
    const w = (i: number) => this.#targets[slot * L.TARGET_STATE_WORDS + i] ?? 0n;
    const base = slot * L.TARGET_STATE_BYTES;
    const initialTasks = Number(w(L.TargetWord.initialTasks));
    const forks = Number(w(L.TargetWord.forks));
    const exits = Number(w(L.TargetWord.exits));
    return {
      slot,
      generation: this.#targetsView.getUint32(base + L.TargetStateOffset.generation, true),
      phase: this.#targetsView.getUint32(base + L.TargetStateOffset.phase, true) as L.Phase,
      initialTasks, forks, exits, liveTasks: initialTasks + forks - exits,
      execs: Number(w(L.TargetWord.execs)),
      lastNewNs: w(L.TargetWord.lastNewNs), filterNs: w(L.TargetWord.filterNs), execNs: w(L.TargetWord.execNs),
      dropped: Number(w(L.TargetWord.dropped)), calls: Number(w(L.TargetWord.calls)),
      firstLost: Number(w(L.TargetWord.firstLost)), argsLost: Number(w(L.TargetWord.argsLost)),
      argSetCount: Number(w(L.TargetWord.argSetCount)),
      unfilteredTail: Number(w(L.TargetWord.unfilteredTail)),
    };
  }

  /** Every (phase, arch, nr) seen, from the slot's seen bits; first-seen times from the hash. */
  readCounts(slot: number): SyscallCount[] {
    const out: SyscallCount[] = [];
    for (const { phase, arch, nr } of this.#seenBits(slot)) {
      let firstNs = 0n;
      if (phase > 0) firstNs = this.#maps.first_seen.lookup(L.firstSeenKey(slot, phase, arch, nr))?.readBigUInt64LE(0) ?? 0n;
      out.push({ phase: phase as L.Phase, arch: L.ARCH_KINDS[arch]!, nr, firstNs });
    }
    return out;
  }

  /** How many (arch, nr) of `phase` the slot has seen: bits only, no map lookups (status). */
  seenCount(slot: number, phase: number): number {
    let n = 0;
    for (const b of this.#seenBits(slot)) if (b.phase === phase) n++;
    return n;
  }

  /** The argument sets of the slot (phases 1 and 2), see arg-facts.ts. */
  readArgFacts(slot: number): ArgFact[] {
    const present = this.#targets[slot * L.TARGET_STATE_WORDS + L.TargetWord.argSets] ?? 0n;
    const out: ArgFact[] = [];
    for (const { phase, arch, kind } of L.argSetsOf(present)) {
      const v = this.#maps.arg_sets.lookup(L.argSetKey(slot, phase, arch, kind));
      if (!v) continue;
      const archKind = L.ARCH_KINDS[arch]!;
      const nr = argNumber(archKind, kind);
      if (nr === undefined) continue;
      out.push(decodeArgSet(v, phase as L.Phase, archKind, kind, nr));
    }
    // A set the kernel had no room for (the recording's share, or the map): the syscall was seen
    // on some (phase, arch) without its values, so the values the other sets hold are not all it
    // used. Its facts are marked lost: the profile keeps its name alone, with a note.
    if ((this.#targets[slot * L.TARGET_STATE_WORDS + L.TargetWord.argsLost] ?? 0n) > 0n) {
      const lostKinds = new Set<number>();
      for (const { phase, arch, nr } of this.#seenBits(slot)) {
        if (phase === 0) continue;
        const archKind = L.ARCH_KINDS[arch]!;
        const kind = kindTable()[arch * L.NR_SLOTS + nr] ?? 0;
        if (kind === 0 || (present >> BigInt(L.argSetBit(phase, arch, kind))) & 1n) continue;
        lostKinds.add(kind);
        const syscall = L.ARG_KINDS[kind - 1]!;
        out.push({ phase: phase as L.Phase, arch: archKind, syscall, nr, argIndexes: [...L.ARG_INDEXES[syscall]], values: [], overflow: true, lost: true });
      }
      for (const f of out) if (lostKinds.has(L.ARG_KINDS.indexOf(f.syscall) + 1)) { f.overflow = true; f.lost = true; }
    }
    return out;
  }

  *#seenBits(slot: number): Generator<{ phase: number; arch: number; nr: number }> {
    const base = slot * L.TARGET_STATE_WORDS + L.TargetWord.seen;
    for (let w = 0; w < L.SEEN_WORDS; w++) {
      let bits = this.#targets[base + w] ?? 0n;
      for (let b = 0; bits; b++, bits >>= 1n) {
        if (!(bits & 1n)) continue;
        yield L.seenOfBit(w * 64 + b);
      }
    }
  }

  /** Drops the slot's hash entries (what its seen and arg-set bits say exist). */
  #dropEntries(slot: number): void {
    for (const { phase, arch, nr } of this.#seenBits(slot)) if (phase > 0) this.#maps.first_seen.delete(L.firstSeenKey(slot, phase, arch, nr));
    const present = this.#targets[slot * L.TARGET_STATE_WORDS + L.TargetWord.argSets] ?? 0n;
    for (const { phase, arch, kind } of L.argSetsOf(present)) this.#maps.arg_sets.delete(L.argSetKey(slot, phase, arch, kind));
  }

  #openGate(slot: number): void {
    // Count first, byte second (and the reverse on release): a hook dying in between leaves
    // the count too high (the gate stays open, a load more per syscall), never too low.
    Atomics.add(this.#claims, 0, 1n);
    Atomics.store(this.#active, slot, 1);
  }

  #closeGate(slot: number): void {
    if (Atomics.compareExchange(this.#active, slot, 1, 0) === 1) Atomics.sub(this.#claims, 0, 1n);
  }

  /** Tags one task (a process's leader, or one thread) as part of the slot's tree. */
  tagTask(slot: number, generation: number, tid: number, thread: boolean): boolean {
    let fd: number;
    try {
      fd = pidfdOpen(tid, thread);
    } catch (err) {
      // The task exited meanwhile, or (before Linux 6.9) thread pidfds do not exist.
      if (['ESRCH', 'EINVAL'].includes(bpfErrno(err) ?? '')) return false;
      throw err;
    }
    try {
      const key = Buffer.alloc(4);
      key.writeInt32LE(fd);
      const tag = Buffer.alloc(L.TASK_TAG_BYTES);
      tag.writeUInt32LE(slot, 0);
      tag.writeUInt32LE(generation, 4);
      this.#maps.task_tags.update(key, tag);
      return true;
    } finally {
      closeSync(fd);
    }
  }

  addInitialTasks(slot: number, n: number): void {
    const i = slot * L.TARGET_STATE_WORDS + L.TargetWord.initialTasks;
    this.#targets[i] = (this.#targets[i] ?? 0n) + BigInt(n);
  }

  release(slot: number, generation: number): void {
    if (this.#generation(slot) === generation) this.#setGeneration(slot, (generation + 1) >>> 0 || 1);
    const o = this.owner(slot);
    if (o && o.generation === generation) {
      this.#closeGate(slot);
      this.#dropEntries(slot);
      this.#maps.target_owners.delete(u32(slot));
    }
  }

  /** Slots claimed right now. */
  activeSlots(): number {
    return this.#active.reduce((n, b) => n + (b ? 1 : 0), 0);
  }

  /** The programs' gate: claims counted (never below activeSlots()). */
  gateCount(): bigint {
    return Atomics.load(this.#claims, 0);
  }

  /** Entries of the hash maps right now (all slots): what recordings hold beyond their slot. */
  entryCounts(): { firstSeen: number; argSets: number } {
    let firstSeen = 0;
    for (const _ of this.#maps.first_seen.keys()) firstSeen++;
    let argSets = 0;
    for (const _ of this.#maps.arg_sets.keys()) argSets++;
    return { firstSeen, argSets };
  }

  /** Run counters of a privately loaded tracer's programs (empty for an opened pinned one). */
  programInfo(): Array<ProgramInfo & { program: string }> {
    return this.#links.map((l) => ({ ...l.programInfo(), program: l.program }));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const l of this.#links) l.close();
    for (const m of Object.values(this.#maps)) m.close();
    this.#obj?.close();
  }

  /** A pinned tracer is live only while its maps are the ones published at its pin path. */
  #stillPublished(): boolean {
    if (!this.pinDir) return true;
    try {
      const m = BpfMap.openPinned(join(this.pinDir, 'targets'));
      const same = m.info.id === this.#maps.targets.info.id;
      m.close();
      return same;
    } catch {
      return false;
    }
  }

  #generation(slot: number): number {
    return Atomics.load(this.#gens, (slot * L.TARGET_STATE_BYTES + L.TargetStateOffset.generation) / 4);
  }
  #setGeneration(slot: number, g: number): void {
    Atomics.store(this.#gens, (slot * L.TARGET_STATE_BYTES + L.TargetStateOffset.generation) / 4, g);
  }

  /** New generation first (stale tags stop counting), then a clean slate for the slot. */
  #beginGeneration(slot: number): number {
    const generation = (this.#generation(slot) + 1) >>> 0 || 1;
    this.#setGeneration(slot, generation);
    // Left by a holder that died before releasing, or written by a program that raced the release.
    this.#dropEntries(slot);
    const words = L.TARGET_STATE_WORDS;
    this.#targets.fill(0n, slot * words + 1, (slot + 1) * words);
    this.#targetsView.setUint32(slot * L.TARGET_STATE_BYTES + L.TargetStateOffset.phase, 0, true);
    return generation;
  }
}

/** One recording: a process tree in one tracer slot. */
export class TracerTarget {
  constructor(readonly tracer: Tracer, readonly slot: number, readonly generation: number) {}

  /**
   * Adds a running process and all its current threads. Tasks it creates from now on join
   * by themselves (sched_process_fork), before they run.
   */
  addProcess(pid: number): number {
    let n = this.tracer.tagTask(this.slot, this.generation, pid, false) ? 1 : 0;
    if (n === 0) throw tracerNoProcess(pid);
    let threads: string[] = [];
    try {
      threads = readdirSync(`/proc/${pid}/task`);
    } catch {
      /* exited already: its syscalls so far are what there is */
    }
    for (const t of threads) {
      const tid = Number(t);
      if (tid !== pid && this.tracer.tagTask(this.slot, this.generation, tid, true)) n++;
    }
    this.tracer.addInitialTasks(this.slot, n);
    return n;
  }

  state(): TargetState { return this.tracer.readState(this.slot); }
  syscalls(): SyscallCount[] { return this.tracer.readCounts(this.slot); }
  /** What the listed syscalls were called with (workload and runtime tail). */
  argFacts(): ArgFact[] { return this.tracer.readArgFacts(this.slot); }
  /** The counts, argument facts and state together, each read once. */
  snapshot(): SlotSnapshot {
    const counts = this.syscalls();
    const argFacts = this.argFacts();
    return { counts, argFacts, state: this.state() };
  }
  seenCount(phase: L.Phase): number { return this.tracer.seenCount(this.slot, phase); }
  release(): void { this.tracer.release(this.slot, this.generation); }
}

// The program's own (arch, nr) -> kind table (arg-facts.ts), built once per process.
let kinds: Buffer | undefined;
const kindTable = (): Buffer => (kinds ??= argKindTable());

function argNumber(arch: L.ArchKind, kind: number): number | undefined {
  const nr = syscallNumber(L.archOfKind(arch, nativeArch()), L.ARG_KINDS[kind - 1]!);
  return nr === undefined ? undefined : nr & ~0x40000000;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

function ownerValue(pid: number, generation: number): Buffer {
  return L.encodeOwner({ pid, startTime: processStartTime(pid) ?? 0, claimedAtMs: Date.now(), generation });
}

export { processStartTime };

export { DEFAULT_PIN_ROOT, objectVersion, tracerObjectPath } from './tracer-object.js';
