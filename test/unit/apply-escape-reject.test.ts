import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { planApply } from '../../src/apply/apply.js';
import { formatProposalPage, formatProposalTable } from '../../src/apply/present.js';
import { isRejected, rejectionChecker } from '../../src/state/rejections.js';
import { rejectProposal, undoRejection } from '../../src/apply/reject.js';
import { unifiedDiff } from '../../src/apply/render.js';
import { readProposal } from '../../src/profile/proposal-store.js';
import { escapeTerminal } from '../../src/terminal/escape.js';
import { proposalPath } from '../../src/profile/proposal.js';
import { setup } from '../helpers/apply-setup.js';
import { fakeLib } from '../helpers/fake-libseccomp.js';

const HOSTILE = 'x\u001b]0;owned\u0007\u001b[2J\r\nroot ALL applied\u202eevil\\n\u0000\u009b';

describe('terminal escaping of hostile strings', () => {
  const table: Array<[string, string]> = [
    ['plain', 'plain'],
    ['tab\tnl\ncr\r', 'tab\\tnl\\ncr\\r'],
    ['\u001b[31mred', '\\e[31mred'],
    ['bell\u0007 del\u007f c1\u009b', 'bell\\x07 del\\x7f c1\\x9b'],
    ['back\\slash', 'back\\\\slash'],
    ['bidi\u202eoverride \u2066iso\u2069', 'bidi\\u{202e}override \\u{2066}iso\\u{2069}'],
    ['zero\u200bwidth\ufeff', 'zero\\u{200b}width\\u{feff}'],
    ['ünïcödé 中文', 'ünïcödé 中文'],
  ];
  for (const [input, out] of table) it(JSON.stringify(input), () => assert.equal(escapeTerminal(input), out));

  it('is injective on the hostile example (a literal \\n stays distinguishable from a newline)', () => {
    assert.notEqual(escapeTerminal('a\nb'), escapeTerminal('a\\nb'));
  });

  it('list, show and diff never pass a control character through; JSON keeps the exact bytes', async () => {
    const s = setup(['openat']);
    const p = { ...s.proposal, container: { name: HOSTILE }, add: s.proposal.add.map((a) => ({ ...a, comm: [HOSTILE], exe: [`/bin/${HOSTILE}`] })) };
    const plan = planApply(p, s.before, { lib: fakeLib });
    const outputs = [formatProposalTable([p]), formatProposalPage(p, plan, false), formatProposalPage(p, new Error(HOSTILE), false),
      unifiedDiff(HOSTILE, `${HOSTILE}\n`, 'b\n', false)];
    for (const text of outputs) {
      // Newlines only as line ends of our own lines: no line may contain the forged row.
      assert.doesNotMatch(text, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/);
      assert.ok(!text.split('\n').some((l) => l.startsWith('root ALL')), 'a forged line');
    }
    assert.equal(JSON.parse(JSON.stringify(p)).add[0].comm[0], HOSTILE);
  });
});

describe('reject', () => {
  it('records the syscalls for that profile, is seen by the watcher check, and can be undone', async () => {
    const s = setup(['openat', 'futex']);
    const check = rejectionChecker(s.stateDir);
    assert.equal(check(s.profilePath, 'x86_64', 'openat'), false);
    await rejectProposal(s.stateDir, s.proposal.id, { reason: 'the app must not open files' });
    const p = await readProposal(s.stateDir, s.proposal.id);
    assert.equal(p.status, 'rejected');
    assert.equal(p.rejected?.reason, 'the app must not open files');
    assert.equal(isRejected(s.stateDir, s.profilePath, 'x86_64', 'openat'), true);
    assert.equal(check(s.profilePath, 'x86_64', 'futex'), true);
    assert.equal(isRejected(s.stateDir, s.profilePath, 'x86', 'openat'), false, 'per arch');
    assert.equal(isRejected(s.stateDir, '/other/profile.json', 'x86_64', 'openat'), false, 'per profile');
    assert.deepEqual(readFileSync(s.profilePath), s.before);

    const forgotten = await undoRejection(s.stateDir, s.proposal.id);
    assert.deepEqual(forgotten.map((f) => f.syscall).sort(), ['futex', 'openat']);
    assert.equal(check(s.profilePath, 'x86_64', 'openat'), false);
    assert.equal(JSON.parse(readFileSync(proposalPath(s.stateDir, s.proposal.id), 'utf8')).status, 'open');
  });
});
