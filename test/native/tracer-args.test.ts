// Argument facts (issue 13) from the kernel: a static program calls the listed syscalls with
// known arguments, natively, through the i386 entry and with x32 numbers; the tracer's sets
// must hold exactly those values, and a set that fills says so.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Tracer } from '../../src/record/tracer.js';
import { recordCommand } from '../../src/record/record-command.js';
import { argKindTable, type ArgFact } from '../../src/record/arg-facts.js';
import { ARG_KINDS, NR_SLOTS } from '../../src/record/tracer-layout.js';
import { syscallNumber } from '../../src/native/libseccomp.js';
import { argProbeBinary, compatEntrySkip, rootOnly } from '../helpers/known-syscalls.js';

let tracer: Tracer;
let probe: string;
before(() => {
  if (rootOnly) return;
  probe = argProbeBinary();
  tracer = Tracer.load();
});
after(() => tracer?.close());

const values = (facts: ArgFact[], arch: string, syscall: string) => {
  const f = facts.filter((x) => x.arch === arch && x.syscall === syscall);
  assert.ok(f.length <= 1, `one set per (phase, arch, syscall): ${JSON.stringify(f, (_, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v))}`);
  return f[0] && { values: f[0].values.map((t) => t.map((v) => `0x${v.toString(16)}`)).sort(), overflow: f[0].overflow, argIndexes: f[0].argIndexes, nr: f[0].nr, phase: f[0].phase };
};

test('the kind table follows each arch\'s own numbers (x86_64, i386, x32)', () => {
  const t = argKindTable('x86_64');
  const kind = (name: string) => ARG_KINDS.indexOf(name as (typeof ARG_KINDS)[number]) + 1;
  assert.equal(t[16], kind('ioctl'));
  assert.equal(t[NR_SLOTS + 54], kind('ioctl'), 'i386 ioctl is 54');
  assert.equal(t[NR_SLOTS + 16], 0, 'i386 16 is lchown, not ioctl');
  assert.equal(t[2 * NR_SLOTS + 514], kind('ioctl'), 'x32 ioctl is 514');
  assert.equal(t[2 * NR_SLOTS + 16], 0, 'x32 has no ioctl at 16');
  assert.equal(t[NR_SLOTS + 359], kind('socket'), 'i386 direct socket is 359');
  assert.equal(t[NR_SLOTS + 120], kind('clone'));
  for (const name of ARG_KINDS) assert.equal(t[syscallNumber('x86_64', name)!], kind(name), name);
  assert.equal(t.filter((b) => b !== 0).length, 3 * ARG_KINDS.length);
});

test('native, compat and x32 calls give exactly the argument values made, per arch', { skip: rootOnly || compatEntrySkip() }, async () => {
  const rec = await recordCommand(probe, ['k'], { tracer, stdio: 'ignore' });
  assert.equal(rec.exit.code, 0);
  const f = rec.argFacts;
  assert.ok(f.every((x) => x.phase === 2), 'all after the execve');
  assert.deepEqual(values(f, 'native', 'clone'), { values: [['0x11']], overflow: false, argIndexes: [0], nr: 56, phase: 2 });
  assert.deepEqual(values(f, 'native', 'unshare')?.values, [['0x0'], ['0x4000000']]);
  assert.deepEqual(values(f, 'native', 'setns')?.values, [['0x40000000']]);
  assert.deepEqual(values(f, 'native', 'personality')?.values, [['0xffffffff']]);
  assert.deepEqual(values(f, 'native', 'socket'), { values: [['0x1', '0x0'], ['0x10', '0x9'], ['0x2', '0x0']], overflow: false, argIndexes: [0, 2], nr: 41, phase: 2 });
  assert.deepEqual(values(f, 'native', 'socketpair')?.values, [['0x1']]);
  assert.deepEqual(values(f, 'native', 'prctl')?.values, [['0x3']]);
  assert.deepEqual(values(f, 'native', 'ioctl')?.values, [['0x5401'], ['0x5413']]);
  assert.deepEqual(values(f, 'compat', 'personality'), { values: [['0xffffffff']], overflow: false, argIndexes: [0], nr: 136, phase: 2 });
  assert.deepEqual(values(f, 'compat', 'prctl')?.values, [['0x3']]);
  assert.deepEqual(values(f, 'compat', 'ioctl')?.values, [['0x5413']]);
  assert.deepEqual(values(f, 'compat', 'socket')?.values, [['0x2', '0x0']]);
  assert.deepEqual(values(f, 'x32', 'ioctl'), { values: [['0x5402']], overflow: false, argIndexes: [1], nr: 514, phase: 2 });
  // No other sets: e.g. the child's exit_group or wait4 are not on the list.
  assert.equal(f.length, 13);
});

test('an ioctl set that fills is marked overflowed (name only), with the values it kept', { skip: rootOnly }, async () => {
  const rec = await recordCommand(probe, ['o'], { tracer, stdio: 'ignore' });
  const io = rec.argFacts.find((x) => x.syscall === 'ioctl' && x.arch === 'native');
  assert.ok(io);
  assert.equal(io.overflow, true);
  assert.equal(io.values.length, 32);
  assert.deepEqual(io.values.map((v) => Number(v[0])), Array.from({ length: 32 }, (_, i) => 0x1000 + i));
});

test('a released slot leaves no hash entries; the next claimant starts empty', { skip: rootOnly }, async () => {
  const before = tracer.entryCounts();
  const rec = await recordCommand(probe, ['k'], { tracer, stdio: 'ignore' });
  assert.ok(rec.argFacts.length > 0);
  assert.deepEqual(tracer.entryCounts(), before);
  const t = tracer.claim();
  try {
    assert.deepEqual(t.argFacts(), []);
    assert.deepEqual(t.syscalls(), []);
  } finally {
    t.release();
  }
});
