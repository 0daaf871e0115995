// Container ids as Prometheus label values: a node that sees thousands of containers must not
// grow a series per id for ever (issue 12). The engine feeds real events through the mapper.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_CONTAINER_LABELS, OVERFLOW_LABEL, WatchMetrics } from '../../src/watch/metrics.js';

test('the first container ids keep their label; the rest are counted under one', async () => {
  const m = new WatchMetrics();
  const n = MAX_CONTAINER_LABELS + 300;
  for (let i = 0; i < n; i++) m.events.labels('log', m.containerLabel(`c${i}`)).inc();
  m.events.labels('log', m.containerLabel('host')).inc();
  m.events.labels('log', m.containerLabel('c0')).inc();
  const text = await m.registry.metrics();
  const series = text.split('\n').filter((l) => l.startsWith('seccomp_tailor_watch_events_total{'));
  assert.equal(series.length, MAX_CONTAINER_LABELS + 2, 'the cap, host, and the overflow label');
  assert.match(text, new RegExp(`container="${OVERFLOW_LABEL}"\\} 300\\b`));
  assert.match(text, /container="c0"\} 2\b/);
  assert.match(text, /container="host"\} 1\b/);
});
