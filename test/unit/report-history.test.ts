// report --html: the accumulation curve (distinct syscalls against runs, runs with new ones
// marked) appears when the profile has history, and not otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendRunHistory } from '../../src/history/history.js';
import { loadReport } from '../../src/report/load.js';
import { renderHtml } from '../../src/report/render-html.js';

test('the accumulation curve: one point per run, new syscalls marked, totals growing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'st-report-history-'));
  const state = join(dir, 'state');
  const profile = join(dir, 'app.json');
  writeFileSync(profile, JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['exit_group', 'write'], action: 'SCMP_ACT_ALLOW' }] }));
  const none = renderHtml(await loadReport({ profile, stateDir: state } as Parameters<typeof loadReport>[0]));
  assert.doesNotMatch(none, /id="accumulation"/);
  const added = [['uname', 'getppid'], [], ['uname'], [], ['socket'], []];
  added.forEach((names, i) => appendRunHistory(state, {
    profile, kind: 'shadow', container: `<c${i}>`, startedAt: new Date(Date.UTC(2026, 0, 1, i)).toISOString(), endedAt: new Date(Date.UTC(2026, 0, 1, i, 30)).toISOString(),
    added: names.map((name) => ({ arch: 'x86_64', name })),
  }));
  const m = await loadReport({ profile, stateDir: state } as Parameters<typeof loadReport>[0]);
  assert.deepEqual(m.accumulation!.points.map((p) => [p.run, p.total, p.new.join()]), [[1, 2, 'getppid,uname'], [2, 2, ''], [3, 2, ''], [4, 2, ''], [5, 3, 'socket'], [6, 3, '']]);
  const html = renderHtml(m);
  assert.match(html, /id="accumulation"/);
  assert.equal((html.match(/data-new="[1-9]/g) ?? []).length, 2, 'two runs brought new syscalls');
  assert.equal((html.match(/data-new="0"/g) ?? []).length, 4);
  assert.doesNotMatch(html, /<c0>/, 'container names are escaped');
});
