// Argument rules end to end: a probe whose syscall arguments are known is recorded through the
// hook under runc (real eBPF capture), the recorded profile replays its recorded mode clean, and
// refuses (EPERM, from the kernel's seccomp) every dangerous variant of the same syscalls; each
// refusal is also what libseccomp's own compiled filter answers for the probe's arguments.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRoot, makeHookEnv, type HookEnv } from '../helpers/hook-env.js';
import { makeBundle } from '../helpers/oci-bundle.js';
import { compatEntrySkip } from '../helpers/known-syscalls.js';
import { packagePath } from '../../src/native/package-root.js';
import { TracerTarget } from '../../src/record/tracer.js';
import { parseProfile, type SeccompProfile } from '../../src/profile/schema.js';
import { argRestrictedNames, compareWithDefaults } from '../../src/profile/engine-defaults.js';
import { architectures, compileProfile, syscallNumber } from '../../src/native/libseccomp.js';
import { describeRet, runSeccompFilter } from '../helpers/bpf-eval.js';
import { toProfileLike } from '../../src/profile/libseccomp-view.js';

const hasCapture = typeof (TracerTarget.prototype as { argFacts?: unknown }).argFacts === 'function';
const skip = !isRoot ? 'needs root (eBPF, runc)' : !hasCapture ? 'the tracer has no argument capture (TracerTarget.argFacts)' : false;

function buildProbe(): string {
  const out = join(mkdtempSync(join(tmpdir(), 'st-probe-')), 'arg-probe');
  execFileSync('cc', ['-static', '-nostdlib', '-O1', '-o', out, packagePath('test', 'fixtures', 'arg-rules-probe.c')]);
  return out;
}

const EPERM = 1;
// What each refused mode calls: [arch, syscall, args], as the probe's source says.
const REFUSED: Record<string, [string, string, bigint[]]> = {
  newuser: ['x86_64', 'clone', [0x10000000n | 17n, 0n, 0n, 0n, 0n]],
  newnet: ['x86_64', 'unshare', [0x40000000n]],
  rie: ['x86_64', 'personality', [0x400000n]],
  audit: ['x86_64', 'socket', [16n, 3n, 9n]],
  vsock: ['x86_64', 'socket', [40n, 1n, 0n]],
};

/** libseccomp's compiled filter's answer for one call. */
function filterSays(p: SeccompProfile, arch: string, name: string, args: bigint[]): string {
  const { bpf } = compileProfile(toProfileLike(p));
  const audit = architectures().find((a) => a.name === arch)!.auditArch;
  return describeRet(runSeccompFilter(bpf, { nr: syscallNumber(arch, name)!, arch: audit, args }));
}

