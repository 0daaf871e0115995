// The report's inputs from disk (libseccomp tables through the addon): a profile named directly or
// through a registered container, the timeline from --timeline, the sidecar or the registry entry.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isTailorError } from '../../src/errors.js';
import { loadReport } from '../../src/report/load.js';

const dir = mkdtempSync(join(tmpdir(), 'st-report-load-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const profile = join(dir, 'app.json');
writeFileSync(profile, JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read', 'write', 'exit_group', 'ptrace'], action: 'SCMP_ACT_ALLOW' }] }));
const reference = join(dir, 'default.json');
writeFileSync(reference, JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read', 'write', 'exit_group', 'openat', 'close', 'mount'], action: 'SCMP_ACT_ALLOW' }] }));
const stateDir = join(dir, 'state');
mkdirSync(join(stateDir, 'registry'), { recursive: true });
const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
writeFileSync(join(stateDir, 'registry', 'c1.json'), JSON.stringify({
  id: 'c1', runtime: 'runc', image: 'localhost/app:1', initPid: 42, initStartTime: 1, registeredAt: at(0), stoppedAt: at(30), profilePath: profile,
  timeline: [{ name: 'read', arch: 'x86_64', firstSeen: at(1) }, { name: 'ptrace', arch: 'x86_64', firstSeen: at(20) }],
}));

describe('report inputs', () => {
  it('a registered container: its profile file, facts and timeline', async () => {
    const m = await loadReport({ registryId: 'c1', stateDir, defaultProfile: reference });
    assert.equal(m.source, profile);
    assert.deepEqual(m.container, { id: 'c1', runtime: 'runc', image: 'localhost/app:1', registeredAt: at(0), stoppedAt: at(30) });
    assert.equal(m.allowedCount, 4);
    assert.equal(m.removedCount, 3);
    assert.deepEqual(m.growth?.points.map((p) => p.name), ['read', 'ptrace']);
    assert.equal(m.growth?.spanMs, 19_000);
  });

  it('the sidecar next to the profile wins over the registry; --timeline over both', async () => {
    writeFileSync(`${profile}.timeline.json`, JSON.stringify([{ name: 'write', arch: 'x86_64', firstSeen: at(0) }]));
    try {
      const side = await loadReport({ registryId: 'c1', stateDir, defaultProfile: reference });
      assert.deepEqual(side.growth?.points.map((p) => p.name), ['write']);
      const given = join(dir, 'given.json');
      writeFileSync(given, JSON.stringify({ timeline: [{ name: 'exit_group', arch: 'x86_64', firstSeen: at(5) }] }));
      const explicit = await loadReport({ profile, stateDir, timeline: given, defaultProfile: reference });
      assert.deepEqual(explicit.growth?.points.map((p) => p.name), ['exit_group']);
    } finally {
      rmSync(`${profile}.timeline.json`);
    }
  });

  it('no default profile file: no comparison, no error', async () => {
    const m = await loadReport({ profile, stateDir, defaultProfile: join(dir, 'absent.json') });
    assert.equal(m.removedCount, undefined);
    assert.equal(m.growth, undefined);
  });

  it('an unknown container or no profile at all is one clear error', async () => {
    await assert.rejects(loadReport({ registryId: 'nope', stateDir }), (e: unknown) => isTailorError(e) && e.code === 'REPORT_NO_PROFILE' && /no container nope/.test(e.message));
    await assert.rejects(loadReport({ stateDir }), (e: unknown) => isTailorError(e) && e.code === 'REPORT_NO_PROFILE');
  });
});
