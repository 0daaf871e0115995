// ebpf-napi through its wrapper: errors shaped like Node's SystemError, the verifier's log on a
// rejected load, .rodata before load, map operations, pins, and idempotent close().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { BpfMap, BpfObject, UpdateFlags, bpfErrno, pidfdOpen } from '../../src/native/ebpf.js';
import { BpfLoadError, NativeError } from '../../src/errors.js';
import { packagePath } from '../../src/native/package-root.js';
import { tracerObjectPath } from '../../src/record/tracer.js';
import { argKindTable } from '../../src/record/arg-facts.js';
import { rootOnly } from '../helpers/known-syscalls.js';

function buildRejected(): string {
  const out = join(mkdtempSync(join(tmpdir(), 'st-bpf-')), 'rejected.bpf.o');
  execFileSync('clang', ['-O2', '-g', '-target', 'bpf', '-D__TARGET_ARCH_x86', '-I', '/usr/include/x86_64-linux-gnu',
    '-I', packagePath('bpf'), '-c', packagePath('test', 'fixtures', 'bpf', 'rejected.bpf.c'), '-o', out]);
  return out;
}

test('a verifier rejection throws BpfLoadError carrying the verifier log', { skip: rootOnly }, () => {
  const obj = BpfObject.openFile(buildRejected());
  try {
    assert.deepEqual(Object.keys(obj.rodataVariables()), ['cfg_offset']);
    obj.setRodata('cfg_offset', 8);
    assert.throws(() => obj.load(), (e: unknown) => {
      assert.ok(e instanceof BpfLoadError);
      assert.match(e.verifierLog, /invalid access to map value|R\d+ min value is outside|value_size=8/);
      assert.equal((e as unknown as { errno: number }).errno < 0, true);
      assert.equal((e as unknown as { syscall: string }).syscall, 'bpf_object__load');
      return true;
    });
  } finally {
    obj.close();
    obj.close();
  }
});

test('an object that is not ELF is refused with a SystemError-shaped error', () => {
  assert.throws(() => BpfObject.openBuffer(Buffer.from('not an ELF file'), 'junk'), (e: unknown) => {
    assert.ok(e instanceof NativeError);
    const f = e as unknown as { code: string; errno: number; syscall: string };
    assert.equal(f.syscall, 'bpf_object__open_mem');
    assert.match(f.code, /^BPF_E[A-Z]+$/, 'the catalog\'s code');
    assert.match(bpfErrno(e) ?? '', /^E[A-Z]+$/, 'the errno\'s name');
    assert.equal(f.code, `BPF_${bpfErrno(e)}`);
    assert.ok(f.errno < 0);
    return true;
  });
});

test('.rodata can be set before load and not after; programs are listed', { skip: rootOnly }, () => {
  const obj = BpfObject.openFile(tracerObjectPath());
  try {
    obj.setRodata('cfg_arg_kind', argKindTable());
    assert.throws(() => obj.setRodata('no_such_var', 1), /no const volatile global/);
    obj.load();
    assert.deepEqual(obj.programs().sort(), ['on_exec', 'on_exit', 'on_fork', 'on_sys_enter']);
    assert.throws(() => obj.setRodata('cfg_arg_kind', argKindTable()), /frozen/);
  } finally {
    obj.close();
  }
});

test('map operations: update/lookup/delete/iterate, NOEXIST, bad key sizes, pin, close', { skip: rootOnly }, () => {
  const obj = BpfObject.openFile(tracerObjectPath());
  const pinDir = mkdtempSync('/sys/fs/bpf/st-map-');
  try {
    obj.load();
    const m = obj.map('target_owners');
    assert.equal(m.info.keySize, 4);
    assert.equal(m.info.valueSize, 32);
    const key = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b; };
    const val = Buffer.alloc(32, 0xab);
    assert.equal(m.lookup(key(1)), undefined);
    assert.equal(m.update(key(1), val, UpdateFlags.noexist), true);
    assert.equal(m.update(key(1), val, UpdateFlags.noexist), false);
    m.update(key(2), Buffer.alloc(32, 1));
    assert.deepEqual(m.lookup(key(1)), val);
    assert.deepEqual([...m.keys()].map((k) => k.readUInt32LE()).sort(), [1, 2]);
    assert.equal(m.delete(key(2)), true);
    assert.equal(m.delete(key(2)), false);
    assert.throws(() => m.lookup(Buffer.alloc(3)), RangeError);
    assert.throws(() => m.update(key(3), Buffer.alloc(31)), RangeError);
    m.pin(join(pinDir, 'owners'));
    const again = BpfMap.openPinned(join(pinDir, 'owners'));
    assert.deepEqual(again.lookup(key(1)), val);
    again.close();
    BpfMap.unpin(join(pinDir, 'owners'));
    assert.equal(existsSync(join(pinDir, 'owners')), false);
    m.close();
    m.close();
    assert.throws(() => m.lookup(key(1)), /closed/);
    assert.throws(() => BpfMap.openPinned(join(pinDir, 'nope')), (e: unknown) => (e as { code: string }).code === 'BPF_ENOENT' && bpfErrno(e) === 'ENOENT');
  } finally {
    obj.close();
    rmSync(pinDir, { recursive: true, force: true });
  }
  assert.equal(existsSync(pinDir), false);
});

test('pidfdOpen gives an fd for a live process and ESRCH for a dead one', () => {
  const fd = pidfdOpen(process.pid);
  assert.ok(fd > 2);
  execFileSync('true');
  assert.throws(() => pidfdOpen(2 ** 22 + 1), (e: unknown) => ['ESRCH', 'EINVAL'].includes(bpfErrno(e) ?? ''));
});
