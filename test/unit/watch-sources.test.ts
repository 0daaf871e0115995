import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, chmodSync, mkdtempSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSource } from '../../src/watch/sources/file.js';
import { JournaldSource, journalctlArgs } from '../../src/watch/sources/journald.js';
import { kmsgSeq } from '../../src/watch/sources/kmsg.js';
import type { SourceSink } from '../../src/watch/sources/source.js';
import type { Checkpoint } from '../../src/watch/state-store.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function collector() {
  const lines: string[] = [];
  let cp: Checkpoint | undefined;
  const losses: string[] = [];
  const sink: SourceSink = {
    line: (t) => lines.push(t),
    oversize: (n) => lines.push(`<oversize ${n}>`),
    checkpoint: (c) => { cp = c; },
    loss: (s) => losses.push(s),
  };
  return { sink, lines, losses, cp: () => cp };
}

async function until(pred: () => boolean, ms = 3000) {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timeout');
    await sleep(10);
  }
}

const dirOf = () => mkdtempSync(join(tmpdir(), 'st-src-'));

test('file: --once reads from the start, holds back a partial last line, resumes exactly at the checkpoint', async () => {
  const dir = dirOf();
  const f = join(dir, 'a.log');
  writeFileSync(f, 'one\ntwo\nthr');
  const c = collector();
  await new FileSource(f).run(c.sink, undefined, { once: true, signal: new AbortController().signal });
  assert.deepEqual(c.lines, ['one', 'two']);
  assert.equal((c.cp() as { offset: number }).offset, 8);
  appendFileSync(f, 'ee\nfour\n');
  const c2 = collector();
  await new FileSource(f).run(c2.sink, c.cp(), { once: true, signal: new AbortController().signal });
  assert.deepEqual(c2.lines, ['three', 'four']);
  rmSync(dir, { recursive: true });
});

test('file: follows rename rotation and copytruncate, and a file that appears later; starts at the end on first start', async () => {
  const dir = dirOf();
  const f = join(dir, 'audit.log');
  writeFileSync(f, 'history\n');
  const c = collector();
  const ac = new AbortController();
  const run = new FileSource(f, 20).run(c.sink, undefined, { once: false, signal: ac.signal });
  await sleep(100);
  appendFileSync(f, 'a1\na2\n');
  await until(() => c.lines.length === 2);
  // auditd: rename to .1 after a last write, then a new file.
  appendFileSync(f, 'a3\n');
  renameSync(f, `${f}.1`);
  writeFileSync(f, 'b1\n');
  await until(() => c.lines.length === 4);
  // copytruncate
  truncateSync(f, 0);
  await sleep(80);
  appendFileSync(f, 'c1\n');
  await until(() => c.lines.length === 5);
  ac.abort();
  await run;
  assert.deepEqual(c.lines, ['a1', 'a2', 'a3', 'b1', 'c1']);
  rmSync(dir, { recursive: true });
});

test('file: a checkpoint in a file rotated while the watcher was down: its rest first, then the new file', async () => {
  const dir = dirOf();
  const f = join(dir, 'audit.log');
  writeFileSync(f, 'x1\nx2\n');
  const first = collector();
  await new FileSource(f).run(first.sink, undefined, { once: true, signal: new AbortController().signal });
  const cp = first.cp();
  appendFileSync(f, 'x3\n');
  renameSync(f, `${f}.1`);
  writeFileSync(f, 'y1\n');
  const c = collector();
  await new FileSource(f).run(c.sink, cp, { once: true, signal: new AbortController().signal });
  assert.deepEqual(c.lines, ['x3', 'y1']);
  assert.equal((c.cp() as { ino: number }).ino, statSync(f).ino);
  rmSync(dir, { recursive: true });
});

test('file: a checkpointed file that is gone is a reported loss, then the current file is read', async () => {
  const dir = dirOf();
  const f = join(dir, 'audit.log');
  writeFileSync(f, 'new\n');
  const c = collector();
  await new FileSource(f).run(c.sink, { kind: 'file', path: f, dev: statSync(f).dev, ino: statSync(f).ino + 12345, offset: 10 }, { once: true, signal: new AbortController().signal });
  assert.deepEqual(c.losses, ['file-rotated-away']);
  assert.deepEqual(c.lines, ['new']);
  rmSync(dir, { recursive: true });
});

test('kmsg: sequence number of a record', () => {
  assert.equal(kmsgSeq('6,1234,5678901,-;audit: type=1326 audit(1.2:3): x'), 1234);
  assert.equal(kmsgSeq('garbage'), undefined);
});

test('journald: arguments for first start and for resume', () => {
  const first = journalctlArgs(undefined, true);
  assert.ok(first.includes('-f') && first.includes('-n') && first.includes('0'));
  assert.ok(first.includes('_AUDIT_TYPE=1326'));
  const again = journalctlArgs({ kind: 'journald', cursor: 's=abc;i=1' }, true);
  assert.ok(again.includes('--after-cursor=s=abc;i=1'));
  assert.ok(!again.includes('-n'));
});

