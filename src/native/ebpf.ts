// Typed wrapper over native/ebpf-napi (libbpf). Thin like the addon: it adds types, maps
// libbpf's failures onto the error catalog, and tracks handles so one close() releases all.
import { readFileSync, unlinkSync } from 'node:fs';
import { basename } from 'node:path';
import { BpfLoadError, NativeError, bpfClosed, bpfNoSuchVariable } from '../errors.js';
import { loadAddon } from './load-addon.js';

export interface SystemErrorFields { code: string; errno: number; syscall: string }

interface NativeMap {
  readonly info: BpfMapInfo;
  readonly fd: number;
  lookup(key: Buffer): Buffer | undefined;
  update(key: Buffer, value: Buffer, flags?: number): boolean;
  delete(key: Buffer): boolean;
  nextKey(key?: Buffer): Buffer | undefined;
  pin(path: string): void;
  mmap(writable?: boolean): ArrayBuffer;
  close(): void;
}
export interface ProgramInfo { id: number; name: string; runTimeNs: bigint; runCount: bigint }
interface NativeLink { readonly fd: number; pin(path: string): void; unpin(): void; detach(): void; programInfo(): ProgramInfo; close(): void }
interface NativeObject {
  readonly loaded: boolean;
  rodataVariables(): Array<{ name: string; offset: number; size: number }>;
  setRodata(offset: number, bytes: Buffer): void;
  load(): void;
  programs(): Array<{ name: string; section: string }>;
  maps(): Array<{ name: string; type: number; keySize: number; valueSize: number; maxEntries: number; internal: boolean }>;
  attach(program: string): NativeLink;
  map(name: string): NativeMap;
  close(): void;
}
interface Addon {
  BpfObject: new (elf: Buffer, name: string) => NativeObject;
  BpfMap: { openPinned(path: string): NativeMap };
  BpfLink: { openPinned(path: string): NativeLink };
  pidfdOpen(pid: number, thread?: boolean): number;
  libbpfVersion(): string;
}

const addon = (): Addon => loadAddon<Addon>('ebpf-napi');

export interface BpfMapInfo {
  name: string; id: number; type: number; keySize: number; valueSize: number; maxEntries: number; flags: number;
}

/** BPF_ANY / BPF_NOEXIST / BPF_EXIST (uapi/linux/bpf.h). */
export const UpdateFlags = { any: 0, noexist: 1, exist: 2 } as const;

/** Errors from the addon carry Node's SystemError fields; keep them, add our code. */
function wrap<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    const e = err as Partial<SystemErrorFields> & { message?: string; verifierLog?: string; log?: string };
    if (typeof e.verifierLog === 'string') {
      throw Object.assign(new BpfLoadError(`${what}: ${e.message}`, e.verifierLog, err), pick(e));
    }
    // The catalog's code (BPF_ENOENT, ...); the errno's own name stays in sysCode for callers
    // that tell errnos apart (bpfErrno below).
    if (e && typeof e.code === 'string' && typeof e.syscall === 'string') {
      throw Object.assign(new NativeError(`BPF_${e.code}`, `${what}: ${e.message}`, { cause: err }), pick(e));
    }
    throw err;
  }
}
function pick(e: Partial<SystemErrorFields>) {
  return { errno: e.errno, syscall: e.syscall, sysCode: e.code };
}

/** The errno name (ENOENT, ESRCH, ...) of an error from this wrapper, or undefined. */
export function bpfErrno(e: unknown): string | undefined {
  return e instanceof NativeError ? (e as NativeError & { sysCode?: string }).sysCode : undefined;
}

