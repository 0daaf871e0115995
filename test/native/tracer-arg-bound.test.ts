// Issue 19 ("suspected"): the tracer's argument sets live in one kernel hash shared by every
// recording. Each recording may hold only its share of it (TRACER_ARG_SETS_PER_TARGET), so the
// slots claimed at once always find room for their own sets. Performed for real with a private
// tracer whose share is lowered to 2: a workload making five kinds of argument-fact syscalls
// keeps two sets, the three it lost are reported and keep their names only; another recording in
// the same tracer at the same time keeps its own two.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Tracer } from '../../src/record/tracer.js';
import { recordCommand } from '../../src/record/record-command.js';
import { ARG_SETS, ARG_SETS_PER_TARGET, MAX_TARGETS } from '../../src/record/tracer-layout.js';
import { rootOnly } from '../helpers/known-syscalls.js';

// Five kinds natively, after perl's execve: socket, socketpair, ioctl (TCGETS), prctl
// (PR_GET_DUMPABLE), personality (query). Each harmless.
const WORKLOAD = ['-e', 'socket(my $s, 1, 1, 0); socketpair(my $a, my $b, 1, 1, 0); ioctl(STDIN, 0x5401, my $t = "\\0" x 64); syscall(157, 3, 0, 0, 0, 0); syscall(135, 0xffffffff);'];
const KINDS = ['socket', 'socketpair', 'ioctl', 'prctl', 'personality'];

let tracer: Tracer;
before(() => {
  if (!rootOnly) tracer = Tracer.load({ argSetsPerTarget: 2 });
});
after(() => tracer?.close());

test('the share is the map divided among every slot', () => {
  assert.equal(ARG_SETS_PER_TARGET * MAX_TARGETS, ARG_SETS, 'all slots at their share fill the map exactly, never more');
  assert.ok(ARG_SETS_PER_TARGET >= 16, 'both phases of the eight kinds on one arch fit');
});

test('past its share a recording keeps the names of the kinds it lost, and says so; another keeps its own', { skip: rootOnly }, async () => {
  const [first, second] = await Promise.all([
    recordCommand('/usr/bin/perl', WORKLOAD, { tracer, stdio: 'ignore' }),
    recordCommand('/usr/bin/perl', WORKLOAD, { tracer, stdio: 'ignore' }),
  ]);
  for (const rec of [first, second]) {
    assert.equal(rec.exit.code, 0);
    const kept = rec.argFacts.filter((f) => !f.lost);
    const lost = rec.argFacts.filter((f) => f.lost);
    assert.equal(kept.length, 2, `two sets kept: ${kept.map((f) => f.syscall).join(', ')}`);
    assert.equal(rec.state.argsLost >= 3, true, `the three others are counted lost (${rec.state.argsLost})`);
    assert.deepEqual([...new Set([...kept, ...lost].map((f) => f.syscall))].sort(), [...KINDS].sort(), 'every kind seen is either kept or reported lost');
    for (const f of lost) {
      assert.ok(rec.profile.syscalls?.some((r) => r.names.includes(f.syscall) && !r.args?.length), `${f.syscall}: its name alone`);
      assert.ok(rec.argNotes.some((n) => n.syscall === f.syscall && /no room/.test(n.note)), `${f.syscall}: a note says why`);
    }
    for (const f of kept) assert.ok(f.values.length > 0 && !f.overflow, `${f.syscall}: its values`);
  }
});
