// The HTML report in a real browser: headless Chromium parses it into the expected sections, a
// hostile name in the timeline stays text (no element is created from it), and it renders to a
// screenshot. Root only because CI runs Chromium as root (--no-sandbox); skipped without Chromium.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { packagePath } from '../../src/native/package-root.js';

const chromium = ['chromium', 'chromium-browser'].find((c) => spawnSync('sh', ['-c', `command -v ${c}`]).status === 0);
const skip = process.getuid?.() !== 0 ? 'needs root' : !chromium ? 'chromium is not installed (apt-get install chromium)' : false;

function browser(work: string, args: string[]): string {
  const r = spawnSync(chromium!, ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', `--user-data-dir=${join(work, 'chromium')}`, ...args], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `chromium failed: ${r.stderr}`);
  return r.stdout;
}

test('the HTML report parses and renders in headless Chromium', { skip, timeout: 120_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), 'st-report-chromium-'));
  try {
    const profile = join(work, 'p.json');
    writeFileSync(profile, JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86_64'], syscalls: [
      { names: ['read', 'write', 'openat', 'close', 'execve', 'exit_group', 'ptrace', 'uname'], action: 'SCMP_ACT_ALLOW' }] }));
    writeFileSync(`${profile}.timeline.json`, JSON.stringify([
      { name: 'execve', arch: 'x86_64', firstSeen: '2026-01-01T00:00:00.000Z' },
      { name: 'read', arch: 'x86_64', firstSeen: '2026-01-01T00:00:01.500Z' },
      { name: '<img src=x onerror=alert(1)>', arch: 'x86_64', firstSeen: '2026-01-01T00:00:09.000Z' },
    ]));
    const html = join(work, 'r.html');
    const r = spawnSync(process.execPath, [packagePath('bin', 'seccomp-tailor'), 'report', profile, '--html', html], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /wrote .*r\.html: 8 syscalls/);

    const dom = browser(work, ['--dump-dom', `file://${html}`]);
    for (const id of ['by-kind', 'allowed', 'risky', 'removed', 'growth', 'arches']) assert.match(dom, new RegExp(`<section class="card" id="${id}">`));
    assert.equal((dom.match(/<svg /g) ?? []).length, 2, 'two charts');
    assert.doesNotMatch(dom, /<img/i, 'the hostile name created no element');
    assert.match(dom, /last new: &lt;img src=x onerror=alert\(1\)&gt; at \+9\.0 s/);

    const png = join(work, 'r.png');
    browser(work, [`--screenshot=${png}`, '--window-size=1280,1600', `file://${html}`]);
    const bytes = readFileSync(png);
    assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG');
    assert.equal(bytes.readUInt32BE(16), 1280, 'screenshot width');
    assert.ok(bytes.length > 20_000, `a screenshot with content (${bytes.length} bytes)`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
