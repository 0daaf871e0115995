import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { Cleanup } from '../../src/demo/cleanup.js';
import { Progress } from '../../src/demo/progress.js';

describe('demo cleanup', () => {
  it('undoes in reverse order, goes on after a failure, reports it, and runs once however often asked', async () => {
    const done: string[] = [];
    const c = new Cleanup();
    c.add('work dir', () => { done.push('work dir'); });
    c.add('watcher', async () => { await new Promise((r) => setTimeout(r, 5)); done.push('watcher'); });
    c.add('container', () => { throw new Error('runc delete failed'); });
    c.add('auditd', () => { done.push('auditd'); });
    const [a, b] = await Promise.all([c.run(), c.run()]);
    assert.deepEqual(done, ['auditd', 'watcher', 'work dir']);
    assert.deepEqual(a, ['container: runc delete failed']);
    assert.equal(a, b);
    assert.deepEqual(await c.run(), a);
    assert.deepEqual(done, ['auditd', 'watcher', 'work dir'], 'nothing undone twice');
  });
});

describe('demo progress', () => {
  it('numbers steps out of the total and refuses to start one after an interrupt', () => {
    let text = '';
    const out = new Writable({ write(chunk, _enc, cb) { text += String(chunk); cb(); } });
    const p = new Progress(3, out);
    p.begin('record');
    p.command('seccomp-tailor record -- ls /');
    p.done('27 syscalls');
    assert.match(text, /^\[1\/3\] record\n {6}\$ seccomp-tailor record -- ls \/\n {6}ok 27 syscalls \(\d+\.\d s\)\n$/);
    p.stopped = true;
    assert.throws(() => p.begin('next'), /interrupted/);
    assert.doesNotMatch(text, /\[2\/3\]/);
  });
});
