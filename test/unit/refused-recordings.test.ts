// The refused-recordings store the hook writes and the watcher and `status` read: bounded,
// newest first, and files someone planted or broke are skipped, never trusted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { REFUSED_KEEP, listRefusals, recordRefusal, refusalNames, refusedDir } from '../../src/state/refused.js';
import { parseHookConfig } from '../../src/record/hook/config.js';

test('refusals: newest first, planted files ignored', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'st-refused-'));
  try {
    for (let i = 0; i < 3; i++, await new Promise((r) => setTimeout(r, 3))) recordRefusal(dir, { time: `2026-12-01T00:00:0${i}Z`, id: `c${i}`, limit: 4, onFailure: 'start', output: '/tmp/x.json' });
    assert.deepEqual(listRefusals(dir).map((r) => r.id), ['c2', 'c1', 'c0']);
    // A symlink to a secret, a huge file and a malformed one, all with valid names.
    symlinkSync('/etc/shadow', join(refusedDir(dir), '9999999999997-1-00000000.json'));
    writeFileSync(join(refusedDir(dir), '9999999999998-1-00000000.json'), JSON.stringify({ time: 'x', id: 'y'.repeat(5000), limit: 1, onFailure: 'start' }));
    writeFileSync(join(refusedDir(dir), '9999999999999-1-00000000.json'), '{"time": 1}');
    writeFileSync(join(refusedDir(dir), 'not-ours.json'), '{}');
    assert.deepEqual(listRefusals(dir).map((r) => r.id), ['c2', 'c1', 'c0']);
    assert.equal(refusalNames(dir).length, 6, 'the watcher counts names it did not write too, but only well-named ones');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('refusals are bounded', () => {
  const dir = mkdtempSync(join(tmpdir(), 'st-refused-'));
  try {
    for (let i = 0; i < REFUSED_KEEP + 5; i++) recordRefusal(dir, { time: 't', id: `c${i}`, limit: 1, onFailure: 'fail' });
    assert.equal(refusalNames(dir).length, REFUSED_KEEP);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hook.json maxRecordings: 1..1024, default the tracer maximum', () => {
  assert.equal(parseHookConfig({}, 'x').maxRecordings, 1024);
  assert.equal(parseHookConfig({ maxRecordings: 200 }, 'x').maxRecordings, 200);
  for (const bad of [0, 1025, 1.5, '10', -1])
    assert.throws(() => parseHookConfig({ maxRecordings: bad }, 'x'), /maxRecordings: expected an integer from 1 to 1024/);
});