test('journald: lines and cursors from journalctl, in order', async () => {
  const dir = dirOf();
  const fake = join(dir, 'journalctl');
  writeFileSync(fake, `#!/bin/sh
echo '{"__CURSOR":"s=1;i=1","MESSAGE":"one"}'
echo '{"__CURSOR":"s=1;i=\\\\"2","MESSAGE":"two"}'
`);
  chmodSync(fake, 0o755);
  const c = collector();
  await new JournaldSource(fake).run(c.sink, undefined, { once: true, signal: new AbortController().signal });
  assert.equal(c.lines.length, 2);
  assert.deepEqual(c.cp(), { kind: 'journald', cursor: 's=1;i="2' });
  rmSync(dir, { recursive: true });
});

test('file: SIGHUP reopen continues at the last checkpoint, no line lost or repeated', async () => {
  const dir = dirOf();
  const f = join(dir, 'a.log');
  writeFileSync(f, 'history\n');
  const c = collector();
  const ac = new AbortController();
  const src = new FileSource(f, 20);
  const run = src.run(c.sink, undefined, { once: false, signal: ac.signal });
  await sleep(100);
  // A reopen before any new line must not fall back to the start of the file.
  src.reopen();
  await sleep(100);
  appendFileSync(f, 'a\nb\n');
  await until(() => c.lines.length === 2);
  src.reopen();
  appendFileSync(f, 'c\n');
  await until(() => c.lines.length === 3);
  await sleep(100);
  ac.abort();
  await run;
  assert.deepEqual(c.lines, ['a', 'b', 'c']);
  rmSync(dir, { recursive: true });
});

test('stdin: lines across chunks; a line past the limit spanning chunks counts once as oversize, with its length, in order', async () => {
  const { PassThrough } = await import('node:stream');
  const { StdinSource } = await import('../../src/watch/sources/stdin.js');
  const { MAX_LINE_BYTES } = await import('../../parsers/index.js');
  const input = new PassThrough();
  const c = collector();
  const run = new StdinSource(input).run(c.sink, undefined, { once: true, signal: new AbortController().signal });
  input.write('fir');
  input.write('st\r\nsecond\nbig:');
  for (let i = 0; i < 3; i++) input.write('x'.repeat(MAX_LINE_BYTES / 2));
  input.write('tail of big\nthird\nlast without newline');
  input.end();
  await run;
  assert.deepEqual(c.lines, ['first\r', 'second', `<oversize ${'big:'.length + 3 * (MAX_LINE_BYTES / 2) + 'tail of big'.length}>`, 'third', 'last without newline']);
});

test('journald: lines across chunks, the cursor of the last line handed over, an oversize entry skipped', async () => {
  const dir = dirOf();
  const fake = join(dir, 'journalctl');
  const big = 'x'.repeat(70 * 1024);
  writeFileSync(fake, `#!/bin/sh\nprintf '{"MESSAGE":"a","__CURSOR":"s=1"}\\n{"MESSAGE":"'\nprintf '${big}'\nprintf '","__CURSOR":"s=2"}\\n{"MESSAGE":"b","__CURSOR":"s=3"}\\n'\n`);
  chmodSync(fake, 0o755);
  const c = collector();
  await new JournaldSource(fake).run(c.sink, undefined, { once: true, signal: new AbortController().signal });
  assert.equal(c.lines.length, 3);
  assert.equal(c.lines[0], '{"MESSAGE":"a","__CURSOR":"s=1"}');
  // Skipped when it spans the pipe's chunks, else whole (the parsers refuse it as oversize).
  const second = c.lines[1]!;
  assert.ok(/^<oversize \d+>$/.test(second) || second.length > 64 * 1024, 'the big entry is oversize');
  assert.equal(c.lines[2], '{"MESSAGE":"b","__CURSOR":"s=3"}');
  assert.deepEqual(c.cp(), { kind: 'journald', cursor: 's=3' });
  rmSync(dir, { recursive: true });
});

test('one watcher per state directory: the second is refused at once, the lock is free again when the first lets go or dies', async () => {
  const { takeWatcherLock } = await import('../../src/watch/watcher-lock.js');
  const { spawn } = await import('node:child_process');
  const dir = dirOf();
  const release = await takeWatcherLock(dir);
  await assert.rejects(takeWatcherLock(dir), (e: { code?: string; message?: string }) => e.code === 'WATCH_ALREADY_RUNNING' && e.message!.includes(`pid ${process.pid}`));
  release();
  (await takeWatcherLock(dir))();
  // Held by a process that is then killed with SIGKILL: no stale lock to wait out.
  const lockMod = new URL('../../src/watch/watcher-lock.js', import.meta.url).href;
  const holder = spawn(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(lockMod)}); await m.takeWatcherLock(${JSON.stringify(dir)}); console.log('held'); setInterval(() => {}, 1000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((r) => holder.stdout!.on('data', (d: Buffer) => d.toString().includes('held') && r()));
  await assert.rejects(takeWatcherLock(dir), /another watcher/);
  holder.kill('SIGKILL');
  await new Promise((r) => holder.once('exit', r));
  (await takeWatcherLock(dir))();
  rmSync(dir, { recursive: true });
});
