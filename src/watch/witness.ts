// User-space side of bpf/witness.bpf.c: load it, attach it to sched_process_exit, and look up who
// an exited tgid was. The mapper asks only when /proc no longer knows the pid, so the map is read
// per such event, never polled.
//
// The link and the map are pinned in bpffs: the witness keeps recording while the watcher is down
// (a restart, a kill -9), so the records it catches up on after a restart can still be attributed
// to processes that exited in between.
import { existsSync, rmSync } from 'node:fs';
import { mkdirOnBpffs } from '../fs/bpffs.js';
import { join } from 'node:path';
import { BpfMap, BpfObject } from '../native/ebpf.js';
import { packagePath } from '../native/package-root.js';
import type { ExitWitness } from './mapper.js';

/** struct exit_witness in bpf/witness.h. */
const OFF = { tgid: 0, tid: 4, mntNs: 8, pidNs: 12, startBootNs: 16, exitBootNs: 24, exitCode: 32, comm: 40, cgroupId: 56 } as const;
export const WITNESS_SIZE = 72;
export const DEFAULT_PIN_DIR = '/sys/fs/bpf/seccomp-tailor-watch';

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
    cgroupId: Number(b.readBigUInt64LE(OFF.cgroupId)),
  };
}

export class ExitWitnesses {
  private constructor(private readonly map: BpfMap, private readonly closeAll: () => void, readonly reused: boolean) {}

  static objectPath(): string {
    return packagePath('build', 'bpf', 'witness.bpf.o');
  }

  /**
   * Reuses the pinned witness when one is there (same layout), else loads, attaches and pins it.
   * `pinDir: null` loads a private one that dies with this process. Throws (BpfLoadError,
   * NativeError, addon missing) when this kernel or build cannot do it.
   */
  static start(pinDir: string | null = DEFAULT_PIN_DIR): ExitWitnesses {
    if (pinDir) {
      const mapPin = join(pinDir, 'witnesses');
      const linkPin = join(pinDir, 'witness_exit');
      if (existsSync(mapPin) && existsSync(linkPin)) {
        try {
          const map = BpfMap.openPinned(mapPin);
          if (map.info.valueSize === WITNESS_SIZE && map.info.keySize === 4) return new ExitWitnesses(map, () => map.close(), true);
          map.close();
        } catch { /* stale or foreign pins: replaced below */ }
      }
      rmSync(pinDir, { recursive: true, force: true });
    }
    const obj = BpfObject.openFile(ExitWitnesses.objectPath());
    try {
      obj.load();
      const link = obj.attach('witness_exit');
      const map = obj.map('witnesses');
      if (pinDir) {
        mkdirOnBpffs(pinDir);
        map.pin(join(pinDir, 'witnesses'));
        link.pin(join(pinDir, 'witness_exit'));
      }
      // A pinned link stays attached after close(); an unpinned one detaches.
      return new ExitWitnesses(map, () => { map.close(); obj.close(); }, false);
    } catch (e) {
      obj.close();
      if (pinDir) rmSync(pinDir, { recursive: true, force: true });
      throw e;
    }
  }

  /** Detaches a pinned witness for good (uninstall). */
  static remove(pinDir: string = DEFAULT_PIN_DIR): void {
    rmSync(pinDir, { recursive: true, force: true });
  }

  lookup(tgid: number): ExitWitness | undefined {
    const k = Buffer.alloc(4);
    k.writeUInt32LE(tgid >>> 0);
    const v = this.map.lookup(k);
    return v ? decodeWitness(v) : undefined;
  }

  close(): void {
    this.closeAll();
  }
}
