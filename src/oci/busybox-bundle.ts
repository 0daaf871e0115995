// A runc/crun bundle whose rootfs is busybox-static with its applets linked: small, fast, and the
// same on every machine. Used by `runtime-needs measure`, the benches and the e2e tests.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const BUSYBOX = '/bin/busybox';

export interface BundleOptions {
  args: string[];
  seccomp?: unknown;
  annotations?: Record<string, string>;
  hooks?: Record<string, unknown>;
  noNewPrivileges?: boolean;
  /** Extra capabilities for the init (e.g. CAP_SYS_ADMIN for unshare). */
  extraCaps?: string[];
}

const BASE_CAPS = ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_SETGID', 'CAP_SETUID', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];

export function makeRootfs(dir: string): string {
  const rootfs = join(dir, 'rootfs');
  for (const d of ['bin', 'proc', 'sys', 'dev', 'tmp', 'etc']) mkdirSync(join(rootfs, d), { recursive: true });
  copyFileSync(BUSYBOX, join(rootfs, 'bin', 'busybox'));
  // Every applet this busybox has, so any test or demo command finds its program.
  const applets = execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' }).split('\n').filter((a) => a && a !== 'busybox');
  for (const a of applets) symlinkSync('busybox', join(rootfs, 'bin', a));
  writeFileSync(join(rootfs, 'etc', 'passwd'), 'root:x:0:0:root:/:/bin/sh\n');
  return rootfs;
}

export function makeBundle(dir: string, o: BundleOptions): string {
  mkdirSync(dir, { recursive: true });
  makeRootfs(dir);
  writeBundleConfig(dir, o);
  return dir;
}

export function writeBundleConfig(dir: string, o: BundleOptions): void {
  const caps = [...BASE_CAPS, ...(o.extraCaps ?? [])];
  const config = {
    ociVersion: '1.0.2',
    process: {
      terminal: false, user: { uid: 0, gid: 0 }, args: o.args, cwd: '/',
      env: ['PATH=/bin', 'TERM=xterm'],
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: o.noNewPrivileges ?? true,
    },
    root: { path: 'rootfs', readonly: true },
    hostname: 'st',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'size=65536k'] },
    ],
    ...(o.annotations ? { annotations: o.annotations } : {}),
    ...(o.hooks ? { hooks: o.hooks } : {}),
    linux: {
      namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'network' }],
      maskedPaths: ['/proc/kcore', '/proc/keys', '/proc/timer_list', '/sys/firmware'],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
      ...(o.seccomp ? { seccomp: o.seccomp } : {}),
    },
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
}
