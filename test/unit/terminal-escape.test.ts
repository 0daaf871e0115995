// One character set for everything a container chose that reaches a terminal, in both forms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeTerminal, quoteTerminal } from '../../src/terminal/escape.js';
import { eventText } from '../../src/watch/event-format.js';

// Each of these reorders, hides or breaks what the operator reads.
const INVISIBLE = ['\u2028', '\u2029', '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u061c', '\u200e', '\u202e', '\u2066', '\u0085', '\u009b'];

test('the plain form shows every invisible or line-breaking character as an escape', () => {
  for (const c of INVISIBLE) {
    const out = escapeTerminal(`a${c}b`);
    assert.notEqual(out, `a${c}b`, `U+${c.codePointAt(0)!.toString(16)}`);
    assert.match(out, /^a\\(x[0-9a-f]{2}|u\{[0-9a-f]+\})b$/);
  }
});

test('the quoted form (events) escapes the same set, and quotes and backslashes', () => {
  for (const c of INVISIBLE) assert.equal(quoteTerminal(`a${c}b`), `"a\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}b"`);
  assert.equal(quoteTerminal('say "hi"\\'), '"say \\"hi\\"\\\\"');
  assert.equal(quoteTerminal('plain /usr/bin/ls'), '"plain /usr/bin/ls"');
});

test('an event whose comm carries a line separator and a BOM prints on one visible line', () => {
  const line = eventText({ time: '2026-12-01T00:00:00.000Z', serial: 1, pid: 7, comm: 'x\u2028forged\ufeff', arch: 'x86_64', syscall: 1, compat: false, action: 'kill_process', code: '0x80000000' } as never);
  assert.doesNotMatch(line, /[\u2028\ufeff]/);
  assert.match(line, /comm="x\\u2028forged\\ufeff"/);
});
