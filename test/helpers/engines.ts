// Private containerd and dockerd for the shim tests: roots, state, sockets, exec root and trust
// key all under one temp directory, so a host's own engines (if any) are never touched. stop()
// ends the daemons we started and the containerd shims they spawned (found by our socket path),
// unmounts what they left under the directory, and removes it; it runs on failure too.
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeRootfs } from '../../src/oci/busybox-bundle.js';

export const DOCKER = '/usr/bin/docker';
export const CTR = '/usr/bin/ctr';
export const haveEngines = ['/usr/bin/containerd', '/usr/sbin/dockerd', DOCKER, CTR].every((p) => existsSync(p));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, fn: () => boolean, timeoutMs: number, d: Daemon): Promise<void> {
  const end = Date.now() + timeoutMs;
  const log = () => d.log;
  while (!fn()) {
    if (d.proc.exitCode !== null || d.proc.signalCode !== null) throw new Error(`${d.name} exited: ${log().slice(-2000)}`);
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${log().slice(-2000)}`);
    await sleep(50);
  }
}

interface Daemon { proc: ChildProcess; log: string; name: string }

function startDaemon(name: string, cmd: string, args: string[], logFile: string, env?: Record<string, string>): Daemon {
  const d: Daemon = { proc: spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(env ? { env: { ...process.env, ...env } } : {}) }), log: '', name };
  const keep = (b: Buffer) => { d.log += b.toString(); if (d.log.length > 200_000) d.log = d.log.slice(-100_000); };
  d.proc.stdout!.on('data', keep);
  d.proc.stderr!.on('data', keep);
  d.proc.on('exit', () => { try { writeFileSync(logFile, d.log); } catch { /* dir removed */ } });
  return d;
}

async function stopDaemon(d: Daemon | undefined, timeoutMs = 20_000): Promise<void> {
  if (!d || d.proc.exitCode !== null || d.proc.signalCode !== null) return;
  const exited = new Promise((r) => d.proc.once('exit', r));
  d.proc.kill('SIGTERM');
  const t = setTimeout(() => d.proc.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(t);
}

/** containerd-shim-runc-v2 processes serving our containerd (their -address names our socket). */
function shimsOf(socket: string): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const argv = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      if (argv[0]?.includes('containerd-shim') && argv.includes(socket)) out.push(Number(p));
    } catch { /* gone */ }
  }
  return out;
}

function unmountUnder(dir: string): void {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4]).filter((m): m is string => !!m && m.startsWith(dir + '/'));
  for (const m of mounts.sort((a, b) => b.length - a.length)) spawnSync('umount', ['-l', m], { stdio: 'ignore' });
}

export interface Engines {
  work: string;
  containerdSocket: string;
  /** dockerd's exec root: runc keeps Docker's container state under <execRoot>/runtime-runc/moby. */
  dockerExecRoot: string;
  /** `docker -H unix://... ARGS` (the Debian client, not whatever is first on PATH). */
  docker(args: string[], o?: { input?: string; timeout?: number }): SpawnSyncReturns<string>;
  dockerAsync(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }>;
  /** `ctr --address SOCK --namespace NS ARGS`. */
  ctr(args: string[], o?: { timeout?: number }): SpawnSyncReturns<string>;
  /** A busybox rootfs directory (for `ctr run --rootfs`) and the same as Docker image `image`. */
  rootfs: string;
  image: string;
  /** ctr's namespace: runc state lives in /run/containerd/runc/<namespace>. */
  namespace: string;
  stop(): Promise<void>;
}

export interface EngineOptions {
  /** dockerd runtimes: name -> { path, runtimeArgs }. */
  runtimes?: Record<string, { path: string; runtimeArgs?: string[] }>;
  docker?: boolean;
  /** Environment for containerd (inherited by its shims and the runtimes they run). */
  containerdEnv?: Record<string, string>;
}

export async function startEngines(name: string, o: EngineOptions = {}): Promise<Engines> {
  const work = mkdtempSync(`/tmp/st-engines-${name}-`);
  chmodSync(work, 0o755);
  const containerdSocket = join(work, 'containerd.sock');
  const dockerSocket = join(work, 'docker.sock');
  const dockerExecRoot = join(work, 'docker-exec');
  const namespace = `st-${name}-${process.pid}`;
  let containerd: Daemon | undefined;
  let dockerd: Daemon | undefined;
  const stop = async () => {
    try {
      await stopDaemon(dockerd);
      await stopDaemon(containerd);
      for (const pid of shimsOf(containerdSocket)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      await sleep(100);
      unmountUnder(work);
    } finally {
      rmSync(work, { recursive: true, force: true });
      rmSync(`/run/containerd/runc/${namespace}`, { recursive: true, force: true });
    }
  };
  try {
    // The CRI plugin is not needed (and would want CNI): ctr and dockerd speak to containerd directly.
    writeFileSync(join(work, 'containerd.toml'), [
      'version = 2', `root = "${join(work, 'containerd-root')}"`, `state = "${join(work, 'containerd-state')}"`,
      'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
      '[grpc]', `  address = "${containerdSocket}"`, '[ttrpc]', `  address = "${containerdSocket}.ttrpc"`, '',
    ].join('\n'));
    containerd = startDaemon('containerd', '/usr/bin/containerd', ['-c', join(work, 'containerd.toml')], join(work, 'containerd.log'), o.containerdEnv);
    await until('containerd', () => existsSync(containerdSocket) && spawnSync(CTR, ['--address', containerdSocket, 'version'], { stdio: 'ignore' }).status === 0, 20_000, containerd);
    const daemonJson = join(work, 'daemon.json');
    // dockerd 20.10 otherwise writes its trust key to /etc/docker/key.json (a daemon.json key only).
    writeFileSync(daemonJson, JSON.stringify({ runtimes: o.runtimes ?? {}, 'deprecated-key-path': join(work, 'docker-key.json') }));
    if (o.docker !== false) {
      dockerd = startDaemon('dockerd', '/usr/sbin/dockerd', [
        '--iptables=false', '--ip-masq=false', '--bridge=none', '--storage-driver=vfs', `--containerd=${containerdSocket}`,
        `--data-root=${join(work, 'docker-root')}`, `--exec-root=${dockerExecRoot}`, `-H=unix://${dockerSocket}`,
        `--pidfile=${join(work, 'docker.pid')}`, `--config-file=${daemonJson}`,
      ], join(work, 'dockerd.log'));
      await until('dockerd', () => existsSync(dockerSocket) && spawnSync(DOCKER, ['-H', `unix://${dockerSocket}`, 'version'], { stdio: 'ignore' }).status === 0, 60_000, dockerd);
    }
    const rootfs = makeRootfs(join(work, 'busybox'));
    const image = `st-busybox:${name}`;
    const engines: Engines = {
      work, containerdSocket, dockerExecRoot, rootfs, image, namespace, stop,
      docker: (args, so = {}) => spawnSync(DOCKER, ['-H', `unix://${dockerSocket}`, ...args], { encoding: 'utf8', timeout: so.timeout ?? 120_000, ...(so.input !== undefined ? { input: so.input } : {}) }),
      dockerAsync: (args) => new Promise((resolve, reject) => {
        const c = spawn(DOCKER, ['-H', `unix://${dockerSocket}`, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        c.stdout.on('data', (d: Buffer) => (stdout += d));
        c.stderr.on('data', (d: Buffer) => (stderr += d));
        c.on('error', reject);
        c.on('close', (status) => resolve({ status, stdout, stderr }));
      }),
      ctr: (args, so = {}) => spawnSync(CTR, ['--address', containerdSocket, '--namespace', namespace, ...args], { encoding: 'utf8', timeout: so.timeout ?? 120_000 }),
    };
    if (dockerd) {
      const tar = spawnSync('tar', ['-C', rootfs, '-c', '.'], { maxBuffer: 64 << 20 });
      const r = spawnSync(DOCKER, ['-H', `unix://${dockerSocket}`, 'import', '-', image], { input: tar.stdout, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`docker import failed: ${r.stderr}`);
    }
    mkdirSync(join(work, 'out'), { mode: 0o755 });
    return engines;
  } catch (e) {
    await stop();
    throw e;
  }
}
