// The tracer as it was before per-target memory followed use (bench/fixtures/tracer-before/),
// driven directly through its maps so `npm run bench -- tracer` measures both programs in one
// run: the same attach points, the same workloads, the kernel's own counters.
import { closeSync } from 'node:fs';
import { BpfObject, pidfdOpen, type BpfLink } from '../src/native/ebpf.js';
import { packagePath } from '../src/native/package-root.js';

const PROGRAMS = ['on_sys_enter', 'on_fork', 'on_exec', 'on_exit'] as const;
// Its struct target_state was 128 bytes, generation in the first u32; control: 64 bytes.
const STATE_BYTES = 128;

export class TracerBefore {
  readonly #obj: BpfObject;
  readonly #links: BpfLink[];
  readonly #states: DataView;
  readonly #active: Uint8Array;
  #next = 0;

  constructor() {
    this.#obj = BpfObject.openFile(packagePath('build', 'bpf', 'bench', 'tracer-before.bpf.o'), 'st_before');
    this.#obj.load();
    this.#links = PROGRAMS.map((p) => this.#obj.attach(p));
    this.#states = new DataView(this.#obj.map('targets').mmap(true));
    this.#active = new Uint8Array(this.#obj.map('control').mmap(true));
  }

  /** A slot of its own for `pid` (and the tasks it creates later). */
  trace(pid: number): void {
    const slot = this.#next++;
    this.#states.setUint32(slot * STATE_BYTES, 1, true);
    this.#active[slot] = 1;
    const fd = pidfdOpen(pid, false);
    try {
      const key = Buffer.alloc(4);
      key.writeInt32LE(fd);
      const tag = Buffer.alloc(8);
      tag.writeUInt32LE(slot, 0);
      tag.writeUInt32LE(1, 4);
      this.#obj.map('task_tags').update(key, tag);
    } finally {
      closeSync(fd);
    }
  }

  /** Claimed but tracing nobody: another recording somewhere. */
  busy(): void {
    this.#active[this.#next++] = 1;
  }

  sysEnterInfo(): { runTimeNs: bigint; runCount: bigint } {
    return this.#links[0]!.programInfo();
  }

  close(): void {
    for (const l of this.#links) l.close();
    this.#obj.close();
  }
}