describe('argument rules: the probe recorded through the hook under runc', { skip }, () => {
  let env: HookEnv;
  let probe: string;
  const ids = new Set<string>();
  /** One bundle per id, with the probe in its rootfs; runs of the same id reuse it. */
  const run = (id: string, mode: string, o: { trace?: string; profile?: string; noNewPrivileges?: boolean; extraCaps?: string[] } = {}) => {
    const full = `st-args-${process.pid}-${id}`;
    if (!ids.has(full)) {
      const dir = join(env.work, 'bundles', full);
      makeBundle(dir, { args: ['/bin/arg-probe'] });
      copyFileSync(probe, join(dir, 'rootfs', 'bin', 'arg-probe'));
      chmodSync(join(dir, 'rootfs', 'bin', 'arg-probe'), 0o755);
      ids.add(full);
    }
    return env.run('runc', { id: full, args: ['/bin/arg-probe', mode], ...o });
  };
  const record = (id: string, mode: string, file: string) => {
    const r = run(id, mode, { trace: `of:${join(env.out, file)}` });
    assert.equal(r.status, 0, `recording ${mode}: ${r.stderr}`);
    return parseProfile(readFileSync(join(env.out, file), 'utf8'), file);
  };

  before(() => {
    env = makeHookEnv('args');
    probe = buildProbe();
  });
  after(() => env.cleanup());

  test('the recorded mode: clone, personality and socket get argument rules, as strict as every engine default', () => {
    const p = record('ok', 'ok', 'ok.json');
    const restricted = argRestrictedNames(p);
    for (const n of ['clone', 'personality', 'socket']) assert.ok(restricted.includes(n), `${n} restricted (got ${restricted.join(', ')})`);
    assert.ok(!JSON.stringify(p).includes('"unshare"'), 'unshare was never called');
    for (const c of compareWithDefaults(p)) assert.notEqual(c.verdict, 'looser', `${c.syscall}: ${c.allows.join(', ')}`);
  });

  test('it replays clean (noNewPrivileges true and false)', () => {
    for (const noNewPrivileges of [true, false]) {
      const r = run('ok', 'ok', { profile: join(env.out, 'ok.json'), noNewPrivileges });
      assert.equal(r.status, 0, `nnp=${noNewPrivileges}: ${r.stderr}`);
    }
  });

  test('every other mode is refused with EPERM, and libseccomp\'s compiled filter refuses the same call', () => {
    const p = parseProfile(readFileSync(join(env.out, 'ok.json'), 'utf8'), 'ok.json');
    for (const [mode, [arch, name, args]] of Object.entries(REFUSED)) {
      // CAP_SYS_ADMIN, so the kernel itself would let unshare(CLONE_NEWNET) through: the refusal is the filter's.
      const r = run('ok', mode, { profile: join(env.out, 'ok.json'), extraCaps: ['CAP_SYS_ADMIN'] });
      assert.equal(r.status, EPERM, `${mode}: exit ${r.status} ${r.stderr}`);
      assert.equal(filterSays(p, arch, name, args), `errno ${EPERM}`, `${mode}: libseccomp's filter`);
    }
  });

  test('control: a names-only recording lets the same calls through (the refusals above are the argument rules\')', () => {
    env.setConfig({ namesOnly: true });
    try {
      const p = record('ok', 'ok', 'names-only.json');
      assert.deepEqual(argRestrictedNames(p), []);
      for (const mode of ['newuser', 'rie', 'audit']) {
        const r = run('ok', mode, { profile: join(env.out, 'names-only.json') });
        assert.equal(r.status, 0, `${mode} under names only: exit ${r.status} ${r.stderr}`);
      }
    } finally {
      env.setConfig({});
    }
  });

  test('multi-threaded: the thread\'s clone flags and the fork\'s are both allowed; namespaces still refused', () => {
    const p = record('threads', 'threads', 'threads.json');
    assert.ok(argRestrictedNames(p).includes('clone'));
    assert.equal(run('threads', 'threads', { profile: join(env.out, 'threads.json') }).status, 0);
    assert.equal(run('threads', 'newuser', { profile: join(env.out, 'threads.json') }).status, EPERM);
    assert.equal(filterSays(p, 'x86_64', 'clone', [0x50f00n]), 'allow', 'the thread flags');
  });

  test('compat (int $0x80): i386 numbers recorded on their arch; the rule holds on both arches', { skip: compatEntrySkip() }, () => {
    const p = record('compat', 'compat', 'compat.json');
    assert.ok((p.architectures ?? []).includes('SCMP_ARCH_X86'), 'x86 listed');
    assert.ok(argRestrictedNames(p).includes('personality'));
    assert.equal(run('compat', 'compat', { profile: join(env.out, 'compat.json') }).status, 0);
    assert.equal(run('compat', 'rie32', { profile: join(env.out, 'compat.json') }).status, EPERM);
    assert.equal(filterSays(p, 'x86', 'personality', [0x400000n]), `errno ${EPERM}`);
    assert.equal(filterSays(p, 'x86', 'personality', [0xffffffffn]), 'allow');
  });

  test('20 recordings give one profile, arguments included', () => {
    const texts = new Set<string>();
    for (let i = 0; i < 20; i++) {
      record('ok', 'ok', `det-${i}.json`);
      texts.add(readFileSync(join(env.out, `det-${i}.json`), 'utf8'));
    }
    assert.equal(texts.size, 1, [...texts].join('\n---\n'));
    assert.ok(existsSync(join(env.out, 'det-19.json')));
  });
});
