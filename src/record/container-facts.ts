// What /proc says about a container's init at prestart: enough for the watcher to map a denial
// to the container even after its pids are reused.
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
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

/**
 * The runtime that ran the hook: its parent, at prestart (runc or crun, also under podman). The
 * name comes from comm: crun runs hooks from a process whose exe link reads "/" when it lives
 * in another mount namespace; the executable is then looked up on the usual paths.
 */
export function parentRuntime(ppid = process.ppid): { name: string; exe?: string } {
  let name = 'unknown';
  try {
    name = readFileSync(`/proc/${ppid}/comm`, 'utf8').trim() || name;
  } catch {
    return { name };
  }
  let exe: string | undefined;
  try {
    exe = readlinkSync(`/proc/${ppid}/exe`).replace(/ \(deleted\)$/, '');
  } catch {
    exe = undefined;
  }
  if (!exe || basename(exe) !== name || !existsSync(exe)) exe = ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/bin', '/usr/local/sbin'].map((d) => `${d}/${name}`).find((p) => existsSync(p));
  return exe ? { name, exe } : { name };
}

/** The engine that created the container, when its annotations tell. */
export function engineOf(annotations: Record<string, string>): string | undefined {
  const keys = Object.keys(annotations);
  if (annotations['io.container.manager'] === 'libpod' || keys.some((k) => k.startsWith('io.podman.'))) return 'podman';
  if (keys.some((k) => k.startsWith('io.kubernetes.cri-o.'))) return 'cri-o';
  if (keys.some((k) => k.startsWith('io.kubernetes.cri.'))) return 'containerd';
  return undefined;
}
