import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTraceAnnotation } from '../../src/oci/annotation.js';
import { TailorError } from '../../src/errors.js';

test('the forms oci-seccomp-bpf-hook users write', () => {
  assert.deepEqual(parseTraceAnnotation('of:/tmp/ls.json'), { output: '/tmp/ls.json' });
  assert.deepEqual(parseTraceAnnotation('if:/tmp/ls.json;of:/tmp/lsl.json'), { output: '/tmp/lsl.json', input: '/tmp/ls.json' });
  assert.deepEqual(parseTraceAnnotation('of:/tmp/lsl.json;if:/tmp/ls.json'), { output: '/tmp/lsl.json', input: '/tmp/ls.json' });
  assert.deepEqual(parseTraceAnnotation(' if:/a/b.json ; of:/c/d.json ;'), { output: '/c/d.json', input: '/a/b.json' });
  assert.deepEqual(parseTraceAnnotation('of:ls.json'), { output: 'ls.json' });
});

const rejected: Array<[string, string, RegExp]> = [
  ['unknown key', 'of:/tmp/a.json;xf:/tmp/b.json', /unknown key "xf"/],
  ['no key at all', '/tmp/a.json', /is not KEY:PATH/],
  ['relative traversal', 'of:../../etc/passwd', /contains "\.\."/],
  ['absolute traversal', 'of:/var/lib/seccomp-tailor/profiles/../../../etc/shadow', /contains "\.\."/],
  ['NUL byte', 'of:/tmp/a.json\0.x', /NUL/],
  ['control character', 'of:/tmp/a\n.json', /control character/],
  ['three parts', 'if:/tmp/a.json;of:/tmp/b.json;of:/tmp/c.json', /3 parts/],
  ['missing of', 'if:/tmp/a.json', /"of:PATH".*missing/],
  ['duplicate key', 'of:/tmp/a.json;of:/tmp/b.json', /appears twice/],
  ['empty path', 'of:', /path is empty/],
  ['empty value', '', /is not KEY:PATH/],
  ['relative subdirectory', 'of:sub/a.json', /bare file name/],
  ['a directory', 'of:/tmp/', /names a directory/],
  ['too long', 'of:/' + 'a'.repeat(5000), /longer than/],
  // Issue 12: the value is echoed escaped, so a forged second log line stays on the first.
  ['a newline in a part without a key', 'x\n{"level":30,"msg":"new proposal"}', /"x\\n\{"level/],
  ['an escape sequence in a key', '\u001b[2J\u0007:/tmp/a.json;of:/tmp/b.json', /unknown key "\\e\[2J\\x07"/],
  ['a newline in a key', 'o\nf:/tmp/a.json', /unknown key "o\\nf"/],
];

for (const [what, value, message] of rejected) {
  test(`rejects ${what} with one line naming the problem`, () => {
    assert.throws(() => parseTraceAnnotation(value), (e: unknown) => {
      assert.ok(e instanceof TailorError);
      assert.equal(e.code, 'HOOK_ANNOTATION_INVALID');
      assert.match(e.message, message);
      assert.match(e.message, /^io\.containers\.trace-syscall: /);
      assert.ok(!/[\x00-\x1f\x7f]/.test(e.message), 'one line, no control character');
      return true;
    });
  });
}
