// `seccomp-tailor syscalls`: an architecture's syscall table as libseccomp knows it (ausyscall --dump).
import { defineCommand } from './command.js';
import { nativeArch, normalizeArch, syscallTable } from '../../native/libseccomp.js';

export function formatSyscallTable(arch: string, table: Array<{ nr: number; name: string }>, json: boolean): string {
  if (json) return `${JSON.stringify(table)}\n`;
  return `Using ${arch} syscall table:\n${table.map((e) => `${e.nr}\t${e.name}\n`).join('')}`;
}

export default defineCommand({
  command: 'syscalls',
  describe: "print an architecture's syscall numbers and names (from libseccomp)",
  builder: (y) =>
    y
      .option('arch', { type: 'string', describe: 'x86_64, SCMP_ARCH_X86, c000003e, ... (default: this machine)' })
      .option('json', { type: 'boolean', default: false, describe: 'print a JSON array of {nr, name}' }),
  handler: (argv) => {
    const arch = typeof argv.arch === 'string' ? normalizeArch(argv.arch) : nativeArch();
    process.stdout.write(formatSyscallTable(arch, syscallTable(arch), argv.json === true));
  },
});
