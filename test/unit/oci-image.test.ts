// The image a container runs, from its engine's annotations or podman's storage record, and the
// drift between the image a profile was recorded from and the one a container runs it under.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import pino from 'pino';
import { Registry } from 'prom-client';
import { digestOf, imageOf, imageOfContainer, podmanImageOf } from '../../src/oci/image.js';
import { metaPathOf, readRecordingMeta, recordingMetaText } from '../../src/oci/recording-meta.js';
import { imageDriftOf, noticeImageDrift } from '../../src/watch/image-drift.js';
import type { RegistryEntry } from '../../src/state/registry.js';

const D1 = 'a'.repeat(64);
const D2 = 'b'.repeat(64);
const isRoot = process.getuid?.() === 0;

describe('imageOf', () => {
  it('CRI-O: the name, and the repo digest before the image id', () => {
    assert.deepEqual(imageOf({ 'io.kubernetes.cri-o.ImageName': 'quay.io/x/y:1', 'io.kubernetes.cri-o.ImageRef': D1 }), { name: 'quay.io/x/y:1', digest: `sha256:${D1}` });
    assert.deepEqual(imageOf({ 'io.kubernetes.cri-o.ImageName': 'quay.io/x/y:1', 'io.kubernetes.cri-o.ImageRef': D1, 'io.kubernetes.cri-o.ImageRepoDigests': `quay.io/x/y@sha256:${D2}` }).digest, `sha256:${D2}`);
  });
  it('containerd CRI: image-name, image-ref; a digest-pinned name gives the digest', () => {
    assert.deepEqual(imageOf({ 'io.kubernetes.cri.image-name': 'docker.io/library/nginx:1.25', 'io.kubernetes.cri.image-ref': `sha256:${D1}` }), { name: 'docker.io/library/nginx:1.25', digest: `sha256:${D1}` });
    assert.equal(imageOf({ 'io.kubernetes.cri.image-name': `ghcr.io/a/b@sha256:${D2}` }).digest, `sha256:${D2}`);
  });
  it('podman, Docker and runc annotations name no image', () => {
    assert.deepEqual(imageOf({ 'io.container.manager': 'libpod', 'org.opencontainers.image.stopSignal': '15' }), {});
    assert.deepEqual(imageOf(undefined), {});
  });
  it('hostile values are dropped, not kept: escapes, newlines, huge, a digest that is not one', () => {
    assert.deepEqual(imageOf({ 'io.kubernetes.cri.image-name': 'x\n\u001b[31mred', 'io.kubernetes.cri.image-ref': 'sha256:zz' }), {});
    assert.deepEqual(imageOf({ 'io.kubernetes.cri.image-name': 'a'.repeat(600) }), {});
    assert.equal(digestOf(`sha512:${D1}`), undefined);
    assert.deepEqual(imageOf(Object.create({ 'io.kubernetes.cri.image-name': 'inherited' }) as Record<string, string>), {});
  });
});

describe('podmanImageOf: containers/storage\'s record beside the bundle', { skip: !isRoot && 'the record is trusted only when root owns it' }, () => {
  const storage = mkdtempSync(join(tmpdir(), 'st-storage-'));
  const id = 'c'.repeat(64);
  const bundle = join(storage, 'overlay-containers', id, 'userdata');
  mkdirSync(bundle, { recursive: true });
  const file = join(storage, 'overlay-containers', 'containers.json');
  writeFileSync(file, JSON.stringify([{ id: 'other', image: D2 }, { id, image: D1, metadata: JSON.stringify({ 'image-name': 'localhost/app:2' }) }]));
  chmodSync(file, 0o600);
  it('the image id and name of the container; storage wins over a forged annotation', () => {
    assert.deepEqual(podmanImageOf(bundle, id), { name: 'localhost/app:2', digest: `sha256:${D1}` });
    assert.deepEqual(imageOfContainer({ 'io.kubernetes.cri-o.ImageRef': D2 }, bundle, id), { name: 'localhost/app:2', digest: `sha256:${D1}` });
  });
  it('nothing for another layout, another id, or a file others may write', () => {
    assert.deepEqual(podmanImageOf(join(storage, 'elsewhere'), id), {});
    assert.deepEqual(podmanImageOf(bundle, 'd'.repeat(64)), {});
    chmodSync(file, 0o666);
    try {
      assert.deepEqual(podmanImageOf(bundle, id), {});
    } finally {
      chmodSync(file, 0o600);
    }
  });
});

describe('image drift', () => {
  const dir = mkdtempSync(join(tmpdir(), 'st-drift-'));
  const profile = join(dir, 'app.json');
  writeFileSync(profile, '{}');
  writeFileSync(metaPathOf(profile), recordingMetaText({ version: 1, containerId: 'rec1', recordedAt: '2026-12-01T00:00:00Z', image: { name: 'quay.io/x/y:1', digest: `sha256:${D1}` } }));
  const entry = (digest: string): RegistryEntry => {
    const bundle = mkdtempSync(join(dir, 'bundle-'));
    writeFileSync(join(bundle, 'config.json'), JSON.stringify({ annotations: { 'io.kubernetes.cri-o.ImageName': 'quay.io/x/y:2', 'io.kubernetes.cri-o.ImageRef': digest } }));
    return { id: 'run1', runtime: 'cri-o', initPid: 1, initStartTime: 1, registeredAt: 'now', bundle, profilePath: profile };
  };
  it('the meta beside the profile reads back; a hostile one is refused', () => {
    assert.equal(readRecordingMeta(profile)?.image?.digest, `sha256:${D1}`);
    const bad = join(dir, 'bad.json');
    writeFileSync(metaPathOf(bad), JSON.stringify({ version: 1, containerId: 'x', recordedAt: 'y', image: { digest: 'not a digest' } }));
    assert.equal(readRecordingMeta(bad)?.image, undefined);
  });
  it('same digest: no drift; another digest: drift, logged once and counted by the watcher', () => {
    assert.equal(imageDriftOf(dir, entry(D1)), undefined);
    const e = entry(D2);
    const d = imageDriftOf(dir, e);
    assert.equal(d?.running.digest, `sha256:${D2}`);
    assert.equal(d?.recordedFrom.name, 'quay.io/x/y:1');
    const lines: string[] = [];
    const log = pino({ level: 'info' }, new Writable({ write(c, _e, cb) { lines.push(String(c)); cb(); } }));
    const registry = new Registry();
    noticeImageDrift(dir, e, log, registry);
    noticeImageDrift(dir, entry(D1), log, registry);
    assert.equal(lines.filter((l) => l.includes('image drift')).length, 1);
    return registry.getSingleMetricAsString('seccomp_tailor_watch_image_drift_total').then((t) => assert.match(t, /seccomp_tailor_watch_image_drift_total 1$/m));
  });
});
