// src/record/tracer-layout.ts against bpf/tracer.h, the header tracer.bpf.c is compiled with:
// test/fixtures/tracer-layout-probe.c, built from that header, prints its constants, every
// struct's size and field offsets, both bit formulas for every input (the very functions the
// program calls) and the bytes of each map key. Adding an argument kind, a phase or a field on
// one side only fails here, for every arch, including those this machine cannot run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packagePath } from '../../src/native/package-root.js';
import * as L from '../../src/record/tracer-layout.js';

interface Probe {
  constants: Record<string, number>;
  kinds: Record<string, number>;
  target_state: Record<string, number>;
  tracer_control: { size: number; active: number };
  task_tag: { size: number };
  arg_set: { size: number; reserved: number; overflow: number; committed: number; words: number };
  seen_bits: number[];
  arg_set_bits: number[];
  first_seen_key: { size: number; bytes: string };
  arg_set_key: { size: number; bytes: string };
}

function probe(): Probe {
  const dir = mkdtempSync(join(tmpdir(), 'st-layout-'));
  try {
    const exe = join(dir, 'probe');
    execFileSync('cc', ['-Wall', '-Wextra', '-Werror', '-o', exe, packagePath('test', 'fixtures', 'tracer-layout-probe.c')]);
    return JSON.parse(execFileSync(exe, { encoding: 'utf8' })) as Probe;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const header = probe();
const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

test('constants and argument kinds are the header\'s', () => {
  const c = header.constants;
  assert.deepEqual(
    { MAX_TARGETS: L.MAX_TARGETS, NR_SLOTS: L.NR_SLOTS, ARCHES: L.ARCHES, PHASES: L.PHASES, SEEN_WORDS: L.SEEN_WORDS, FIRST_SEEN_ENTRIES: L.FIRST_SEEN_ENTRIES, ARG_KINDS: L.ARG_KINDS.length, ARG_WORDS: L.ARG_WORDS, ARG_SETS: L.ARG_SETS, ARG_SETS_PER_TARGET: L.ARG_SETS_PER_TARGET },
    c,
  );
  assert.equal(L.ARCH_KINDS.length, c.ARCHES);
  assert.deepEqual(Object.fromEntries(L.ARG_KINDS.map((k, i) => [k, i + 1])), header.kinds);
});

test('struct target_state: its size, and every field where the loader reads it', () => {
  const { size, generation, phase, seen, ...words } = header.target_state;
  assert.equal(L.TARGET_STATE_BYTES, size);
  assert.deepEqual(L.TargetStateOffset, { generation, phase });
  assert.equal(L.TargetWord.seen * 8, seen);
  // Every u64 counter of the header is a word the loader names, at the same place.
  for (const [field, offset] of Object.entries(words)) {
    const word = (L.TargetWord as Record<string, number>)[camel(field)];
    assert.equal(word, offset! / 8, `target_state.${field}`);
  }
  assert.equal(Object.keys(L.TargetWord).length, Object.keys(words).length + 2, 'the loader names no word the header lacks');
});

test('struct tracer_control, task_tag and arg_set', () => {
  assert.equal(L.CONTROL_ACTIVE_OFFSET, header.tracer_control.active);
  assert.equal(L.CONTROL_ACTIVE_OFFSET + L.MAX_TARGETS, header.tracer_control.size);
  assert.equal(L.TASK_TAG_BYTES, header.task_tag.size);
  const { size, ...offsets } = header.arg_set;
  assert.equal(L.ARG_SET_BYTES, size);
  assert.deepEqual({ ...L.ArgSetOffset }, offsets);
});

test('the seen-bit formula is the program\'s for every (phase, arch, nr), and decodes back', () => {
  let i = 0;
  for (let phase = 0; phase < L.PHASES; phase++) for (let arch = 0; arch < L.ARCHES; arch++) for (let nr = 0; nr < L.NR_SLOTS; nr++) {
    const bit = header.seen_bits[i++]!;
    if (L.seenBit(phase, arch, nr) !== bit) assert.fail(`seen bit of (${phase}, ${arch}, ${nr}): the program sets ${bit}, the loader reads ${L.seenBit(phase, arch, nr)}`);
    assert.deepEqual(L.seenOfBit(bit), { phase, arch, nr });
  }
  assert.equal(i, header.seen_bits.length);
});

test('the argument-set bit formula is the program\'s for every (phase, arch, kind), and decodes back', () => {
  let i = 0;
  for (let phase = 1; phase < L.PHASES; phase++) for (let arch = 0; arch < L.ARCHES; arch++) for (let kind = 1; kind <= L.ARG_KINDS.length; kind++) {
    const bit = header.arg_set_bits[i++]!;
    assert.equal(L.argSetBit(phase, arch, kind), bit, `arg-set bit of (${phase}, ${arch}, ${kind})`);
    assert.deepEqual(L.argSetOfBit(bit), { phase, arch, kind });
  }
  assert.equal(i, header.arg_set_bits.length);
  assert.ok(Math.max(...header.arg_set_bits) < 64, 'every set has a bit of the u64');
});

test('map keys are byte for byte the program\'s', () => {
  // The values the probe filled in: each field a different value, padding zeroed.
  assert.equal(L.firstSeenKey(1023, 2, 1, 1021).toString('hex'), header.first_seen_key.bytes);
  assert.equal(L.argSetKey(1022, 2, 2, L.ARG_KINDS.indexOf('ioctl') + 1).toString('hex'), header.arg_set_key.bytes);
});
