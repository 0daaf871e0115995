// shadowDenials against libseccomp: the same profile is compiled by libseccomp (as runc builds it)
// and its filter run on the same syscall and arguments (test/helpers/bpf-eval.ts); the evaluator
// must give the filter's answer, action and errno included, for generated profiles and calls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decide, shadowDenials, shadowEvaluate } from '../../src/shadow/evaluate.js';
import type { ObservedCall } from '../../src/shadow/types.js';
import { checkProfile, type SeccompAction, type SeccompProfile } from '../../src/profile/schema.js';
import { architectures, compileProfile, nativeArch, syscallNumber } from '../../src/native/libseccomp.js';
import { toProfileLike } from '../../src/profile/libseccomp-view.js';
import { runSeccompFilter } from '../helpers/bpf-eval.js';

const AUDIT = new Map(architectures().map((a) => [a.name, a.auditArch]));
const NATIVE = nativeArch();

/** The filter return value for a decided action (what libseccomp puts in the BPF RET). */
function retOf(action: SeccompAction, errno: number | undefined): number {
  switch (action) {
    case 'SCMP_ACT_ALLOW': return 0x7fff0000;
    case 'SCMP_ACT_LOG': return 0x7ffc0000;
    case 'SCMP_ACT_ERRNO': return (0x00050000 | (errno ?? 1)) >>> 0;
    case 'SCMP_ACT_TRACE': return (0x7ff00000 | (errno ?? 1)) >>> 0;
    case 'SCMP_ACT_TRAP': return 0x00030000;
    case 'SCMP_ACT_KILL': case 'SCMP_ACT_KILL_THREAD': return 0;
    case 'SCMP_ACT_KILL_PROCESS': return 0x80000000;
    case 'SCMP_ACT_NOTIFY': return 0x7fc00000;
  }
}

function filterRet(bpf: Buffer, arch: string, name: string, args: bigint[]): number {
  const nr = syscallNumber(arch, name);
  assert.ok(nr !== undefined, `${name} on ${arch}`);
  return runSeccompFilter(bpf, { nr, arch: AUDIT.get(arch)!, args });
}

function evaluatorRet(p: SeccompProfile, arch: string, name: string, args: bigint[]): number {
  const d = decide(p, arch, name, new Map(args.map((v, i) => [i, v])), { nativeArch: NATIVE });
  assert.ok(d.decided, 'every argument is known');
  return retOf(d.action, d.errnoRet);
}

