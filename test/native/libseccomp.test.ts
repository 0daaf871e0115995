// libseccomp-napi through its TypeScript wrapper. Needs the built addon, not root.
// Independent witnesses: the `scmp_sys_resolver` CLI (Debian package `seccomp`) and the kernel's own
// uapi headers (asm/unistd_*.h), so a bug in our scanning or canonicalisation cannot hide.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  architectures, archFromAuditValue, compileProfile, nativeArch, normalizeArch,
  syscallName, syscallNumber, syscallTable, type ProfileLike,
} from '../../src/native/libseccomp.js';
import { loadAddon } from '../../src/native/load-addon.js';
import { ProfileCompileError } from '../../src/errors.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const RESOLVER = '/usr/bin/scmp_sys_resolver';
const noResolver = existsSync(RESOLVER) ? false : 'scmp_sys_resolver missing: apt-get install seccomp';

/** One shell, one resolver run per query: `query<TAB>answer` lines. */
function resolveAll(arch: string, queries: Array<string | number>): Map<string, string> {
  const out = execFileSync('bash', ['-c', `for q in "$@"; do printf '%s\\t%s\\n' "$q" "$(${RESOLVER} -a ${arch} "$q")"; done`, 'resolve', ...queries.map(String)],
    { encoding: 'utf8', maxBuffer: 16 << 20 });
  return new Map(out.trimEnd().split('\n').map((l) => l.split('\t') as [string, string]));
}

describe('architectures', () => {
  it('knows every arch of libseccomp 2.5.4, with OCI tokens', () => {
    const names = architectures().map((a) => a.name);
    for (const n of ['x86_64', 'x86', 'x32', 'aarch64', 'arm', 'mips', 'mips64', 'mips64n32', 'mipsel', 'mipsel64',
      'mipsel64n32', 'ppc', 'ppc64', 'ppc64le', 's390', 's390x', 'parisc', 'parisc64', 'riscv64']) {
      assert.ok(names.includes(n), `missing ${n}`);
    }
    assert.equal(new Set(names).size, names.length);
    assert.equal(architectures().find((a) => a.name === 'x86_64')?.token, 'SCMP_ARCH_X86_64');
  });

  it('reports the audit arch values the kernel writes in audit records', () => {
    const auditValueOfArch = (name: string) => architectures().find((a) => a.name === name)?.auditArch;
    assert.equal(auditValueOfArch('x86_64'), 0xc000003e);
    assert.equal(auditValueOfArch('x86'), 0x40000003);
    // x32 runs under AUDIT_ARCH_X86_64 (its numbers carry 0x40000000); libseccomp's own
    // SCMP_ARCH_X32 token 0x4000003e never appears in a record.
    assert.equal(auditValueOfArch('x32'), 0xc000003e);
    assert.equal(auditValueOfArch('aarch64'), 0xc00000b7);
    assert.equal(auditValueOfArch('arm'), 0x40000028);
    assert.equal(auditValueOfArch('nope'), undefined);
    assert.equal(archFromAuditValue('c000003e'), 'x86_64');
    assert.equal(archFromAuditValue('0xC00000B7'), 'aarch64');
    assert.equal(archFromAuditValue(0x40000003), 'x86');
    assert.equal(archFromAuditValue(0x4000003e), undefined);
    assert.equal(archFromAuditValue('not-hex'), undefined);
  });

  it('round-trips every ArchInfo through name, token and audit value', () => {
    for (const a of architectures()) {
      assert.equal(normalizeArch(a.name), a.name);
      assert.equal(normalizeArch(a.token), a.name);
      const back = a.name === 'x32' ? 'x86_64' : a.name;
      assert.equal(archFromAuditValue(a.auditArch), back);
      assert.equal(archFromAuditValue(a.auditArch.toString(16).padStart(8, '0')), back);
      if (a.auditArch >= 0x10000000) assert.equal(normalizeArch(a.auditArch.toString(16)), back);
    }
  });

  it('normalizes the native arch and rejects unknown ones with UNKNOWN_ARCH', () => {
    if (process.arch === 'x64') assert.equal(nativeArch(), 'x86_64');
    assert.equal(normalizeArch('SCMP_ARCH_NATIVE'), nativeArch());
    for (const bad of ['', 'amd65', 'SCMP_ARCH_FOO', '12345678']) {
      assert.throws(() => normalizeArch(bad), (e: { code?: string }) => e.code === 'UNKNOWN_ARCH', bad);
    }
  });
});

