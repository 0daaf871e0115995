// The engine defaults' argument limits (data) against podman's installed default profile and
// against recorded profiles; the comparison's reading of rules against libseccomp's filter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { ENGINE_ARG_LIMITS, compareWithDefaults, permitsCall, argRestrictedNames } from '../../src/profile/engine-defaults.js';
import { parseProfile, type SeccompProfile } from '../../src/profile/schema.js';
import { buildRecordedProfile } from '../../src/record/profile-builder.js';
import { architectures, compileProfile, syscallNumber } from '../../src/native/libseccomp.js';
import { runSeccompFilter, SECCOMP_RET_ALLOW } from '../helpers/bpf-eval.js';
import { toProfileLike } from '../../src/profile/libseccomp-view.js';
import { profileStats, formatStats } from '../../src/profile/stats.js';
import type { ArgFact } from '../../src/record/arg-facts.js';

const PODMAN = '/usr/share/containers/seccomp.json';
const nr = (name: string) => syscallNumber('x86_64', name)!;
const count = (name: string) => ({ phase: 2 as const, arch: 'native' as const, nr: nr(name), count: 1, firstNs: 1n });
const fact = (syscall: ArgFact['syscall'], argIndexes: number[], values: bigint[][]): ArgFact => ({ phase: 2, arch: 'native', syscall, nr: nr(syscall), argIndexes, values, overflow: false });

const PROBE = (namesOnly: boolean) => parseProfile(buildRecordedProfile({
  counts: ['execve', 'exit_group', 'wait4', 'clone', 'personality', 'socket'].map(count), runtimeNeeds: [], namesOnly,
  argFacts: [fact('clone', [0], [[0x11n]]), fact('personality', [0], [[0xffffffffn]]), fact('socket', [0, 2], [[1n, 0n], [2n, 0n]])],
}).text, 'probe');

test('the podman limits in the data are the ones podman\'s installed default profile enforces', { skip: !existsSync(PODMAN) && `${PODMAN} not installed` }, () => {
  const podman = parseProfile(readFileSync(PODMAN, 'utf8'), PODMAN);
  for (const l of ENGINE_ARG_LIMITS.filter((x) => x.engines.includes('podman'))) {
    for (const c of l.refuses) {
      assert.equal(permitsCall(podman, l.syscall, c.args), false, `${l.syscall} ${c.what} refused without capabilities`);
      if (l.unlessCap) assert.equal(permitsCall(podman, l.syscall, c.args, new Set([l.unlessCap])), true, `${l.syscall} ${c.what} allowed with ${l.unlessCap}`);
    }
    if (Array.isArray(l.allows)) for (const rule of l.allows) {
      const args = [0n, 0n, 0n];
      for (const cond of rule) if (cond.op === 'SCMP_CMP_EQ') args[cond.index] = BigInt(cond.value);
      assert.equal(permitsCall(podman, l.syscall, args), true, `${l.syscall} ${args} allowed`);
    }
  }
  // podman allows clone, clone3 and unshare by name (rootless podman needs them): only Docker limits them.
  for (const n of ['clone', 'clone3', 'unshare']) assert.equal(permitsCall(podman, n, [0x10000000n]), true, n);
});

test('each limit\'s own rules refuse what it says it refuses', () => {
  for (const l of ENGINE_ARG_LIMITS) {
    const p = { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['exit_group'], action: 'SCMP_ACT_ALLOW' },
      ...(Array.isArray(l.allows) ? l.allows.map((args) => ({ names: [l.syscall], action: 'SCMP_ACT_ALLOW', args })) : [])] } as SeccompProfile;
    for (const c of l.refuses) assert.equal(permitsCall(p, l.syscall, c.args), false, `${l.syscall} ${c.what}`);
  }
});

test('a recorded profile is as strict as every default; names only is looser on clone, personality and socket', () => {
  const rec = compareWithDefaults(PROBE(false));
  assert.deepEqual(Object.fromEntries(rec.map((r) => [r.syscall, r.verdict])),
    { clone: 'as strict', clone3: 'not allowed', unshare: 'not allowed', setns: 'not allowed', personality: 'as strict', socket: 'as strict' });
  const names = compareWithDefaults(PROBE(true));
  const looser = Object.fromEntries(names.filter((r) => r.verdict === 'looser').map((r) => [r.syscall, r.allows]));
  assert.deepEqual(Object.keys(looser).sort(), ['clone', 'personality', 'socket']);
  assert.ok(looser.clone!.includes('CLONE_NEWUSER'));
  assert.deepEqual(looser.socket, ['AF_NETLINK NETLINK_AUDIT']);
  assert.deepEqual(argRestrictedNames(PROBE(false)), ['clone', 'personality', 'socket']);
  assert.deepEqual(argRestrictedNames(PROBE(true)), []);
});

test('the comparison reads rules as libseccomp\'s compiled filter does (every refused call, x86_64)', () => {
  const audit = architectures().find((a) => a.name === 'x86_64')!.auditArch;
  for (const p of [PROBE(false), PROBE(true)]) {
    const { bpf } = compileProfile(toProfileLike(p));
    for (const l of ENGINE_ARG_LIMITS) for (const c of l.refuses) {
      const ours = permitsCall(p, l.syscall, c.args);
      const kernel = runSeccompFilter(bpf, { nr: nr(l.syscall), arch: audit, args: c.args }) === SECCOMP_RET_ALLOW;
      assert.equal(ours, kernel, `${l.syscall} ${c.what}`);
    }
  }
});

test('profile stats: "argument rules: N syscalls restricted", the rules, and the comparison', () => {
  const catalog = { names: () => ['clone', 'execve', 'exit_group', 'personality', 'socket', 'wait4'] };
  const text = formatStats(profileStats(PROBE(false), { catalog, nativeArch: 'x86_64' }), 'probe.json');
  assert.match(text, /^argument rules: 3 syscalls restricted \(clone, personality, socket\)$/m);
  assert.match(text, /^ {2}clone: allow if arg0 has no flag \(any exit signal\)$/m);
  assert.match(text, /^ {2}personality: allow if arg0 == query \(0xffffffff\)$/m);
  assert.match(text, /^ {2}socket: allow if arg0 == AF_UNIX \(0x1\)$/m);
  assert.match(text, /^ {2}socket {6}as strict \(default, docker, podman without CAP_AUDIT_WRITE: no AF_NETLINK NETLINK_AUDIT/m);
  const loose = formatStats(profileStats(PROBE(true), { catalog, nativeArch: 'x86_64' }), 'probe.json');
  assert.match(loose, /^argument rules: 0 syscalls restricted$/m);
  assert.match(loose, /^ {2}clone {7}looser: allows CLONE_NEWNS, .*CLONE_NEWUSER/m);
});
