import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditdLogFile, auditdRunning, chooseSource } from '../../src/watch/choose-source.js';

test('auditd.conf log_file, else the default', () => {
  const dir = mkdtempSync(join(tmpdir(), 'st-conf-'));
  const conf = join(dir, 'auditd.conf');
  writeFileSync(conf, '# comment\nlocal_events = yes\nlog_file = /srv/audit/a.log\nlog_format = ENRICHED\n');
  assert.equal(auditdLogFile(conf), '/srv/audit/a.log');
  assert.equal(auditdLogFile(join(dir, 'missing.conf')), '/var/log/audit/audit.log');
  rmSync(dir, { recursive: true });
});

test('a stale auditd pid file is not a running auditd', () => {
  const dir = mkdtempSync(join(tmpdir(), 'st-pid-'));
  writeFileSync(join(dir, 'auditd.pid'), `${process.pid}\n`);
  assert.equal(auditdRunning(join(dir, 'auditd.pid')), false);
  assert.equal(auditdRunning(join(dir, 'none.pid')), false);
  rmSync(dir, { recursive: true });
});

test('explicit sources and the formats they imply', () => {
  assert.equal(chooseSource('kmsg').format, 'kmsg');
  assert.equal(chooseSource('journald').format, 'journald-json');
  assert.equal(chooseSource('auditd').format, 'auditd');
  assert.equal(chooseSource('-').source.key, 'stdin');
  const f = chooseSource('/tmp/some.log');
  assert.equal(f.format, undefined);
  assert.equal(f.source.key, 'file:/tmp/some.log');
});