export class BpfMap {
  #m: NativeMap | undefined;
  readonly info: BpfMapInfo;
  private constructor(m: NativeMap) {
    this.#m = m;
    this.info = m.info;
  }
  static adopt(m: NativeMap): BpfMap { return new BpfMap(m); }
  static openPinned(path: string): BpfMap { return new BpfMap(wrap(`open pinned map ${path}`, () => addon().BpfMap.openPinned(path))); }
  get fd(): number { return this.#live().fd; }
  lookup(key: Buffer): Buffer | undefined { return wrap(`lookup in ${this.info.name}`, () => this.#live().lookup(key)); }
  /** Returns false only for UpdateFlags.noexist on an existing key. */
  update(key: Buffer, value: Buffer, flags: number = UpdateFlags.any): boolean {
    return wrap(`update ${this.info.name}`, () => this.#live().update(key, value, flags));
  }
  delete(key: Buffer): boolean { return wrap(`delete from ${this.info.name}`, () => this.#live().delete(key)); }
  *keys(): IterableIterator<Buffer> {
    let k = this.#live().nextKey();
    while (k) {
      yield k;
      k = wrap(`iterate ${this.info.name}`, () => this.#live().nextKey(k));
    }
  }
  *entries(): IterableIterator<[Buffer, Buffer]> {
    for (const k of this.keys()) {
      const v = this.lookup(k);
      if (v) yield [k, v];
    }
  }
  pin(path: string): void { wrap(`pin ${this.info.name} at ${path}`, () => this.#live().pin(path)); }
  /** Removes a pin: bpffs has no unpin call, unlinking the file drops the pin's reference. */
  static unpin(path: string): void { unlinkSync(path); }
  /** A live view of a BPF_F_MMAPABLE array's values. */
  mmap(writable = false): ArrayBuffer { return wrap(`mmap ${this.info.name}`, () => this.#live().mmap(writable)); }
  close(): void {
    this.#m?.close();
    this.#m = undefined;
  }
  #live(): NativeMap {
    if (!this.#m) throw bpfClosed(`map ${this.info.name}`);
    return this.#m;
  }
}

export class BpfLink {
  #l: NativeLink | undefined;
  constructor(l: NativeLink, readonly program: string) { this.#l = l; }
  static openPinned(path: string): BpfLink { return new BpfLink(wrap(`open pinned link ${path}`, () => addon().BpfLink.openPinned(path)), basename(path)); }
  get fd(): number { return this.#l?.fd ?? -1; }
  pin(path: string): void { wrap(`pin link ${this.program}`, () => this.#live().pin(path)); }
  unpin(): void { wrap(`unpin link ${this.program}`, () => this.#live().unpin()); }
  /** The attached program's id and run counters (kernel.bpf_stats_enabled=1 to make them count). */
  programInfo(): ProgramInfo { return wrap(`info of ${this.program}`, () => this.#live().programInfo()); }
  /** Close our fd: detaches the program unless the link is pinned. */
  close(): void {
    this.#l?.close();
    this.#l = undefined;
  }
  #live(): NativeLink {
    if (!this.#l) throw bpfClosed(`link ${this.program}`);
    return this.#l;
  }
}

export class BpfObject {
  #o: NativeObject | undefined;
  readonly #links = new Set<BpfLink>();
  private constructor(o: NativeObject, readonly name: string) { this.#o = o; }

  static openFile(path: string, name = basename(path).replace(/\.bpf\.o$|\.o$/, '')): BpfObject {
    return BpfObject.openBuffer(readFileSync(path), name);
  }
  static openBuffer(elf: Buffer, name: string): BpfObject {
    return new BpfObject(wrap(`open BPF object ${name}`, () => new (addon().BpfObject)(elf, name)), name);
  }
  get loaded(): boolean { return this.#live().loaded; }
  rodataVariables(): Record<string, { offset: number; size: number }> {
    return Object.fromEntries(this.#live().rodataVariables().map((v) => [v.name, { offset: v.offset, size: v.size }]));
  }
  /** Set a `const volatile` global before load: numbers are written little-endian in its size. */
  setRodata(name: string, value: Buffer | number | bigint): void {
    const v = this.rodataVariables()[name];
    if (!v) throw bpfNoSuchVariable(this.name, name);
    let bytes: Buffer;
    if (Buffer.isBuffer(value)) bytes = value;
    else {
      bytes = Buffer.alloc(v.size);
      const big = BigInt(value);
      if (v.size === 8) bytes.writeBigUInt64LE(BigInt.asUintN(64, big));
      else bytes.writeUIntLE(Number(BigInt.asUintN(v.size * 8, big)), 0, v.size);
    }
    if (bytes.length !== v.size) throw new RangeError(`${name} is ${v.size} bytes, got ${bytes.length}`);
    wrap(`set ${name}`, () => this.#live().setRodata(v.offset, bytes));
  }
  load(): void { wrap(`load ${this.name}`, () => this.#live().load()); }
  programs(): string[] { return this.#live().programs().map((p) => p.name); }
  attach(program: string): BpfLink {
    const link = new BpfLink(wrap(`attach ${program}`, () => this.#live().attach(program)), program);
    this.#links.add(link);
    return link;
  }
  map(name: string): BpfMap { return BpfMap.adopt(wrap(`map ${name}`, () => this.#live().map(name))); }
  /** Detaches every link made through this object (pinned ones stay), then frees the object. */
  close(): void {
    for (const l of this.#links) l.close();
    this.#links.clear();
    this.#o?.close();
    this.#o = undefined;
  }
  #live(): NativeObject {
    if (!this.#o) throw bpfClosed(`BPF object ${this.name}`);
    return this.#o;
  }
}

/** The version of the libbpf this process runs with (libbpf_major_version().libbpf_minor_version()). */
export const libbpfVersion = (): string => addon().libbpfVersion();

/** A pidfd for a process (or one thread): the key of a task storage map from user space. */
export function pidfdOpen(pid: number, thread = false): number {
  return wrap(`pidfd_open(${pid})`, () => addon().pidfdOpen(pid, thread));
}

