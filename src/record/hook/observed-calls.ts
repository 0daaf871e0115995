// What a slot's workload did, in the shape the shadow evaluation judges (src/shadow/types.ts):
// both shadow mode and a recording's history line set it against a profile.
import type { ArgFact } from '../arg-facts.js';
import { archOfKind, nameCounts } from '../named-calls.js';
import { clockNow, monotonicToWallMs } from '../first-seen.js';
import type { SlotSnapshot } from '../tracer.js';
import { PHASE } from '../tracer-layout.js';
import type { ObservedCall } from '../../shadow/types.js';

/** The workload's calls in one slot, named per arch, with the argument tuples the tracer kept. */
export function observedCalls(slot: Pick<SlotSnapshot, 'counts' | 'argFacts'>): ObservedCall[] {
  const { named } = nameCounts(slot.counts, [PHASE.workload]);
  const facts = new Map<string, ArgFact>();
  for (const f of slot.argFacts) if (f.phase === PHASE.workload) facts.set(`${archOfKind(f.arch)}/${f.nr}`, f);
  const clock = clockNow();
  return named.map((c) => {
    const f = facts.get(`${c.arch}/${c.nr}`);
    // The tracer keeps when a call was first seen, not when last: first is what there is.
    const at = Math.floor(monotonicToWallMs(c.firstNs, clock));
    return { arch: c.arch, name: c.name, nr: c.nr, firstSeenMs: at, lastSeenMs: at, ...(f ? { args: { indexes: [...f.argIndexes], tuples: f.values, overflow: f.overflow } } : {}) };
  });
}

