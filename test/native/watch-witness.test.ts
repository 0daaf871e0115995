// The exit witness against the kernel: the layout decoded in witness.ts matches bpf/witness.h,
// and what it saw equals what /proc showed while the process lived.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { ExitWitnesses } from '../../src/watch/witness.js';
import { nsInode } from '../../src/watch/proc.js';
import { startTicksFromStat } from '../../src/proc/stat.js';

const skip = process.getuid?.() !== 0 ? 'needs root' : false;

test('a process killed by SIGSYS: tgid, namespaces, start time, exit code and comm as /proc had them', { skip }, async () => {
  const pin = `/sys/fs/bpf/st-witness-native-${process.pid}`;
  const w = ExitWitnesses.start(pin);
  try {
    assert.equal(w.reused, false);
    const child = spawn('unshare', ['-m', 'sleep', '30'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 200));
    const pid = child.pid!;
    const seen = {
      start: startTicksFromStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))!,
      mnt: nsInode(readlinkSync(`/proc/${pid}/ns/mnt`))!,
      pidNs: nsInode(readlinkSync(`/proc/${pid}/ns/pid`))!,
    };
    child.kill('SIGSYS');
    await once(child, 'exit');
    assert.ok(!existsSync(`/proc/${pid}`));
    const got = w.lookup(pid);
    assert.ok(got, 'witnessed');
    assert.equal(got.tgid, pid);
    assert.equal(got.mntNs, seen.mnt);
    assert.equal(got.pidNs, seen.pidNs);
    assert.equal(Number(got.startBootNs / 10_000_000n), seen.start);
    assert.ok(got.exitBootNs > got.startBootNs);
    assert.equal(got.exitCode & 0x7f, 31);
    assert.equal(got.comm, 'sleep');
    // The cgroup id (cgroup v2): set, and the same for another process of this cgroup.
    if (existsSync('/sys/fs/cgroup/cgroup.controllers')) {
      const other = spawnSync('true');
      assert.ok(got.cgroupId! > 0);
      assert.equal(w.lookup(other.pid!)?.cgroupId, got.cgroupId);
    }
    // Pinned: a second watcher finds the same witness, with its history.
    const again = ExitWitnesses.start(pin);
    assert.equal(again.reused, true);
    assert.equal(again.lookup(pid)?.tgid, pid);
    again.close();
  } finally {
    w.close();
    ExitWitnesses.remove(pin);
  }
});
