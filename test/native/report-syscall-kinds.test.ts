import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { syscallTable } from '../../src/native/libseccomp.js';
import { classifiedNames, groupByKind, kindOf, SYSCALL_KINDS } from '../../src/report/syscall-kinds.js';

describe('syscall kinds against libseccomp', () => {
  it('every x86_64 syscall is in exactly one kind', () => {
    const names = syscallTable('x86_64').map((e) => e.name);
    const missing = names.filter((n) => !classifiedNames().has(n));
    assert.deepEqual(missing, [], 'x86_64 names the table does not classify');
    const groups = groupByKind(names);
    assert.equal(groups.reduce((s, g) => s + g.names.length, 0), new Set(names).size, 'no name counted twice or lost');
    for (const k of SYSCALL_KINDS) assert.ok(groups.find((g) => g.kind === k)!.names.length > 0, `kind ${k} is not empty on x86_64`);
  });

  it('i386, arm and aarch64 names are classified directly or through their base name, never misc by accident', () => {
    for (const arch of ['x86', 'arm', 'aarch64']) {
      const unplaced = syscallTable(arch).map((e) => e.name).filter((n) => !classifiedNames().has(n) && kindOf(n) === 'misc');
      assert.deepEqual(unplaced, [], `${arch} names that fall to misc unclassified`);
    }
  });
});
