// The Kubernetes node agent, run for real from its manifest: contrib/kubernetes/daemonset.yaml's pod
// template becomes a `podman run` (podman 4.3's kube play knows neither DaemonSets nor hostPID, so
// the template is translated field by field: the manifest stays the one source), with the image
// `npm run image` builds; a private containerd stands in for the node's runtime. Then containers
// started through the copied shim are recorded by the pod's hookd, a complain-mode container's
// denials become a proposal in the pod's state directory, /metrics and /healthz answer, and once
// the pod is gone a container still starts, unrecorded, with one line saying so.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { isRoot, profileNames, strayHookProcesses } from '../helpers/hook-env.js';
import { haveEngines, startEngines, type Engines } from '../helpers/engines.js';
import { packagePath } from '../../src/native/package-root.js';

const MANIFEST = packagePath('contrib', 'kubernetes', 'daemonset.yaml');
const VERSION = (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;
const havePodman = existsSync('/usr/bin/podman');

interface HostPathVolume { name: string; hostPath?: { path: string; type?: string } }
interface Mount { name: string; mountPath: string; readOnly?: boolean }
interface PodContainer {
  name: string; image: string; command?: string[]; args?: string[];
  env?: Array<{ name: string; value?: string }>; securityContext?: { privileged?: boolean };
  volumeMounts?: Mount[]; ports?: Array<{ containerPort: number }>;
}
interface PodSpec { hostPID?: boolean; hostNetwork?: boolean; containers: PodContainer[]; volumes?: HostPathVolume[] }

const manifest = parse(readFileSync(MANIFEST, 'utf8')) as { kind: string; spec: { template: { spec: PodSpec } } };
const pod = manifest.spec.template.spec;
const agent = pod.containers[0]!;

/**
 * `podman run` arguments for the pod template's one container. `hostPrefix` moves chosen host
 * paths under the test's own directory (the pod sees them at their usual paths); extra volumes
 * are the test's private containerd's bundles, which a node's containerd keeps under /run/containerd.
 */
function podmanRunArgs(spec: PodSpec, c: PodContainer, name: string, hostPrefix: Record<string, string>, extraVolumes: string[]): string[] {
  const args = ['run', '-d', '--name', name,
    // This machine: runc (crun refuses its hybrid cgroups), no systemd cgroup manager, and rlimits
    // a nested runc may set.
    '--runtime', 'runc', '--cgroup-manager', 'cgroupfs', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];
  if (spec.hostNetwork) args.push('--network', 'host');
  if (spec.hostPID) args.push('--pid', 'host');
  if (c.securityContext?.privileged) args.push('--privileged');
  for (const e of c.env ?? []) if (e.value !== undefined) args.push('--env', `${e.name}=${e.value}`);
  const volumes = new Map((spec.volumes ?? []).map((v) => [v.name, v]));
  for (const m of c.volumeMounts ?? []) {
    const v = volumes.get(m.name);
    assert.ok(v?.hostPath, `volume ${m.name} is a hostPath`);
    const host = hostPrefix[v.hostPath.path] ?? v.hostPath.path;
    if (v.hostPath.type === 'DirectoryOrCreate') mkdirSync(host, { recursive: true, mode: 0o755 });
    assert.ok(existsSync(host), `${host} exists (hostPath type ${v.hostPath.type})`);
    args.push('-v', `${host}:${m.mountPath}${m.readOnly ? ':ro' : ''}`);
  }
  for (const v of extraVolumes) args.push('-v', v);
  if (c.command) args.push('--entrypoint', JSON.stringify(c.command));
  args.push(c.image, ...(c.args ?? []));
  return args;
}

/** The image, built by `npm run image` when it is not there yet; a reason to skip otherwise. */
function imageMissing(): string | false {
  const has = () => spawnSync('podman', ['image', 'exists', agent.image]).status === 0;
  if (has()) return false;
  const scripts = (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  if (!scripts.image) return `${agent.image} is not built and there is no npm run image here`;
  const r = spawnSync('npm', ['run', 'image'], { cwd: packagePath(), encoding: 'utf8', timeout: 20 * 60_000 });
  if (r.status !== 0) return `npm run image failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' / ')}`;
  return has() ? false : `npm run image did not produce ${agent.image}`;
}

const skip = !isRoot ? 'needs root (podman, containerd, eBPF)' : !havePodman ? 'needs podman' : !haveEngines ? 'needs containerd and ctr (scripts/bootstrap.sh --tests)' : imageMissing();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, ms: number, log: () => string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${log().slice(-4000)}`);
    await sleep(200);
  }
}

describe('Kubernetes node agent (DaemonSet pod template under podman, private containerd)', { skip }, () => {
  const name = `st-k8s-agent-${process.pid}`;
  const hostBin = '/opt/seccomp-tailor/bin';
  const socket = '/run/seccomp-tailor-agent/hookd.sock';
  let work: string;
  let stateDir: string;
  let dropInDir: string;
  let eng: Engines;
  let created: string[] = [];
  let metricsPort: number;
  const get = (path: string) => fetch(`http://127.0.0.1:${metricsPort}${path}`).catch(() => undefined);
  const logs = () => { const r = spawnSync('podman', ['logs', name], { encoding: 'utf8' }); return `${r.stdout}\n${r.stderr}`; };
  let n = 0;
  // The node's own namespace for pods, whose runc root the watcher reads by default.
  const ctr = (opts: string[], cmd: string[]) => spawnSync('ctr', ['--address', eng.containerdSocket, '--namespace', 'k8s.io', 'run', '--rm', ...opts, '--rootfs', eng.rootfs, `st-k8s-${process.pid}-${++n}`, ...cmd], { encoding: 'utf8', timeout: 120_000 });

  before(async () => {
    assert.equal(manifest.kind, 'DaemonSet');
    assert.equal(agent.image, `localhost/seccomp-tailor:${VERSION}`, 'the manifest names the image npm run image builds for this version');
    // What this test creates on the host outside its directory, removed afterwards.
    created = ['/opt/seccomp-tailor', '/run/seccomp-tailor-agent', '/sys/fs/bpf/seccomp-tailor', '/sys/fs/bpf/seccomp-tailor-watch', '/run/containerd/runc/k8s.io'].filter((p) => !existsSync(p));
    assert.ok(created.includes('/opt/seccomp-tailor') && created.includes('/run/seccomp-tailor-agent'), 'no agent host directory exists yet (another agent on this machine?)');
    // On a node the pods' runc root exists before the agent starts (the agent's own pod runs there);
    // the watcher watches the roots that exist when it starts.
    mkdirSync('/run/containerd/runc/k8s.io', { recursive: true, mode: 0o711 });
    work = mkdtempSync('/tmp/st-k8s-agent-');
    stateDir = join(work, 'var/lib/seccomp-tailor');
    dropInDir = join(work, 'etc/containerd/conf.d');
    eng = await startEngines('k8s', { docker: false });
    const port = /--metrics=(?:[^:]*:)?(\d+)/.exec((agent.args ?? []).join(' '));
    metricsPort = Number(port?.[1]);
    const args = podmanRunArgs(pod, agent, name, { '/var/lib/seccomp-tailor': stateDir, '/etc/containerd/conf.d': dropInDir },
      [`${eng.work}:${eng.work}:ro`]);
    const r = spawnSync('podman', args, { encoding: 'utf8' });
    assert.equal(r.status, 0, `podman ${args.join(' ')}\n${r.stderr}`);
    await until('hookd listening and /healthz answering', async () => existsSync(socket) && (await get('/healthz'))?.status === 200, 60_000, logs);
  });

  after(async () => {
    try {
      spawnSync('podman', ['rm', '-f', '-t', '5', name], { stdio: 'ignore' });
      await eng?.stop();
      assert.deepEqual(strayHookProcesses(), [], 'no hook process left');
    } finally {
      for (const p of created) rmSync(p, { recursive: true, force: true });
      if (work) rmSync(work, { recursive: true, force: true });
    }
  });

  test('the agent put the entry, the shim and its settings on the host, and the containerd handler', () => {
    for (const f of ['seccomp-tailor-hook', 'seccomp-tailor-runc']) {
      const st = statSync(join(hostBin, f));
      assert.equal(st.uid, 0);
      assert.equal(st.mode & 0o777, 0o755);
    }
    // The copied entry needs no Node.js: it links libc only.
    assert.doesNotMatch(spawnSync('ldd', [join(hostBin, 'seccomp-tailor-hook')], { encoding: 'utf8' }).stdout, /libnode|libjansson|libstdc/);
    assert.deepEqual(JSON.parse(readFileSync(join(hostBin, 'runtime-shim.json'), 'utf8')), { hookdSocket: socket });
    const toml = readFileSync(join(dropInDir, 'seccomp-tailor.toml'), 'utf8');
    assert.match(toml, /^version = 2$/m);
    assert.match(toml, /containerd\.runtimes\."runc-record"\]/);
    assert.match(toml, /BinaryName = "\/opt\/seccomp-tailor\/bin\/seccomp-tailor-runc"/);
    assert.equal(statSync('/run/seccomp-tailor-agent').mode & 0o777, 0o700, 'the socket directory is root\'s alone');
  });

  let recorded: string;
  test('ctr run --runc-binary <host bin>/seccomp-tailor-runc with the annotation records through the pod\'s hookd', () => {
    const inPod = `/var/lib/seccomp-tailor/profiles/ls-${process.pid}.json`;
    recorded = join(stateDir, 'profiles', `ls-${process.pid}.json`);
    const r = ctr(['--runc-binary', join(hostBin, 'seccomp-tailor-runc'), '--annotation', `io.containers.trace-syscall=of:${inPod}`], ['/bin/ls', '/']);
    assert.equal(r.status, 0, `${r.stderr}\n${logs()}`);
    assert.match(r.stdout, /\bbin\b/);
    assert.ok(existsSync(recorded), `the profile exists when ctr returns\n${logs()}`);
    const names = profileNames(recorded);
    for (const s of ['getdents64', 'execve']) assert.ok(names.includes(s), `${s} recorded: ${readFileSync(recorded, 'utf8').slice(0, 3000)}\n${logs()}`);
    assert.ok(!names.includes('uname'));
  });

  test('a complain-mode container\'s denials become a proposal in the pod\'s state directory', async () => {
    const complain = join(work, 'ls-complain.json');
    const c = spawnSync(packagePath('bin', 'seccomp-tailor'), ['profile', 'complain', recorded, '-o', complain], { encoding: 'utf8' });
    assert.equal(c.status, 0, c.stderr);
    // uname(2) is not in the recorded profile: logged, allowed.
    const r = ctr(['--seccomp', '--seccomp-profile', complain], ['/bin/sh', '-c', 'uname -s; sleep 1']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Linux$/m);
    const proposals = join(stateDir, 'proposals');
    const found = await until('a proposal naming uname', () => {
      if (!existsSync(proposals)) return false;
      return readdirSync(proposals).filter((f) => f.endsWith('.json')).map((f) => readFileSync(join(proposals, f), 'utf8')).find((t) => t.includes('"uname"'));
    }, 30_000, logs);
    assert.match(found, /"uname"/);
  });

  test('/metrics and /healthz answer on the host network', async () => {
    assert.equal((await get('/healthz'))?.status, 200);
    const m = await get('/metrics');
    assert.equal(m?.status, 200);
    assert.match(await m!.text(), /^# TYPE seccomp_tailor_\w+ /m);
  });

  test('with the pod stopped, a container of the recording runtime still starts, unrecorded, and the entry says so', async () => {
    const stop = spawnSync('podman', ['stop', '-t', '10', name], { encoding: 'utf8' });
    assert.equal(stop.status, 0, stop.stderr);
    const out = join(stateDir, 'profiles', `after-${process.pid}.json`);
    const t0 = Date.now();
    const r = ctr(['--runc-binary', join(hostBin, 'seccomp-tailor-runc'), '--annotation', `io.containers.trace-syscall=of:/var/lib/seccomp-tailor/profiles/after-${process.pid}.json`], ['/bin/echo', 'started']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^started$/m);
    assert.ok(Date.now() - t0 < 20_000, 'no hang');
    assert.ok(!existsSync(out), 'nothing recorded');
    // runc keeps a successful hook's stderr to itself: the entry's own line, as the runtime runs it.
    const state = JSON.stringify({ ociVersion: '1.0.2', id: 'gone-agent', status: 'creating', pid: process.pid, bundle: work, annotations: {} });
    const e = spawnSync(join(hostBin, 'seccomp-tailor-hook'), ['--socket', socket, 'prestart'], { input: state, encoding: 'utf8', timeout: 30_000 });
    assert.equal(e.status, 0, e.stderr);
    assert.equal(e.stderr, `seccomp-tailor-hook: no hookd answers at ${socket}: container gone-agent starts unrecorded\n`);
  });
});
