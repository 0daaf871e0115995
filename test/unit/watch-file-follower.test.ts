// Following a log across rotation like tail -F, with exact offsets for checkpoints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { followLines } from '../../src/watch/line-source.js';

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function collect() {
  const lines: Array<{ text: string; start: number; end: number }> = [];
  const rotations: string[] = [];
  return {
    lines, rotations,
    sink: {
      line: (l: string, start: number, end: number) => { lines.push({ text: l, start, end }); },
      oversize: () => assert.fail('no oversize line here'),
      rotated: (reason: 'renamed' | 'truncated') => { rotations.push(reason); },
    },
  };
}

test('rename + create: the old file is read to its end, then the new one from byte 0', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'st-follow-'));
  const path = join(dir, 'audit.log');
  writeFileSync(path, 'one\ntwo\n');
  const c = collect();
  const ac = new AbortController();
  const done = followLines(path, c.sink, { signal: ac.signal, from: 'start', pollMs: 20 });
  try {
    await until(() => c.lines.length === 2);
    appendFileSync(path, 'thr');
    renameSync(path, path + '.1');
    appendFileSync(path + '.1', 'ee\n'); // the writer finishes its line in the renamed file
    writeFileSync(path, 'four\n');
    await until(() => c.lines.length === 4);
    assert.deepEqual(c.lines.map((l) => l.text), ['one', 'two', 'three', 'four']);
    assert.deepEqual(c.rotations, ['renamed']);
    assert.deepEqual([c.lines[2]!.start, c.lines[3]!.start, c.lines[3]!.end], [8, 0, 4]);
  } finally {
    ac.abort();
    await done;
    rmSync(dir, { recursive: true });
  }
});

test('copytruncate: reading restarts at byte 0 of the same file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'st-follow-'));
  const path = join(dir, 'audit.log');
  writeFileSync(path, 'aaaa\nbbbb\n');
  const c = collect();
  const ac = new AbortController();
  const done = followLines(path, c.sink, { signal: ac.signal, pollMs: 20 });
  try {
    await until(() => c.lines.length === 2);
    truncateSync(path, 0);
    await until(() => c.rotations.length === 1);
    appendFileSync(path, 'cc\n');
    await until(() => c.lines.length === 3);
    assert.deepEqual(c.rotations, ['truncated']);
    assert.deepEqual(c.lines[2], { text: 'cc', start: 0, end: 2 });
  } finally {
    ac.abort();
    await done;
    rmSync(dir, { recursive: true });
  }
});

test('a checkpoint {dev, ino, offset} resumes exactly after the last line; a stale one starts over', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'st-follow-'));
  const path = join(dir, 'audit.log');
  writeFileSync(path, 'one\ntwo\nthree\n');
  const st = statSync(path);
  for (const [from, want] of [[{ dev: st.dev, ino: st.ino, offset: 4 }, ['two', 'three']], [{ dev: st.dev, ino: st.ino + 1, offset: 4 }, ['one', 'two', 'three']]] as const) {
    const c = collect();
    const ac = new AbortController();
    const done = followLines(path, c.sink, { signal: ac.signal, from, pollMs: 20 });
    await until(() => c.lines.length === want.length);
    ac.abort();
    await done;
    assert.deepEqual(c.lines.map((l) => l.text), want);
  }
  rmSync(dir, { recursive: true });
});

test('stopping while the writer is mid-line: the unfinished line is not handed out; a restart from the position reads it whole, once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'st-follow-'));
  const path = join(dir, 'audit.log');
  writeFileSync(path, 'one\ntw');
  const first = collect();
  const ac = new AbortController();
  const positions: Array<{ offset: number }> = [];
  const done = followLines(path, first.sink, { signal: ac.signal, from: 'start', pollMs: 20, afterChunk: (p) => { positions.push(p); } });
  await until(() => first.lines.length === 1);
  await new Promise((r) => setTimeout(r, 100));
  ac.abort();
  const at = await done;
  assert.deepEqual(first.lines.map((l) => l.text), ['one']);
  assert.equal(at?.offset, 4);
  appendFileSync(path, 'o\n');
  const second = collect();
  const ac2 = new AbortController();
  const again = followLines(path, second.sink, { signal: ac2.signal, from: at!, pollMs: 20 });
  await until(() => second.lines.length === 1);
  ac2.abort();
  await again;
  assert.deepEqual(second.lines.map((l) => [l.text, l.start]), [['two', 4]]);
  rmSync(dir, { recursive: true });
});
