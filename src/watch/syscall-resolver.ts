// Syscall names per (arch, number) for the parsers, shared by the watcher and the `events` command.
import type { SyscallResolver } from '../../parsers/index.js';

/** Lookups repeat (a handful of syscalls per workload): remember them instead of crossing into the addon. */
export function memoResolver(resolve: SyscallResolver): SyscallResolver {
  const cache = new Map<string, string | undefined>();
  return (arch, nr) => {
    const key = arch + ':' + nr;
    if (cache.has(key)) return cache.get(key);
    let name: string | undefined;
    try { name = resolve(arch, nr); } catch { name = undefined; }
    if (cache.size < 65536) cache.set(key, name);
    return name;
  };
}
