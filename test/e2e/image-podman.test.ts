// Image provenance from a real podman bundle: the hook notes the image a recording ran (podman
// 4.3 writes nothing about it in config.json; containers/storage's record says), and a container
// of another image running that profile is reported as drift by `status`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRoot, makeHookEnv, type HookEnv } from '../helpers/hook-env.js';
import { makeRootfs } from '../helpers/oci-bundle.js';
import { hookCommand, hooksDJson } from '../../src/oci/hooks-config.js';
import { packagePath } from '../../src/native/package-root.js';
import { imageOf } from '../../src/oci/image.js';
import { readRecordingMeta } from '../../src/oci/recording-meta.js';
import { registerContainer } from '../../src/state/registry.js';

const hasPodman = spawnSync('podman', ['--version']).status === 0;
const skip = !isRoot ? 'needs root (eBPF, podman)' : !hasPodman ? 'podman is not installed' : false;
const A = `localhost/st-image-a-${process.pid}:latest`;
const B = `localhost/st-image-b-${process.pid}:latest`;

describe('image provenance with podman', { skip }, () => {
  let env: HookEnv;
  let hooksDir: string;
  const base = () => ['--runtime', 'runc', '--cgroup-manager', 'cgroupfs', '--hooks-dir', hooksDir];
  const podman = (args: string[]) => spawnSync('podman', [...base(), ...args], { encoding: 'utf8', timeout: 120_000 });
  const imageId = (ref: string) => `sha256:${spawnSync('podman', ['image', 'inspect', '--format', '{{.Id}}', ref], { encoding: 'utf8' }).stdout.trim()}`;

  before(() => {
    env = makeHookEnv('image');
    hooksDir = join(env.work, 'hooks.d');
    mkdirSync(hooksDir);
    writeFileSync(join(hooksDir, 'seccomp-tailor.json'), JSON.stringify(hooksDJson(hookCommand(env.configPath))));
    makeRootfs(join(env.work, 'image'));
    const rootfs = join(env.work, 'image', 'rootfs');
    for (const [ref, marker] of [[A, 'a'], [B, 'b']] as const) {
      writeFileSync(join(rootfs, 'marker'), marker);
      const tar = join(env.work, `${marker}.tar`);
      assert.equal(spawnSync('tar', ['-C', rootfs, '-cf', tar, '.']).status, 0);
      const imp = spawnSync('podman', ['import', tar, ref], { encoding: 'utf8' });
      assert.equal(imp.status, 0, imp.stderr);
    }
    assert.notEqual(imageId(A), imageId(B));
  });
  after(() => {
    spawnSync('podman', ['rm', '-f', `st-image-b-${process.pid}`]);
    spawnSync('podman', ['rmi', '-f', A, B]);
    env.cleanup();
  });

  test('a real podman config.json names no image; the recording notes it from containers/storage', () => {
    const out = join(env.out, 'a.json');
    const r = podman(['run', '--rm', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024', '--annotation', `io.containers.trace-syscall=of:${out}`, A, 'ls', '/']);
    assert.equal(r.status, 0, r.stderr);
    const meta = readRecordingMeta(out);
    assert.equal(meta?.image?.digest, imageId(A));
    assert.match(meta?.image?.name ?? '', /st-image-a/);
  });

  test('status reports a container of another image running that profile, though its annotations claim the recorded image', () => {
    const name = `st-image-b-${process.pid}`;
    // The attack: annotations (anyone who runs podman can set them) claiming the recorded image, to hide the drift.
    const forged = ['--annotation', `io.kubernetes.cri-o.ImageRef=${imageId(A).slice('sha256:'.length)}`, '--annotation', `io.kubernetes.cri-o.ImageName=${A}`];
    const r = podman(['run', '-d', '--name', name, ...forged, '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024', B, 'sleep', '30']);
    assert.equal(r.status, 0, r.stderr);
    const id = r.stdout.trim();
    const bundle = spawnSync('podman', ['inspect', '--format', '{{.StaticDir}}', id], { encoding: 'utf8' }).stdout.trim() + '';
    // The bundle podman handed the runtime: apart from the forged keys, its config.json annotations name no image.
    const cfg = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8')) as { annotations?: Record<string, string> };
    assert.equal(imageOf(cfg.annotations).digest, imageId(A), 'the forged annotation is in config.json');
    const own = Object.fromEntries(Object.entries(cfg.annotations ?? {}).filter(([k]) => !k.startsWith('io.kubernetes.cri-o.Image')));
    assert.deepEqual(imageOf(own), {});
    const pid = Number(spawnSync('podman', ['inspect', '--format', '{{.State.Pid}}', id], { encoding: 'utf8' }).stdout.trim());
    registerContainer(env.stateDir, { id, runtime: 'podman', initPid: pid, initStartTime: 1, bundle, profilePath: join(env.out, 'a.json'), registeredAt: new Date().toISOString() });
    const st = spawnSync(packagePath('bin', 'seccomp-tailor'), ['status', '--json', '--config', env.configPath], { encoding: 'utf8' });
    assert.equal(st.status, 0, st.stderr);
    const drift = st.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { imageDrift?: { container: string; running: { digest?: string }; recordedFrom: { digest?: string } } }).find((x) => x.imageDrift)?.imageDrift;
    assert.equal(drift?.container, id);
    assert.equal(drift?.running.digest, imageId(B));
    assert.equal(drift?.recordedFrom.digest, imageId(A));
  });
});
