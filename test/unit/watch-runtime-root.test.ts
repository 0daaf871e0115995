// `watch --runtime-root RUNTIME:DIR`: an engine's private runc/crun state directory, strictly parsed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_ROOTS, parseRuntimeRoot } from '../../src/watch/discovery.js';

test('runtime roots: runc|crun and an absolute path without ".."', () => {
  assert.deepEqual(parseRuntimeRoot('runc:/tmp/x/docker-exec/runtime-runc/moby'), { runtime: 'runc', dir: '/tmp/x/docker-exec/runtime-runc/moby' });
  assert.deepEqual(parseRuntimeRoot('crun:/run/crun2'), { runtime: 'crun', dir: '/run/crun2' });
  for (const bad of ['/run/runc', 'runc:relative', 'youki:/run/youki', 'runc:/run/../etc', ''])
    assert.throws(() => parseRuntimeRoot(bad), (e: Error & { code?: string }) => e.code === 'WATCH_BAD_RUNTIME_ROOT');
});

test('Docker and containerd runc roots are watched by default', () => {
  const dirs = DEFAULT_ROOTS.map((r) => r.dir);
  for (const d of ['/run/docker/runtime-runc/moby', '/run/containerd/runc/k8s.io', '/run/containerd/runc/default']) assert.ok(dirs.includes(d), d);
});
