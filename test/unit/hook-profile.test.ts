import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRecordedProfile, mergeWithBaseline } from '../../src/record/profile-builder.js';
import { parseProfile, serializeProfile } from '../../src/profile/schema.js';
import { runtimeNeedsFor, type RuntimeNeedsTable } from '../../src/record/runtime-needs.js';
import { parseOciState } from '../../src/oci/state.js';
import { syscallNumber } from '../../src/native/libseccomp.js';
import type { SyscallCount } from '../../src/record/tracer.js';

const nr = (arch: string, name: string) => syscallNumber(arch, name)!;
const count = (phase: 0 | 1 | 2, arch: 'native' | 'compat', n: number): SyscallCount => ({ phase, arch, nr: n, firstNs: 1n });

test('phases: set-up left out, workload exact, runtime phase within the table, compat named with i386 table', () => {
  const counts = [
    count(0, 'native', nr('x86_64', 'mount')),
    count(0, 'native', nr('x86_64', 'pivot_root')),
    count(1, 'native', nr('x86_64', 'execve')),
    count(2, 'native', nr('x86_64', 'getdents64')),
    count(2, 'native', nr('x86_64', 'write')),
    // i386 nr 122 is uname; x86_64 nr 122 is setfsuid.
    count(2, 'compat', 122),
  ];
  const b = buildRecordedProfile({ counts, runtimeNeeds: ['execve', 'futex'] });
  assert.deepEqual(b.names, ['execve', 'futex', 'getdents64', 'uname', 'write']);
  assert.deepEqual(b.unexpectedRuntimeCalls, []);
  const p = JSON.parse(b.text);
  assert.deepEqual(p.architectures, ['SCMP_ARCH_X86', 'SCMP_ARCH_X86_64']);
  assert.equal(p.defaultAction, 'SCMP_ACT_ERRNO');
  // Byte-identical to the canonical serializer the rest of the tool uses.
  assert.equal(b.text, serializeProfile(parseProfile(b.text, 'x')));
});

test('a runtime call outside the measured table is added and reported', () => {
  const b = buildRecordedProfile({ counts: [count(1, 'native', nr('x86_64', 'sched_yield')), count(2, 'native', nr('x86_64', 'read'))], runtimeNeeds: ['execve'] });
  assert.deepEqual(b.unexpectedRuntimeCalls, ['sched_yield']);
  assert.ok(b.names.includes('sched_yield'));
});

test('if: merge keeps what the baseline blocks blocked and its fields', async () => {
  const base = JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38, architectures: ['SCMP_ARCH_X86_64'],
    syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }, { names: ['write'], action: 'SCMP_ACT_KILL' }] });
  const rec = buildRecordedProfile({ counts: [count(2, 'native', nr('x86_64', 'write')), count(2, 'native', nr('x86_64', 'getpid'))], runtimeNeeds: [] });
  const m = JSON.parse((await mergeWithBaseline(rec.text, base, 'base.json')).text);
  assert.equal(m.defaultErrnoRet, 38);
  const allowed = m.syscalls.filter((r: { action: string }) => r.action === 'SCMP_ACT_ALLOW').flatMap((r: { names: string[] }) => r.names);
  assert.deepEqual(allowed.sort(), ['getpid', 'read']);
  assert.ok(m.syscalls.some((r: { action: string; names: string[] }) => r.action === 'SCMP_ACT_KILL' && r.names.includes('write')));
});

test('runtime needs: exact version, else same runtime with a warning, else all known', () => {
  const t = (runtime: string, version: string, names: string[]): RuntimeNeedsTable =>
    ({ runtime, version, arch: 'x86_64', runs: 1, measuredAt: '', noNewPrivileges: { true: names.slice(0, 1), false: names } });
  const tables = [t('runc', '1.1.5', ['execve', 'futex']), t('crun', '1.8.1', ['execve', 'capset'])];
  assert.deepEqual(runtimeNeedsFor('runc', '1.1.5', 'x86_64', tables), { names: ['execve', 'futex'], source: 'runc 1.1.5' });
  const other = runtimeNeedsFor('runc', '1.2.0', 'x86_64', tables);
  assert.deepEqual(other.names, ['execve', 'futex']);
  assert.match(other.warning!, /no runtime-needs table for runc 1\.2\.0/);
  const unknown = runtimeNeedsFor('youki', '0.1', 'x86_64', tables);
  assert.deepEqual(unknown.names, ['capset', 'execve', 'futex']);
  assert.match(unknown.warning!, /union of all known/);
});

