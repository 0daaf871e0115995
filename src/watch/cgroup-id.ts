// Which container a /proc/<pid>/cgroup names. Pure: the text in, an id (or nothing) out.
// Engines encode the container id in the cgroup path: podman `libpod-<id>`, CRI-O `crio-<id>`,
// containerd's CRI plugin `cri-containerd-<id>`, Docker `docker-<id>.scope` (systemd driver) or
// `/docker/<id>` (cgroupfs driver), Kubernetes `kubepods/.../pod<uid>/<id>`.
// A cgroup's name proves nothing by itself: whoever owns a delegated subtree (systemd --user's
// user@UID.service, a cgroupfs directory chowned to a user, a container's own delegated scope)
// names its children as it likes. So an id counts only under the parents the engines create as
// root, and the outermost id there wins: nested engines (Docker in Docker, kind) and a container
// with a delegated scope name the cgroups below their own, and the host's profile is the outer one's.

export type Engine = 'podman' | 'cri-o' | 'containerd' | 'docker' | 'kubernetes' | 'unknown';

export interface CgroupLine {
  hierarchy: number;
  controllers: string[];
  path: string;
}

export interface CgroupContainer {
  id: string;
  engine: Engine;
  /** The cgroup path the id was found in. */
  path: string;
}

const HEX64 = /[0-9a-f]{64}/g;

/** Lines of /proc/<pid>/cgroup: `hierarchy-ID:controller-list:path`; v2 is `0::path`. */
export function parseProcCgroup(text: string): CgroupLine[] {
  const out: CgroupLine[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const a = line.indexOf(':');
    const b = a < 0 ? -1 : line.indexOf(':', a + 1);
    if (b < 0) continue;
    const hierarchy = Number(line.slice(0, a));
    if (!Number.isInteger(hierarchy)) continue;
    const controllers = line.slice(a + 1, b);
    out.push({ hierarchy, controllers: controllers === '' ? [] : controllers.split(','), path: line.slice(b + 1) });
  }
  return out;
}

/**
 * The v2 (unified) path first: it is the one engines manage on current systems. Then v1 hierarchies
 * that every engine places containers in, before the rest; a v1 `name=systemd` line often still
 * shows the session's path on cgroupfs-driven hosts.
 */
const V1_PREFERENCE = ['pids', 'memory', 'cpu', 'devices', 'freezer', 'blkio', 'cpuset'];
function rank(l: CgroupLine): number {
  if (l.hierarchy === 0 && l.controllers.length === 0) return 0;
  const i = V1_PREFERENCE.findIndex((c) => l.controllers.includes(c));
  return i < 0 ? V1_PREFERENCE.length + 1 : i + 1;
}

/** The engine that named this path component, from the component that holds the id. */
function engineOf(component: string, path: string): Engine {
  if (component.startsWith('libpod-')) return 'podman';
  if (component.startsWith('crio-')) return 'cri-o';
  if (component.startsWith('cri-containerd-')) return 'containerd';
  if (component.startsWith('docker-')) return 'docker';
  if (path.includes('kubepods')) return 'kubernetes';
  if (/(^|\/)docker\/[0-9a-f]{64}/.test(path)) return 'docker';
  return 'unknown';
}

// conmon and the runtime's monitor processes live in cgroups named after the container they watch
// (`libpod-conmon-<id>.scope`, `crio-conmon-<id>.scope`) but run on the host, outside its profile.
const MONITOR = /(^|[/-])(conmon)-[0-9a-f]{64}/;

/**
 * The parents engines put containers under, all created by root: podman and CRI-O's machine.slice
 * (systemd driver) and libpod_parent (cgroupfs), Docker's system.slice/docker-<id>.scope and
 * /docker/<id>, containerd's and CRI-O's system.slice scopes, the kubelet's kubepods. Never a user
 * session or a user's systemd instance, whatever the names below them say.
 */
const ENGINE_PARENT = /^\/(?:machine\.slice\/|libpod_parent\/|docker\/|kubepods(?:\.slice)?\/|system\.slice\/(?:docker|crio|cri-containerd|libpod)-)/;
const DELEGATED = /(^|\/)(user\.slice|user@\d+\.service)(\/|$)/;

/** True when a cgroup path lies where only an engine (as root) creates cgroups. */
export function underEngineParent(path: string): boolean {
  return ENGINE_PARENT.test(path) && !DELEGATED.test(path);
}

/** True for a path in a user's delegated subtree (a session, systemd --user): never a container's proof. */
export function isDelegatedToUser(path: string): boolean {
  return DELEGATED.test(path);
}

/** The container id in one cgroup path under an engine's parent: the first component holding one. */
export function containerIdFromPath(path: string): CgroupContainer | undefined {
  if (!underEngineParent(path)) return undefined;
  const components = path.split('/');
  for (const c of components) {
    const ids = c.match(HEX64);
    if (!ids) continue;
    if (MONITOR.test(c)) return undefined;
    return { id: ids[ids.length - 1]!, engine: engineOf(c, path), path };
  }
  return undefined;
}

/** The container named by the contents of /proc/<pid>/cgroup, or undefined for none (the host, or an engine that uses no hex ids). */
export function containerFromProcCgroup(text: string): CgroupContainer | undefined {
  const lines = parseProcCgroup(text).sort((x, y) => rank(x) - rank(y));
  for (const l of lines) {
    const c = containerIdFromPath(l.path);
    if (c) return c;
  }
  return undefined;
}

/** The unified (v2) path, else the most telling v1 path: what a registry's `cgroup` is compared with. */
export function primaryCgroupPath(text: string): string | undefined {
  const lines = parseProcCgroup(text).sort((x, y) => rank(x) - rank(y));
  // On a hybrid host the unified line exists but is `/` for everything; v1 then carries the placement.
  const useful = lines.find((l) => l.path !== '/');
  return (useful ?? lines[0])?.path;
}
