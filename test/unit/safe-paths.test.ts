import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDirNoFollow, readBaseline, resolveAllowed, writeOutput } from '../../src/record/hook/safe-paths.js';
import { parseHookConfig } from '../../src/record/hook/config.js';

const root = process.getuid?.() === 0;
const code = (re: RegExp) => (e: unknown) => {
  assert.equal((e as { code?: string }).code, 'HOOK_PATH_REFUSED');
  assert.match((e as Error).message, re);
  return true;
};

const owner = (s: { dir: string }, containerId = 'c1', replaceable: string[] = []) => ({ stateDir: join(s.dir, 'state'), containerId, replaceable });

function sandbox(): { dir: string; allowed: string; outside: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'st-safe-'));
  const allowed = join(dir, 'allowed');
  const outside = join(dir, 'outside');
  mkdirSync(allowed);
  mkdirSync(outside);
  return { dir, allowed, outside, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('resolveAllowed: bare names land in the default dir; outside paths are refused', () => {
  assert.deepEqual(resolveAllowed('ls.json', ['/d'], '/d'), { path: '/d/ls.json', dir: '/d', name: 'ls.json' });
  assert.equal(resolveAllowed('/tmp/x/ls.json', ['/tmp'], '/d').path, '/tmp/x/ls.json');
  assert.throws(() => resolveAllowed('/etc/passwd', ['/tmp', '/d'], '/d'), code(/outside the directories/));
  assert.throws(() => resolveAllowed('/tmpfoo/a.json', ['/tmp'], '/d'), code(/outside/), 'prefix is not containment');
  assert.throws(() => resolveAllowed('/tmp/../etc/a.json', ['/tmp'], '/d'), code(/\.\./));
});

test('a symlink anywhere in the output path is refused and nothing is written', async () => {
  const s = sandbox();
  try {
    symlinkSync(s.outside, join(s.allowed, 'link'));
    const f = resolveAllowed(join(s.allowed, 'link', 'p.json'), [s.allowed], s.allowed);
    await assert.rejects(writeOutput(f, '{}', owner(s)), code(/symbolic link/));
    assert.deepEqual(readdirSync(s.outside), []);
    // final component a symlink to a file outside: not written through, target untouched
    writeFileSync(join(s.outside, 'victim'), 'keep');
    symlinkSync(join(s.outside, 'victim'), join(s.allowed, 'p.json'));
    await assert.rejects(writeOutput(resolveAllowed(join(s.allowed, 'p.json'), [s.allowed], s.allowed), '{}', owner(s)), code(/symbolic link/));
    assert.equal(readFileSync(join(s.outside, 'victim'), 'utf8'), 'keep');
    // the allowed directory itself reached through a symlink
    symlinkSync(s.allowed, join(s.dir, 'alias'));
    const viaAlias = join(s.dir, 'alias');
    await assert.rejects(writeOutput(resolveAllowed(join(viaAlias, 'q.json'), [viaAlias], viaAlias), '{}', owner(s)), code(/symbolic link/));
    assert.ok(!existsSync(join(s.allowed, 'q.json')));
  } finally {
    s.done();
  }
});

test('writeOutput writes atomically, 0644, and leaves no temp file', async () => {
  const s = sandbox();
  try {
    const f = resolveAllowed(join(s.allowed, 'p.json'), [s.allowed], s.allowed);
    await writeOutput(f, '{"a":1}\n', owner(s));
    await writeOutput(f, '{"a":2}\n', owner(s));
    assert.equal(readFileSync(f.path, 'utf8'), '{"a":2}\n');
    assert.deepEqual(readdirSync(s.allowed), ['p.json']);
  } finally {
    s.done();
  }
});

// Issue 12, attack 5: of:NAME in a shared directory names another container's profile.
test('a recording replaces only what the same container recorded, or what the admin listed', { skip: root ? false : 'needs root (files must be root\'s)' }, async () => {
  const s = sandbox();
  try {
    const f = resolveAllowed(join(s.allowed, 'web.json'), [s.allowed], s.allowed);
    await writeOutput(f, '{"web":1}\n', owner(s, 'web'));
    await writeOutput(f, '{"web":2}\n', owner(s, 'web'));
    await assert.rejects(writeOutput(f, '{"evil":1}\n', owner(s, 'evil')), code(/recorded by container web; not replacing it/));
    assert.equal(readFileSync(f.path, 'utf8'), '{"web":2}\n');
    // A file no recording wrote (the admin's, say) is not replaced either ...
    const g = resolveAllowed(join(s.allowed, 'admin.json'), [s.allowed], s.allowed);
    writeFileSync(g.path, 'admin', { mode: 0o644 });
    await assert.rejects(writeOutput(g, '{}', owner(s, 'evil')), code(/was not written by a recording/));
    // ... unless the admin lists it.
    await writeOutput(g, '{}\n', owner(s, 'evil', [g.path]));
    assert.equal(readFileSync(g.path, 'utf8'), '{}\n');
  } finally {
    s.done();
  }
});

test('a replaced output is root\'s 0644: no set-id or world-write bit survives; hard links are refused', { skip: root ? false : 'needs root' }, async () => {
  const s = sandbox();
  try {
    const f = resolveAllowed(join(s.allowed, 'p.json'), [s.allowed], s.allowed);
    writeFileSync(f.path, 'x');
    chmodSync(f.path, 0o6777);
    await writeOutput(f, '{}\n', owner(s, 'c1', [f.path]));
    assert.equal(statSync(f.path).mode & 0o7777, 0o644);
    execFileSync('ln', [f.path, join(s.allowed, 'second-name')]);
    await assert.rejects(writeOutput(f, '{}\n', owner(s, 'c1', [f.path])), code(/2 hard links/));
  } finally {
    s.done();
  }
});

test('an existing output owned by someone else is not replaced', { skip: root ? false : 'needs root (chown)' }, async () => {
  const s = sandbox();
  try {
    const p = join(s.allowed, 'p.json');
    writeFileSync(p, 'planted');
    chownSync(p, 1000, 1000);
    await assert.rejects(writeOutput(resolveAllowed(p, [s.allowed], s.allowed), '{}', owner(s)), code(/owned by uid 1000/));
    assert.equal(readFileSync(p, 'utf8'), 'planted');
  } finally {
    s.done();
  }
});

test('baseline rules: symlink, FIFO (no hang), group-writable, foreign owner, too big', { skip: root ? false : 'needs root (chown)' }, () => {
  const s = sandbox();
  try {
    const at = (n: string) => resolveAllowed(join(s.allowed, n), [s.allowed], s.allowed);
    writeFileSync(join(s.allowed, 'good.json'), '{"x":1}');
    chmodSync(join(s.allowed, 'good.json'), 0o644);
    assert.equal(readBaseline(at('good.json')), '{"x":1}');

    writeFileSync(join(s.outside, 'secret'), 'root only');
    symlinkSync(join(s.outside, 'secret'), join(s.allowed, 'link.json'));
    assert.throws(() => readBaseline(at('link.json')), code(/symbolic link/));

    execFileSync('mkfifo', [join(s.allowed, 'fifo.json')]);
    const t0 = Date.now();
    assert.throws(() => readBaseline(at('fifo.json')), code(/not a regular file/));
    assert.ok(Date.now() - t0 < 1000, 'did not block on the FIFO');

    writeFileSync(join(s.allowed, 'gw.json'), '{}');
    chmodSync(join(s.allowed, 'gw.json'), 0o664);
    assert.throws(() => readBaseline(at('gw.json')), code(/writable by group or others/));

    writeFileSync(join(s.allowed, 'user.json'), '{}');
    chmodSync(join(s.allowed, 'user.json'), 0o644);
    chownSync(join(s.allowed, 'user.json'), 1000, 1000);
    assert.throws(() => readBaseline(at('user.json')), code(/owned by uid 1000/));

    writeFileSync(join(s.allowed, 'big.json'), Buffer.alloc((1 << 20) + 1, 0x20));
    chmodSync(join(s.allowed, 'big.json'), 0o644);
    assert.throws(() => readBaseline(at('big.json')), code(/larger than/));

    assert.throws(() => readBaseline(resolveAllowed(join(s.outside, 'secret'), [s.allowed], s.allowed)), code(/outside/));
  } finally {
    s.done();
  }
});

test('openDirNoFollow refuses a file in the middle of the path', () => {
  const s = sandbox();
  try {
    writeFileSync(join(s.allowed, 'f'), '');
    assert.throws(() => openDirNoFollow(join(s.allowed, 'f', 'x')), code(/not a directory/));
    const held = openDirNoFollow(s.allowed);
    held.close();
  } finally {
    s.done();
  }
});

test('hook config: defaults, /tmp added, unknown keys and relative dirs rejected', () => {
  const c = parseHookConfig({ allowedDirs: ['/tmp/'] }, 'x');
  assert.deepEqual(c.allowedDirs, ['/var/lib/seccomp-tailor/profiles', '/tmp']);
  assert.equal(c.onFailure, 'start');
  assert.throws(() => parseHookConfig({ allowedDir: ['/tmp'] }, 'x'), /unknown setting "allowedDir"/);
  assert.throws(() => parseHookConfig({ allowedDirs: ['tmp'] }, 'x'), /absolute/);
  assert.throws(() => parseHookConfig({ onFailure: 'maybe' }, 'x'), /onFailure/);
});

test('hook config: alsoRuntimes is a list of runtime names', () => {
  assert.deepEqual(parseHookConfig({ alsoRuntimes: ['crun'] }, 'x').alsoRuntimes, ['crun']);
  assert.throws(() => parseHookConfig({ alsoRuntimes: ['../x'] }, 'x'), /alsoRuntimes/);
  assert.throws(() => parseHookConfig({ alsoRuntimes: 'crun' }, 'x'), /alsoRuntimes/);
});