test('the shipped tables are sorted, measured, and include execve (the exec boundary runs under the filter)', async () => {
  const { loadRuntimeNeedsTables } = await import('../../src/record/runtime-needs.js');
  const tables = loadRuntimeNeedsTables();
  assert.ok(tables.some((x) => x.runtime === 'runc') && tables.some((x) => x.runtime === 'crun'));
  for (const x of tables) for (const names of [x.noNewPrivileges.true, x.noNewPrivileges.false]) {
    assert.deepEqual(names, [...names].sort());
    assert.ok(names.includes('execve'));
    assert.ok(!names.includes('mount') && !names.includes('pivot_root'), 'set-up is not a post-filter need');
  }
});

test('OCI state: accepted, and bad ids, pids, bundles rejected in one line', () => {
  const s = parseOciState(JSON.stringify({ ociVersion: '1.0.2', id: 'abc', status: 'creating', pid: 42, bundle: '/b', annotations: { a: 'b', n: 1 } }));
  assert.deepEqual(s, { ociVersion: '1.0.2', id: 'abc', status: 'creating', pid: 42, bundle: '/b', annotations: { a: 'b' } });
  for (const [bad, re] of [
    [{ id: '../x', status: 's', bundle: '/b' }, /container id/],
    [{ id: '.hidden', status: 's', bundle: '/b' }, /container id/],
    [{ id: 'a', status: 's', bundle: 'rel' }, /absolute/],
    [{ id: 'a', status: 's', bundle: '/b', pid: -1 }, /pid/],
    [{ id: 'a', bundle: '/b' }, /status/],
  ] as const) assert.throws(() => parseOciState(JSON.stringify(bad)), re);
  assert.throws(() => parseOciState('{'), /not JSON/);
});

test('accumulating two measurements unites names and adds runs and counts', async () => {
  const { accumulateNeeds } = await import('../../src/record/runtime-needs.js');
  const m = (runs: number, t: string[], f: Record<string, number>) =>
    ({ runtime: 'runc', version: '1.1.5', arch: 'x86_64', runs, measuredAt: 'd', noNewPrivileges: { true: t, false: t }, frequency: { true: f, false: f } });
  const sum = accumulateNeeds(m(60, ['execve', 'futex'], { execve: 60, futex: 44 }), m(100, ['execve', 'tgkill'], { execve: 100, tgkill: 3 }));
  assert.equal(sum.runs, 160);
  assert.deepEqual(sum.noNewPrivileges.true, ['execve', 'futex', 'tgkill']);
  assert.deepEqual(sum.frequency.true, { execve: 160, futex: 44, tgkill: 3 });
  assert.throws(() => accumulateNeeds(m(1, [], {}), { ...m(1, [], {}), version: '1.2.0' }), /cannot merge/);
});

test('real OCI states from podman and runc parse, and their stage and engine are told apart', async () => {
  const { readFileSync } = await import('node:fs');
  const { packagePath } = await import('../../src/native/package-root.js');
  const { engineOf } = await import('../../src/record/container-facts.js');
  const { parseTraceAnnotation, TRACE_ANNOTATION } = await import('../../src/oci/annotation.js');
  const load = (n: string) => parseOciState(readFileSync(packagePath('samples', 'oci-state', `${n}.json`), 'utf8'));
  const pre = load('podman-prestart');
  assert.equal(pre.status, 'creating');
  assert.ok(pre.pid);
  assert.equal(engineOf(pre.annotations), 'podman');
  assert.deepEqual(parseTraceAnnotation(pre.annotations[TRACE_ANNOTATION]!), { output: '/tmp/ls.json' });
  const post = load('podman-poststop');
  assert.equal(post.status, 'stopped');
  assert.equal(post.pid, undefined);
  assert.equal(post.id, pre.id);
  assert.equal(load('runc-prestart').status, 'creating');
  assert.equal(load('runc-poststop').status, 'stopped');
  assert.equal(engineOf(load('runc-prestart').annotations), undefined);
});
