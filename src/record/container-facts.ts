// What /proc says about a container's init at prestart: enough for the watcher to map a denial
// to the container even after its pids are reused.
import { readFileSync, readlinkSync } from 'node:fs';
import { basename } from 'node:path';

export function nsInode(pid: number, ns: 'mnt' | 'pid'): number | undefined {
  try {
    const m = /\[(\d+)\]/.exec(readlinkSync(`/proc/${pid}/ns/${ns}`));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** The v2 path ("0::/..."), else the pids or memory hierarchy's. */
export function cgroupOf(pid: number): string | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n').filter(Boolean).map((l) => l.split(':'));
  const pick = lines.find((l) => l[0] === '0' && l[1] === '') ?? lines.find((l) => /(^|,)(pids|memory)(,|$)/.test(l[1] ?? '')) ?? lines[0];
  return pick?.slice(2).join(':') || undefined;
}

/** The runtime that ran the hook: its parent, at prestart (runc or crun, also under podman). */
export function parentRuntime(ppid = process.ppid): { name: string; exe?: string } {
  try {
    const exe = readlinkSync(`/proc/${ppid}/exe`).replace(/ \(deleted\)$/, '');
    return { name: basename(exe), exe };
  } catch {
    return { name: 'unknown' };
  }
}

/** The engine that created the container, when its annotations tell. */
export function engineOf(annotations: Record<string, string>): string | undefined {
  const keys = Object.keys(annotations);
  if (annotations['io.container.manager'] === 'libpod' || keys.some((k) => k.startsWith('io.podman.'))) return 'podman';
  if (keys.some((k) => k.startsWith('io.kubernetes.cri-o.'))) return 'cri-o';
  if (keys.some((k) => k.startsWith('io.kubernetes.cri.'))) return 'containerd';
  return undefined;
}
