// What a shadowed run adds to its profile's history (src/history/history.ts): the denials, one
// entry per (arch, syscall, tuple), argument values as decimal strings. Zod-free: hookd calls it at
// poststop.
import type { AddedSyscall } from '../history/history.js';
import type { ShadowDenial } from './types.js';

export function historyAddedOf(denials: readonly ShadowDenial[]): AddedSyscall[] {
  const seen = new Set<string>();
  const out: AddedSyscall[] = [];
  for (const d of denials) {
    const args = d.tuple?.map((t) => ({ index: t.index, value: t.value.toString() }));
    const key = `${d.arch}/${d.name}/${JSON.stringify(args ?? [])}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ arch: d.arch, name: d.name, ...(args?.length ? { args } : {}) });
  }
  return out;
}