// Values around the edges the comparisons care about: 0, small enums, the 32-bit boundary, the
// upper half set (a sign-extended int), and the largest value a JSON profile can hold.
const edgy = fc.oneof(
  fc.constantFrom(0n, 1n, 2n, 3n, 10n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 0x1fffffffffffffn),
  fc.bigInt({ min: 0n, max: 16n }),
  fc.bigInt({ min: 0n, max: 0x1fffffffffffffn }),
);
const argValue = fc.oneof(edgy, fc.constantFrom(0xffffffff00000002n, 0xffffffffffffffffn, 0x100000002n), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }));
const OPS = ['SCMP_CMP_EQ', 'SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_GT', 'SCMP_CMP_GE', 'SCMP_CMP_MASKED_EQ'] as const;
const condition = fc.record({
  index: fc.integer({ min: 0, max: 2 }),
  op: fc.constantFrom(...OPS),
  value: edgy.map(Number),
  valueTwo: edgy.map(Number),
}).map((c) => (c.op === 'SCMP_CMP_MASKED_EQ' ? c : { index: c.index, op: c.op, value: c.value }));
const NAMES = ['personality', 'prctl', 'uname', 'getppid', 'setns'];
const action = fc.oneof(
  fc.constant({ action: 'SCMP_ACT_ALLOW' as const }),
  fc.constant({ action: 'SCMP_ACT_LOG' as const }),
  fc.constant({ action: 'SCMP_ACT_KILL_PROCESS' as const }),
  fc.constantFrom(1, 13, 38).map((e) => ({ action: 'SCMP_ACT_ERRNO' as const, errnoRet: e })),
);
// One name's rules share one action, and take the shapes profiles have: one rule with any
// conditions, or several rules testing the same arguments for equality (socket domains, prctl
// options, ioctl requests). libseccomp 2.5 builds a decision tree that never backtracks: when a
// condition of one rule holds and a later one fails, a sibling rule that would also match is not
// tried, so for overlapping rules of other shapes its filter answers differently from the rules'
// OR-of-ANDs (and from the OCI spec); the evaluator reads the rules as written. The same holds for
// a rule runc splits (two conditions on one argument) into siblings with different operators.
type Cond = { index: number; op: typeof OPS[number]; value: number; valueTwo?: number };
const eqRules = fc.record({
  indexes: fc.subarray([0, 1, 2], { minLength: 1, maxLength: 2 }),
  values: fc.array(fc.array(fc.constantFrom(0, 1, 2, 16, 0xffffffff), { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 3 }),
}).map(({ indexes, values }) => values.map((vs) => indexes.map((index, k) => ({ index, op: 'SCMP_CMP_EQ' as const, value: vs[k]! }))));
const nameRules = fc.record({
  names: fc.subarray(NAMES, { minLength: 1, maxLength: 2 }),
  act: action,
  conds: fc.oneof(fc.uniqueArray(condition, { maxLength: 3, selector: (c) => c.index }).map((c) => [c] as Cond[][]), eqRules.map((r) => r as Cond[][])),
  plain: fc.boolean(),
}).map(({ names, act, conds, plain }) => [
  ...conds.map((c) => ({ names, ...act, ...(c.length ? { args: c } : {}) })),
  // Sometimes an unconditional rule of another action too: it makes the conditional ones moot.
  ...(plain ? [{ names, action: 'SCMP_ACT_ALLOW' as const }] : []),
]);
const profile = fc.record({
  def: fc.oneof(fc.constant({ defaultAction: 'SCMP_ACT_ALLOW' as const }), fc.constant({ defaultAction: 'SCMP_ACT_LOG' as const }), fc.constant({ defaultAction: 'SCMP_ACT_KILL_PROCESS' as const }), fc.constantFrom(1, 38).map((e) => ({ defaultAction: 'SCMP_ACT_ERRNO' as const, defaultErrnoRet: e }))),
  groups: fc.array(nameRules, { maxLength: 3 }),
  x86: fc.boolean(),
}).map(({ def, groups, x86 }) => {
  // Names appear in one group only (see above), and exit_group is always allowed (schema).
  const used = new Set<string>();
  const rules = groups.map((g) => {
    const names = g[0]!.names.filter((n: string) => !used.has(n));
    names.forEach((n: string) => used.add(n));
    return g.map((r) => ({ ...r, names }));
  }).flat().filter((r) => r.names.length > 0);
  return checkProfile({ ...def, ...(x86 ? { architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'] } : {}), syscalls: [{ names: ['exit_group'], action: 'SCMP_ACT_ALLOW' }, ...rules] }, 'generated');
});

test('the evaluator gives libseccomp filter\'s answer (action and errno) for generated profiles and calls', () => {
  let compiled = 0;
  fc.assert(
    fc.property(profile, fc.constantFrom(...NAMES), fc.array(argValue, { minLength: 3, maxLength: 3 }), fc.boolean(), (p, name, args, onX86) => {
      let bpf: Buffer;
      try {
        bpf = compileProfile(toProfileLike(p)).bpf;
      } catch {
        return; // libseccomp refused the profile: runc would not start the container either
      }
      compiled++;
      const arch = onX86 && p.architectures ? 'x86' : NATIVE;
      // A 32-bit arch passes 32-bit registers: the kernel zero-extends them into seccomp_data.
      const a = arch === 'x86' ? args.map((v) => v & 0xffffffffn) : args;
      assert.equal(evaluatorRet(p, arch, name, a).toString(16), filterRet(bpf, arch, name, a).toString(16), JSON.stringify({ arch, name, args: a.map(String) }));
    }),
    { numRuns: 3000 },
  );
  assert.ok(compiled > 1500, `libseccomp compiled most generated profiles (${compiled})`);
});

// The issue's workload against a profile that lacks uname and getppid and allows socket for AF_INET only.
const ISSUE_PROFILE = checkProfile({
  defaultAction: 'SCMP_ACT_ERRNO',
  syscalls: [
    { names: ['exit_group', 'write'], action: 'SCMP_ACT_ALLOW' },
    { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 2, op: 'SCMP_CMP_EQ' }] },
  ],
}, 'issue');
const seen = (name: string, extra: Partial<ObservedCall> = {}): ObservedCall => ({ arch: NATIVE, name, nr: syscallNumber(NATIVE, name)!, firstSeenMs: 1000, lastSeenMs: 2000, ...extra });

test('the issue workload: uname and getppid by name, socket(AF_UNIX) by argument, socket(AF_INET) and write not at all', () => {
  const { denials, undecided } = shadowEvaluate(ISSUE_PROFILE, [
    seen('uname', { count: 1 }), seen('getppid', { count: 100_000 }), seen('write'),
    seen('socket', { args: { indexes: [0, 2], tuples: [[2n, 0n], [1n, 0n]], overflow: false } }),
  ], { nativeArch: NATIVE });
  assert.deepEqual(undecided, []);
  assert.deepEqual(denials.map((d) => [d.name, d.reason, d.count, d.tuple?.map((t) => `${t.index}=${t.value}`).join(',')]), [
    ['uname', 'name', 1, undefined], ['getppid', 'name', 100_000, undefined], ['socket', 'argument', undefined, '0=1,2=0'],
  ]);
  assert.equal(denials[0]!.lastSeenMs, 2000);
});

test('what cannot be decided is said, not dropped: no tuples, an overflowed set, an argument not kept', () => {
  const { denials, undecided } = shadowEvaluate(ISSUE_PROFILE, [
    seen('socket'),
    seen('socket', { args: { indexes: [0, 2], tuples: [[2n, 0n]], overflow: true } }),
  ], { nativeArch: NATIVE });
  assert.deepEqual(denials, []);
  assert.equal(undecided.length, 2);
  assert.match(undecided[1]!.why, /more distinct arguments/);
  const onArg1 = checkProfile({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 1, value: 1, op: 'SCMP_CMP_EQ' }] }] }, 'x');
  const r = shadowEvaluate(onArg1, [seen('socket', { args: { indexes: [0, 2], tuples: [[2n, 0n]], overflow: false } })], { nativeArch: NATIVE });
  assert.match(r.undecided[0]!.why, /tests arg1/);
});

test('an arch the profile does not list is denied (the bad-arch action); the native one always counts', () => {
  const p = checkProfile({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['uname'], action: 'SCMP_ACT_ALLOW' }] }, 'x');
  assert.deepEqual(shadowDenials(p, [seen('uname')], { nativeArch: NATIVE }), []);
  const other = NATIVE === 'x86_64' ? 'x86' : 'x86_64';
  assert.deepEqual(shadowDenials(p, [{ ...seen('uname'), arch: other }], { nativeArch: NATIVE }).map((d) => d.reason), ['name']);
});
