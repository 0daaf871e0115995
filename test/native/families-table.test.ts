// The family table against libseccomp's own syscall tables: every name is a real syscall, and an
// arch restriction (`only`) says exactly where it exists among the four arches checked here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FAMILIES } from '../../src/profile/families-table.js';
import { syscallNumber } from '../../src/native/libseccomp.js';

const ARCHES = ['x86_64', 'aarch64', 'x86', 'arm'];

test('every family member exists on some arch, and exactly on the arches its `only` names', () => {
  for (const f of FAMILIES) for (const m of f.members) {
    const on = ARCHES.filter((a) => syscallNumber(a, m.name) !== undefined);
    assert.ok(on.length > 0, `${f.id}: ${m.name} is on none of ${ARCHES.join(', ')}`);
    if (m.only) assert.deepEqual(on, ARCHES.filter((a) => m.only!.includes(a)), `${m.name}: only ${m.only.join(', ')}`);
  }
});

test('every newer member without `only` exists on x86_64 and aarch64 (the arches profiles are recorded on)', () => {
  for (const f of FAMILIES) for (const m of f.members.slice(1)) {
    if (m.only) continue;
    for (const a of ['x86_64', 'aarch64']) assert.notEqual(syscallNumber(a, m.name), undefined, `${m.name} on ${a}`);
  }
});
