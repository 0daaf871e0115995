// seccomp-tailor(1), made from the CLI's own --help texts, so the page never disagrees with it.
import { execFileSync } from 'node:child_process';

const esc = (s) => s.replace(/\\/g, '\\e').replace(/^([.'])/gm, '\\&$1');

export function manPage(cli, version) {
  const help = (args) => execFileSync(cli, [...args, '--help'], { encoding: 'utf8', env: { ...process.env, COLUMNS: '80' } });
  const top = help([]);
  const commands = [...top.matchAll(/^ {2}seccomp-tailor (\S+)/gm)].map((m) => m[1]).filter((c) => c !== 'completion');
  const parts = [
    `.TH SECCOMP-TAILOR 1 "" "seccomp-tailor ${version}" "User Commands"`,
    '.SH NAME',
    'seccomp-tailor \\- record, watch and apply tight seccomp profiles for Linux containers',
    '.SH SYNOPSIS',
    '.B seccomp-tailor',
    '.I command',
    '[options]',
    '.SH DESCRIPTION',
    'seccomp-tailor records the syscalls a container makes (eBPF, from an OCI hook or a runtime shim),',
    'watches SECCOMP audit records in production, and proposes and applies profile patches.',
    'Recording is set up with \\fBseccomp-tailor install \\-\\-engine podman|docker|containerd\\fR and undone with \\fBseccomp-tailor uninstall\\fR.',
    '.SH COMMANDS',
    '.nf', esc(top.trimEnd()), '.fi',
  ];
  for (const c of commands) parts.push(`.SS ${c}`, '.nf', esc(help([c]).trimEnd()), '.fi');
  parts.push('.SH FILES',
    '.TP', '/etc/seccomp-tailor/hook.json', 'the hook\'s settings (where profiles may be written); kept on upgrade',
    '.TP', '/var/lib/seccomp-tailor', 'state: profiles, proposals, the container registry, what install changed (installed.json)',
    '.TP', '/usr/lib/seccomp-tailor', 'the program, its Node.js runtime, addons and BPF objects',
    '.SH SEE ALSO', 'podman(1), runc(8), auditd(8)', '');
  return parts.join('\n');
}