describe('syscall tables', () => {
  for (const arch of ['x86_64', 'x86', 'aarch64']) {
    it(`${arch}: every number and every name agrees with scmp_sys_resolver`, { skip: noResolver }, () => {
      const table = syscallTable(arch);
      assert.ok(table.length > 300, `${arch} table has only ${table.length} entries`);
      const top = table.at(-1)!.nr + 64;
      const numbers = Array.from({ length: top + 1 }, (_, i) => i);
      const byNumber = resolveAll(arch, numbers);
      const fromResolver = numbers.filter((n) => byNumber.get(String(n)) !== 'UNKNOWN');
      assert.deepEqual(table.map((e) => e.nr), fromResolver, 'the table holds exactly the numbers libseccomp names');
      for (const n of numbers) assert.equal(syscallName(arch, n) ?? 'UNKNOWN', byNumber.get(String(n)), `${arch} nr ${n}`);

      const byName = resolveAll(arch, table.map((e) => e.name));
      for (const { nr, name } of table) {
        assert.equal(syscallNumber(arch, name), nr, `${arch} ${name}`);
        assert.equal(syscallName(arch, nr), name, `${arch} ${nr}`);
        const answer = Number(byName.get(name));
        // Multiplexed calls (socket on x86) have a pseudo-number by name; the direct number is by nr.
        assert.ok(answer === nr || answer < -1, `${arch} ${name}: resolver says ${answer}, table says ${nr}`);
      }
    });
  }

  it('agrees with the kernel uapi headers for x86_64, x86 and x32', () => {
    const dir = '/usr/include/x86_64-linux-gnu/asm';
    for (const [arch, file, bias] of [['x86_64', 'unistd_64.h', 0], ['x86', 'unistd_32.h', 0], ['x32', 'unistd_x32.h', 0x40000000]] as const) {
      const path = `${dir}/${file}`;
      if (!existsSync(path)) continue;
      const ours = new Map(syscallTable(arch).map((e) => [e.name, e.nr]));
      let common = 0;
      for (const m of readFileSync(path, 'utf8').matchAll(/^#define __NR_(\w+)\s+(?:\(__X32_SYSCALL_BIT \+ )?(\d+)\)?$/gm)) {
        const [, name, nr] = m as unknown as [string, string, string];
        const mine = ours.get(name);
        assert.notEqual(mine, undefined, `${arch}: the kernel has ${name}, libseccomp's table does not`);
        assert.equal(mine, Number(nr) + bias, `${arch} ${name}`);
        common++;
      }
      assert.ok(common > 300, `${file}: parsed only ${common} entries`);
    }
  });

  it('handles x32 numbers with or without 0x40000000, and x86 multiplexed calls', () => {
    assert.equal(syscallName('x32', 0), 'read');
    assert.equal(syscallName('x32', 0x40000000), 'read');
    assert.equal(syscallNumber('x32', 'read'), 0x40000000);
    assert.equal(syscallName('x86_64', 0x40000000), undefined);
    assert.equal(syscallName('x86', 102), 'socketcall');
    assert.equal(syscallNumber('x86', 'socket'), 359);
    assert.equal(syscallNumber('x86_64', 'socketcall'), undefined);
    assert.equal(syscallNumber('x86_64', 'no_such_call'), undefined);
    assert.equal(syscallName('x86_64', -1), undefined);
    assert.equal(syscallName('x86_64', 1.5), undefined);
    assert.equal(syscallName('arm', 0xf0002), 'cacheflush');
    assert.equal(syscallNumber('mips', 'read'), 4003);
    assert.ok(!syscallTable('mips').some((e) => e.nr < 4000), 'mips o32 numbers start at 4000');
    assert.throws(() => syscallTable('vax'), (e: { code?: string }) => e.code === 'UNKNOWN_ARCH');
  });
});

describe('compileProfile', () => {
  const allow = (names: string[], extra: object = {}) => ({ names, action: 'SCMP_ACT_ALLOW', ...extra });
  const compileError = (p: ProfileLike) => {
    try {
      compileProfile(p);
    } catch (e) {
      assert.ok(e instanceof ProfileCompileError, `not a ProfileCompileError: ${String(e)}`);
      assert.equal(e.code, 'PROFILE_COMPILE');
      return e;
    }
    assert.fail('compiled, expected an error');
  };

  it('compiles a valid multi-arch profile without loading it', () => {
    const r = compileProfile({
      defaultAction: 'SCMP_ACT_ERRNO',
      architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
      syscalls: [allow(['read', 'write', 'exit_group']), { names: ['ptrace'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }],
    });
    assert.ok(r.instructions > 0);
    assert.equal(r.bpf.length, r.instructions * 8);
    assert.match(r.pfc, /filter for syscall "exit_group"/);
    assert.match(r.pfc, /filter for arch x86 \(1073741827\)/);
    assert.match(r.pfc, /action ERRNO\(13\);/);
    assert.match(r.pfc, /action ERRNO\(1\);/, 'EPERM is the default errno, as in runc');
  });

  it('uses defaultErrnoRet for the default action only, as runc does', () => {
    const r = compileProfile({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38, syscalls: [{ names: ['kill'], action: 'SCMP_ACT_ERRNO' }, allow(['read'])] });
    assert.match(r.pfc, /# default action\n\s*action ERRNO\(38\);/);
    assert.match(r.pfc, /"kill"[^\n]*\n[^\n]*\n\s*action ERRNO\(1\);/);
  });

  it('names the rule and the syscall when a name is unknown on every arch of the filter', () => {
    const e = compileError({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [allow(['read']), allow(['write', 'bogus_call'])] });
    assert.equal(e.ruleIndex, 1);
    assert.equal(e.syscallName, 'bogus_call');
    assert.match(e.message, /syscalls\[1\].*bogus_call.*x86_64/);
    // socketcall exists on x86 only: an error for an x86_64-only filter, fine once x86 is listed.
    if (nativeArch() === 'x86_64') {
      assert.equal(compileError({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [allow(['socketcall'])] }).syscallName, 'socketcall');
      assert.match(compileProfile({ defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86'], syscalls: [allow(['socketcall'])] }).pfc, /"socketcall" \(102\)/);
    }
  });

  it('compiles an empty allow-list (the profile layer decides whether that is acceptable)', () => {
    for (const syscalls of [undefined, []]) {
      const r = compileProfile({ defaultAction: 'SCMP_ACT_ERRNO', ...(syscalls ? { syscalls } : {}) });
      assert.ok(r.instructions > 0);
      assert.doesNotMatch(r.pfc, /filter for syscall/);
    }
  });

  it('rejects bad actions, operators, argument indexes, errno values and architectures', () => {
    assert.match(compileError({ defaultAction: 'SCMP_ACT_NOPE' }).message, /defaultAction.*SCMP_ACT_NOPE/);
    assert.match(compileError({ defaultAction: 'SCMP_ACT_NOTIFY' }).message, /default action/);
    const bad = (rule: object) => compileError({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [allow(['read']), rule as never] });
    let e = bad({ names: ['write'], action: 'SCMP_ACT_PERMIT' });
    assert.equal(e.ruleIndex, 1);
    assert.match(e.message, /SCMP_ACT_PERMIT/);
    e = bad(allow(['ioctl'], { args: [{ index: 1, value: 1, op: 'SCMP_CMP_ALMOST' }] }));
    assert.match(e.message, /syscalls\[1\].*SCMP_CMP_ALMOST/);
    assert.match(bad(allow(['ioctl'], { args: [{ index: 6, value: 1, op: 'SCMP_CMP_EQ' }] })).message, /index 6/);
    assert.match(bad(allow(['ioctl'], { args: [{ index: 0, value: -1, op: 'SCMP_CMP_EQ' }] })).message, /outside/);
    assert.match(bad({ names: ['write'], action: 'SCMP_ACT_ERRNO', errnoRet: 70000 }).message, /errnoRet/);
    assert.match(bad({ names: [], action: 'SCMP_ACT_ALLOW' }).message, /names is empty/);
    assert.match(bad({ names: ['write'], action: 'SCMP_ACT_NOTIFY' }).message, /write/);
    assert.match(compileError({ defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_VAX'] }).message, /architectures\[0\].*SCMP_ARCH_VAX/);
  });

  it('compiles argument filters: MASKED_EQ, 64-bit values, two conditions on one argument', () => {
    const r = compileProfile({
      defaultAction: 'SCMP_ACT_ERRNO',
      syscalls: [
        allow(['ioctl'], { args: [{ index: 1, value: 0xff, valueTwo: 0x54, op: 'SCMP_CMP_MASKED_EQ' }] }),
        allow(['personality'], { args: [{ index: 0, value: 0xffffffffn, op: 'SCMP_CMP_EQ' }, { index: 0, value: 8, op: 'SCMP_CMP_EQ' }] }),
        allow(['lseek'], { args: [{ index: 1, value: 1n << 63n, op: 'SCMP_CMP_GE' }] }),
      ],
    });
    assert.match(r.pfc, /\$a1\.lo32 & 0x000000ff == 84/);
    // runc splits same-argument conditions into separate rules: both values must be allowed.
    assert.match(r.pfc, /\$a0\.lo32 == 4294967295/);
    assert.match(r.pfc, /\$a0\.lo32 == 8/);
    assert.match(r.pfc, /\$a1\.hi32 == 2147483648/);
  });

  it('skips rules that repeat the default action, as runc does', () => {
    const r = compileProfile({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [allow(['read']), { names: ['ptrace'], action: 'SCMP_ACT_KILL_PROCESS' }] });
    assert.doesNotMatch(r.pfc, /"read"/);
    assert.match(r.pfc, /"ptrace"[\s\S]*action KILL_PROCESS;/);
  });

  it('compiles a whole-table allow-list as a binary tree above 32 rules, like runc', () => {
    const names = syscallTable(nativeArch()).map((e) => e.name);
    const opcodes = (bpf: Buffer) => new Set(Array.from({ length: bpf.length / 8 }, (_, i) => bpf.readUInt16LE(i * 8)));
    // libseccomp's tree splits with JGT; a linear list only has JEQ (and one JGE for x32's bit on x86_64).
    const BPF_JMP_JGT_K = 0x25;
    const big = compileProfile({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [allow(names)] });
    const small = compileProfile({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [allow(names.slice(0, 32))] });
    assert.ok(big.instructions > names.length, 'one compare per syscall at least');
    assert.ok(opcodes(big.bpf).has(BPF_JMP_JGT_K), 'the tree splits on syscall number ranges');
    assert.ok(!opcodes(small.bpf).has(BPF_JMP_JGT_K), '32 rules stay a linear list');
  });
});

describe('native layer argument checks and errors', () => {
  interface Native {
    resolveSyscallName(token: unknown, name: unknown): number;
    resolveSyscallNumber(token: unknown, nr: unknown): string | null;
    resolveSyscallNumbers(token: unknown, from: unknown, count: unknown): unknown[];
    compile(spec: unknown): unknown;
  }
  const addon = loadAddon<Native>('libseccomp-napi');
  const X86_64 = 0xc000003e;
  const spec = (rules: unknown[], extra: object = {}) => ({ defaultAction: 0x00050001, architectures: [], rules, ...extra });

  it('throws TypeError and RangeError for wrong types and ranges', () => {
    assert.throws(() => addon.resolveSyscallName('x86_64', 'read'), TypeError);
    assert.throws(() => addon.resolveSyscallName(0x1234, 'read'), RangeError);
    assert.throws(() => addon.resolveSyscallName(X86_64, 're\0ad'), TypeError);
    assert.throws(() => addon.resolveSyscallNumber(X86_64, 2 ** 31), RangeError);
    assert.throws(() => addon.resolveSyscallNumber(X86_64, 0.5), RangeError);
    assert.throws(() => addon.resolveSyscallNumbers(X86_64, 0, 1 << 20), RangeError);
    assert.throws(() => addon.compile(null), TypeError);
    assert.throws(() => addon.compile({ ...spec([]), defaultAction: -1 }), RangeError);
    assert.throws(() => addon.compile(spec([{ name: 'read', action: 0x7fff0000, args: [{ index: 0, op: 4, value: 2 ** 60 }] }])), RangeError);
    assert.throws(() => addon.compile(spec([{ name: 'read', action: 0x7fff0000, args: [{ index: 0, op: 4, value: -1n }] }])), RangeError);
    assert.throws(() => addon.compile(spec([{ name: 'read', action: 0x7fff0000, args: [{ index: 0, op: 99, value: 0 }] }])), RangeError);
    assert.throws(() => addon.compile(spec([{ name: 'read', action: 0x7fff0000, args: new Array(7).fill({ index: 0, op: 4, value: 0 }) }])), RangeError);
  });

  it('throws SystemError-shaped errors naming the libseccomp call and the rule', () => {
    const shape = (fn: () => unknown, expected: Record<string, unknown>) =>
      assert.throws(fn, (e: Record<string, unknown>) => {
        for (const [k, v] of Object.entries(expected)) assert.equal(e[k], v, k);
        return true;
      });
    shape(() => addon.compile({ ...spec([]), defaultAction: 0x12345 }), { code: 'EINVAL', errno: -22, syscall: 'seccomp_init' });
    shape(() => addon.compile(spec([{ name: 'read', action: 0x7fff0000, args: [] }, { name: 'nope', action: 0x7fff0000, args: [] }])),
      { code: 'EINVAL', errno: -22, syscall: 'seccomp_syscall_resolve_name', ruleIndex: 1, syscallName: 'nope' });
    shape(() => addon.compile(spec([{ name: 'read', action: 0x7fff0000, args: [{ index: 1, op: 0, value: 0 }] }])),
      { code: 'EINVAL', syscall: 'seccomp_rule_add_array', ruleIndex: 0, syscallName: 'read' });
    shape(() => addon.compile(spec([{ name: 'read', action: 0x7fff0000, args: [{ index: 6, op: 4, value: 0 }] }])),
      { code: 'EINVAL', syscall: 'seccomp_rule_add_array', ruleIndex: 0, syscallName: 'read' });
    shape(() => addon.compile(spec([{ name: 'read', action: 0x00050001, args: [] }])),
      { code: 'EACCES', errno: -13, syscall: 'seccomp_rule_add_array', ruleIndex: 0 });
    shape(() => addon.compile(spec([], { architectures: [X86_64] })), { code: 'EEXIST', syscall: 'seccomp_arch_add' });
  });
});

describe('seccomp-tailor syscalls', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, [`${root}bin/seccomp-tailor`, 'syscalls', ...args], { cwd: '/', encoding: 'utf8' });

  it('prints the x86 table as JSON with socketcall at 102 (from any cwd)', () => {
    const r = cli('--arch', 'x86', '--json');
    assert.equal(r.status, 0, r.stderr);
    const table = JSON.parse(r.stdout) as Array<{ nr: number; name: string }>;
    assert.deepEqual(table.find((e) => e.nr === 102), { nr: 102, name: 'socketcall' });
    assert.deepEqual(table, syscallTable('x86'));
  });

  it('prints an ausyscall-style dump, accepting names, OCI tokens and audit hex', () => {
    assert.deepEqual(cli('--arch', 'x86').stdout.split('\n').slice(0, 3), ['Using x86 syscall table:', '0\trestart_syscall', '1\texit']);
    assert.deepEqual(cli('--arch', 'c000003e').stdout.split('\n').slice(0, 2), ['Using x86_64 syscall table:', '0\tread']);
    assert.deepEqual(cli('--arch', 'SCMP_ARCH_AARCH64').stdout.split('\n').slice(0, 2), ['Using aarch64 syscall table:', '0\tio_setup']);
    assert.equal(cli().stdout.split('\n')[0], `Using ${nativeArch()} syscall table:`);
  });

  it('rejects an unknown arch with one line and exit code 2', () => {
    const r = cli('--arch', 'vax');
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'seccomp-tailor: unknown architecture "vax" (libseccomp does not know it)\n');
  });
});
