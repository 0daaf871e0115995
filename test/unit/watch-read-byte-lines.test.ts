// readByteLines (what `events --count` reads with): whatever the file's size against the chunk,
// every line comes out once, whole, in order, and an unreadable file is an error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { READ_CHUNK_BYTES, readByteLines } from '../../src/watch/line-source.js';

async function linesOf(path: string): Promise<string[]> {
  const out: string[] = [];
  await readByteLines(path, {
    bytes: (b, start, end) => { out.push(Buffer.from(b.subarray(start, end)).toString('latin1')); },
    oversize: (n) => { out.push(`<oversize ${n}>`); },
  });
  return out;
}

/** Lines of varied lengths, numbered, filling about `bytes` (so lines straddle every chunk boundary). */
function content(bytes: number): { text: string; lines: string[] } {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line = `line ${i} ${'x'.repeat((i * 7919) % 300)}`;
    lines.push(line);
    size += line.length + 1;
  }
  let text = lines.join('\n') + '\n';
  if (text.length > bytes) text = text.slice(0, bytes); // the last line cut short, without its newline
  return { text, lines: text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n') };
}

test('every line once, in order, for sizes around and across the chunk', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'st-rbl-'));
  try {
    const C = READ_CHUNK_BYTES;
    for (const size of [0, 1, 100, C - 1, C, C + 1, 2 * C, 4 * C + 17, 9 * C - 3]) {
      const { text, lines } = content(size);
      const file = join(dir, `f${size}`);
      writeFileSync(file, text, 'latin1');
      assert.deepEqual(await linesOf(file), size === 0 ? [] : lines, `a file of ${size} bytes`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a file ending exactly on a chunk with a newline has no empty last line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'st-rbl-'));
  try {
    const line = 'y'.repeat(1023);
    const file = join(dir, 'exact');
    writeFileSync(file, `${line}\n`.repeat((2 * READ_CHUNK_BYTES) / 1024));
    const got = await linesOf(file);
    assert.equal(got.length, (2 * READ_CHUNK_BYTES) / 1024);
    assert.ok(got.every((l) => l === line));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a directory is a read error (EISDIR), with no read left running', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'st-rbl-'));
  try {
    await assert.rejects(linesOf(dir), (e: NodeJS.ErrnoException) => e.code === 'EISDIR');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
