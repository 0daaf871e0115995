// Audit records that are not SECCOMP, on purpose: the noise a busy host makes. A BPF program
// loaded and unloaded in a loop (each costs BPF, SYSCALL and PROCTITLE records, as every runc
// container start does), and AUDIT_USER messages at a chosen rate (test/fixtures/audit-flood.c).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packagePath } from '../../src/native/package-root.js';

let flood: string | undefined;

export function auditFloodBinary(): string {
  if (flood && existsSync(flood)) return flood;
  const out = join(mkdtempSync(join(tmpdir(), 'st-flood-')), 'audit-flood');
  execFileSync('cc', ['-O2', '-o', out, packagePath('test', 'fixtures', 'audit-flood.c')]);
  flood = out;
  return out;
}

/** A child that loads and closes the exit-witness BPF object until killed; resolves its load count on stop. */
export function bpfLoadLoop(): { proc: ChildProcess; stop(): Promise<number> } {
  const ebpf = packagePath('dist', 'src', 'native', 'ebpf.js');
  const obj = packagePath('build', 'bpf', 'witness.bpf.o');
  const script = `
    const { BpfObject } = await import(${JSON.stringify(ebpf)});
    let n = 0, stop = false;
    process.on('SIGTERM', () => { stop = true; });
    while (!stop) {
      const o = BpfObject.openFile(${JSON.stringify(obj)});
      o.load();
      o.close();
      n++;
      if (n % 20 === 0) await new Promise((r) => setImmediate(r));
    }
    process.stdout.write(String(n));`;
  const proc = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; });
  const exited = new Promise<number>((resolve) => proc.on('exit', () => resolve(Number(out) || 0)));
  return { proc, stop: () => { proc.kill('SIGTERM'); return exited; } };
}

let logUname: string | undefined;

/** test/fixtures/seccomp-log-uname.c, built once: N SECCOMP records (uname, action log) from this host. */
export function seccompLogUnameBinary(): string {
  if (logUname && existsSync(logUname)) return logUname;
  const out = join(mkdtempSync(join(tmpdir(), 'st-logu-')), 'seccomp-log-uname');
  execFileSync('cc', ['-O2', '-o', out, packagePath('test', 'fixtures', 'seccomp-log-uname.c'), '-lseccomp']);
  logUname = out;
  return out;
}
