import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rotatedSince } from '../../src/watch/sources/netlink.js';

test('rotatedSince: the rotated logs written to since the checkpoint, oldest first; other names ignored', () => {
  const dir = mkdtempSync(join(tmpdir(), 'st-rotated-'));
  try {
    const file = join(dir, 'audit.log');
    const at = (name: string, sec: number) => { const p = join(dir, name); writeFileSync(p, 'x\n'); utimesSync(p, sec, sec); };
    at('audit.log', 2000);
    at('audit.log.1', 1900);
    at('audit.log.2', 1500);
    at('audit.log.10', 100); // before the checkpoint: cannot hold a later record
    at('audit.log.bak', 1950);
    at('audit.log.3x', 1950);
    at('other.log.1', 1950);
    assert.deepEqual(rotatedSince(file, 1400_000), [join(dir, 'audit.log.2'), join(dir, 'audit.log.1')]);
    assert.deepEqual(rotatedSince(file, 1899_500), [join(dir, 'audit.log.1')], 'a second of slack');
    assert.deepEqual(rotatedSince(file, 0).length, 3);
    assert.deepEqual(rotatedSince(join(dir, 'missing', 'audit.log'), 0), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
