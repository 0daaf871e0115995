// Table test: every real log kept byte for byte in samples/logs/ against its expected events.
// UPDATE_SAMPLES=1 rewrites the expectations (then review the diff by eye).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { parseSample, readSample, samplesDir } from './helpers/parser-samples.js';

const logs = readdirSync(samplesDir).filter((f) => f.endsWith('.log')).sort();

test('there are samples from every source', () => {
  for (const prefix of ['auditd-raw', 'auditd-enriched', 'audisp-raw', 'audisp-enriched', 'kmsg', 'dmesg-plain', 'dmesg-T', 'dmesg-r', 'dmesg-iso',
    'syslog-traditional', 'syslog-rfc3339', 'syslog-rfc5424', 'journald-json', 'journald-short', 'public-fixtures', 'constructed']) {
    assert.ok(logs.includes(`${prefix}.log`), `samples/logs/${prefix}.log`);
  }
});

for (const log of logs) {
  test(`samples/logs/${log}`, () => {
    const got = parseSample(readSample(log));
    const expectedPath = samplesDir + log.replace(/\.log$/, '.expected.json');
    if (process.env.UPDATE_SAMPLES === '1' || !existsSync(expectedPath)) {
      writeFileSync(expectedPath, JSON.stringify(got, null, 1) + '\n');
    }
    assert.deepEqual(got, JSON.parse(readFileSync(expectedPath, 'utf8')));
  });
}
