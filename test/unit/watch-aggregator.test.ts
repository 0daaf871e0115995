import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Aggregator, MAX_DISTINCT } from '../../src/watch/aggregator.js';
import { renderProposal, sameContent } from '../../src/watch/render-proposal.js';
import type { SeccompEvent } from '../../parsers/types.js';
import { parseProfile } from '../../src/profile/schema.js';
import { Proposal } from '../../src/profile/proposal.js';

const subject = { id: 'abcdef012345', container: { id: 'c1', runtime: 'runc' }, profilePath: '/etc/p.json' };
const ev = (syscallName: string | undefined, time: string, o: Partial<SeccompEvent> = {}): SeccompEvent => ({
  time, serial: 1, pid: 7, comm: 'uname', exe: '/bin/busybox', arch: 'x86_64', syscall: 63, syscallName, compat: false, action: 'log', code: '0x7ffc0000', ...o,
});
const profile = parseProfile(JSON.stringify({
  defaultAction: 'SCMP_ACT_LOG',
  syscalls: [
    { names: ['read', 'write', 'exit_group'], action: 'SCMP_ACT_ALLOW' },
    { names: ['ptrace'], action: 'SCMP_ACT_ERRNO' },
  ],
}), 'test');
const now = { profile, sha256: 'a'.repeat(64) };
const never = () => false;

test('counts, bounds and distinct evidence per (arch, syscall)', () => {
  const a = new Aggregator();
  a.add(subject, ev('uname', '2026-01-01T00:00:02.000Z'));
  a.add(subject, ev('uname', '2026-01-01T00:00:01.000Z', { comm: 'sh' }));
  a.add(subject, ev('uname', '2026-01-01T00:00:03.000Z', { action: 'kill_process' }));
  for (let i = 0; i < 50; i++) a.add(subject, ev('getpid', '2026-01-01T00:00:04.000Z', { syscall: 39, comm: `c${i}` }));
  const s = a.get(subject.id)!;
  const u = s.tallies['x86_64/uname']!;
  assert.equal(u.count, 3);
  assert.equal(u.firstSeen, '2026-01-01T00:00:01.000Z');
  assert.equal(u.lastSeen, '2026-01-01T00:00:03.000Z');
  assert.deepEqual(u.comm, ['uname', 'sh']);
  assert.deepEqual(u.actions, ['log', 'kill_process']);
  assert.equal(s.tallies['x86_64/getpid']!.count, 50);
  assert.equal(s.tallies['x86_64/getpid']!.comm.length, MAX_DISTINCT);
  assert.deepEqual(a.takeDirty(), [subject.id]);
  assert.deepEqual(a.takeDirty(), []);
});

test('snapshot round-trips through JSON', () => {
  const a = new Aggregator();
  a.add(subject, ev('uname', '2026-01-01T00:00:02.000Z'));
  const b = new Aggregator(JSON.parse(JSON.stringify(a.snapshot())));
  assert.deepEqual(b.snapshot(), a.snapshot());
});

test('render: proposes only what the default action denied; blocked-by-rule reported; risk noted', () => {
  const a = new Aggregator();
  a.add(subject, ev('uname', '2026-01-01T00:00:02.000Z'));
  a.add(subject, ev('read', '2026-01-01T00:00:02.000Z', { syscall: 0 }));
  a.add(subject, ev('ptrace', '2026-01-01T00:00:02.000Z', { syscall: 101 }));
  a.add(subject, ev('bpf', '2026-01-01T00:00:02.000Z', { syscall: 321 }));
  a.add(subject, ev(undefined, '2026-01-01T00:00:02.000Z', { syscall: 999 }));
  const r = renderProposal(a.get(subject.id)!, now, undefined, never, '2026-01-01T00:00:05.000Z')!;
  assert.ok(Proposal.safeParse(r.proposal).success);
  assert.deepEqual(r.proposal.add.map((x) => x.syscall), ['bpf', 'uname']);
  assert.equal(r.proposal.add[0]!.risk?.level, 'high');
  assert.deepEqual(r.proposal.blockedByRule.map((x) => [x.syscall, x.action, x.count]), [['ptrace', 'SCMP_ACT_ERRNO', 1]]);
  assert.deepEqual(r.unnamed, ['x86_64/unknown (1)']);
  assert.deepEqual(r.proposal.patch, [{ op: 'add', path: '/syscalls/0/names/-', value: 'bpf' }, { op: 'add', path: '/syscalls/0/names/-', value: 'uname' }]);
  assert.equal(r.proposal.status, 'open');
});

test('render: rejected syscalls are not proposed again', () => {
  const a = new Aggregator();
  a.add(subject, ev('uname', '2026-01-01T00:00:02.000Z'));
  a.add(subject, ev('getpid', '2026-01-01T00:00:02.000Z', { syscall: 39 }));
  const r = renderProposal(a.get(subject.id)!, now, undefined, (_p, _a, s) => s === 'uname', 'x')!;
  assert.deepEqual(r.proposal.add.map((x) => x.syscall), ['getpid']);
});

test('render: nothing to say gives no proposal', () => {
  const a = new Aggregator();
  a.add(subject, ev('read', '2026-01-01T00:00:02.000Z', { syscall: 0 }));
  assert.equal(renderProposal(a.get(subject.id)!, now, undefined, never, 'x'), undefined);
});

test('render: an applied proposal stays applied once the profile allows everything, reopens on news', () => {
  const a = new Aggregator();
  a.add(subject, ev('uname', '2026-01-01T00:00:02.000Z'));
  const first = renderProposal(a.get(subject.id)!, now, undefined, never, 't1')!.proposal;
  const applied = { ...first, status: 'applied' as const, appliedAt: 't2' };
  const after = { profile: parseProfile(JSON.stringify({ defaultAction: 'SCMP_ACT_LOG', syscalls: [{ names: ['read', 'uname'], action: 'SCMP_ACT_ALLOW' }] }), 't'), sha256: 'b'.repeat(64) };
  const r1 = renderProposal(a.get(subject.id)!, after, applied, never, 't3')!.proposal;
  assert.equal(r1.status, 'applied');
  assert.equal(r1.createdAt, 't1');
  assert.deepEqual(r1.add, []);
  a.add(subject, ev('getpid', '2026-01-01T00:00:09.000Z', { syscall: 39 }));
  const r2 = renderProposal(a.get(subject.id)!, after, r1, never, 't4')!.proposal;
  assert.equal(r2.status, 'open');
  assert.equal(r2.appliedAt, undefined);
  assert.deepEqual(r2.add.map((x) => x.syscall), ['getpid']);
  assert.ok(!sameContent(r1, r2));
  assert.ok(sameContent(r2, { ...r2, updatedAt: 'later' }));
});
