// The slot layout's encodings (src/record/tracer-layout.ts mirrors bpf/tracer.h): each bit
// formula decodes to what it encoded, for every value the kernel side can produce, and fits the
// word it lives in. That the formulas are the program's own is checked against the header itself
// (test/native/tracer-layout-header.test.ts), and the loaded program's bits are decoded by the
// native tests (test/native/tracer-args.test.ts, tracer-arg-bound.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as L from '../../src/record/tracer-layout.js';

test('arg-set bits: every (phase 1-2, arch, kind) has its own bit of the u64, and decodes back', () => {
  const seen = new Set<number>();
  for (const phase of [1, 2]) for (let arch = 0; arch < L.ARCHES; arch++) for (let kind = 1; kind <= L.ARG_KINDS.length; kind++) {
    const bit = L.argSetBit(phase, arch, kind);
    assert.ok(bit >= 0 && bit < 64, `bit ${bit} fits target_state.arg_sets`);
    assert.ok(!seen.has(bit));
    seen.add(bit);
    assert.deepEqual(L.argSetOfBit(bit), { phase, arch, kind });
  }
  const word = [...seen].reduce((w, b) => w | (1n << BigInt(b)), 0n);
  assert.equal(L.argSetsOf(word).length, seen.size);
});

test('seen bits: every (phase, arch, nr) decodes back and fits the seen words', () => {
  for (let phase = 0; phase < L.PHASES; phase++) for (let arch = 0; arch < L.ARCHES; arch++) for (const nr of [0, 1, 435, L.NR_SLOTS - 1]) {
    const bit = L.seenBit(phase, arch, nr);
    assert.ok(bit < L.SEEN_WORDS * 64);
    assert.deepEqual(L.seenOfBit(bit), { phase, arch, nr });
  }
});

test('the argument kinds, their positions and capacities agree', () => {
  assert.deepEqual(Object.keys(L.ARG_INDEXES).sort(), [...L.ARG_KINDS].sort());
  for (const k of L.ARG_KINDS) assert.ok(L.argCapacity(k) * L.ARG_INDEXES[k].length <= L.ARG_WORDS, `${k}'s tuples fit a set's words`);
  assert.equal(L.ARG_SETS_PER_TARGET * L.MAX_TARGETS, L.ARG_SETS);
});

test('a slot owner encodes to the map value and back', () => {
  const o = { pid: 4194304, startTime: 123456789, claimedAtMs: Date.UTC(2026, 11, 5), generation: 0xfffffffe };
  const v = L.encodeOwner(o);
  assert.equal(v.length, L.OWNER_BYTES);
  assert.deepEqual(L.decodeOwner(v), o);
});
