// Table test: every real log kept byte for byte in samples/logs/ against its expected events.
// A log without its expectation fails: `npm run samples:update` (UPDATE_SAMPLES=1) writes them,
// deliberately, and the diff is then reviewed by eye.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { parseSample, readSample, samplesDir } from '../helpers/parser-samples.js';

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
    if (process.env.UPDATE_SAMPLES === '1') writeFileSync(expectedPath, JSON.stringify(got, null, 1) + '\n');
    assert.ok(existsSync(expectedPath), `samples/logs/${log} has no expectation: write it with \`npm run samples:update\` and review it`);
    assert.deepEqual(got, JSON.parse(readFileSync(expectedPath, 'utf8')));
  });
}
