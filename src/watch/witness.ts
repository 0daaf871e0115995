// User-space side of bpf/witness.bpf.c: load it, attach it to sched_process_exit, and look up who
// an exited tgid was. The mapper asks only when /proc no longer knows the pid, so the map is read
// per such event, never polled.
import { existsSync } from 'node:fs';
import { BpfObject, type BpfLink, type BpfMap } from '../native/ebpf.js';
import { packagePath } from '../native/package-root.js';
import type { ExitWitness } from './mapper.js';

/** struct exit_witness in bpf/witness.h. */
const OFF = { tgid: 0, tid: 4, mntNs: 8, pidNs: 12, startBootNs: 16, exitBootNs: 24, exitCode: 32, comm: 40 } as const;
export const WITNESS_SIZE = 64;

export function decodeWitness(b: Buffer): ExitWitness {
  const comm = b.subarray(OFF.comm, OFF.comm + 16);
  const nul = comm.indexOf(0);
  return {
    tgid: b.readUInt32LE(OFF.tgid),
    mntNs: b.readUInt32LE(OFF.mntNs),
    pidNs: b.readUInt32LE(OFF.pidNs),
    startBootNs: b.readBigUInt64LE(OFF.startBootNs),
    exitBootNs: b.readBigUInt64LE(OFF.exitBootNs),
    exitCode: b.readUInt32LE(OFF.exitCode),
    comm: comm.subarray(0, nul < 0 ? 16 : nul).toString('latin1'),
  };
}

export class ExitWitnesses {
  private constructor(private readonly obj: BpfObject, private readonly link: BpfLink, private readonly map: BpfMap) {}

  static objectPath(): string {
    return packagePath('build', 'bpf', 'witness.bpf.o');
  }
  static available(): boolean {
    return existsSync(ExitWitnesses.objectPath());
  }

  /** Throws (BpfLoadError, NativeError, addon missing) when this kernel or build cannot do it. */
  static start(): ExitWitnesses {
    const obj = BpfObject.openFile(ExitWitnesses.objectPath());
    try {
      obj.load();
      const link = obj.attach('on_exit');
      return new ExitWitnesses(obj, link, obj.map('witnesses'));
    } catch (e) {
      obj.close();
      throw e;
    }
  }

  lookup(tgid: number): ExitWitness | undefined {
    const k = Buffer.alloc(4);
    k.writeUInt32LE(tgid >>> 0);
    const v = this.map.lookup(k);
    return v ? decodeWitness(v) : undefined;
  }

  close(): void {
    this.map.close();
    this.link.close();
    this.obj.close();
  }
}
