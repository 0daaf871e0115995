// Fleet view: export on one state directory, import into another. The same proposal (matched by
// the profile's content hash), evidence summed, and nothing duplicated by a second import, by a
// central host's re-export, or by a host's own evidence coming back. The document is hostile input.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseFleetDocument, serializeFleetDocument } from '../../src/fleet/document.js';
import { exportProposals } from '../../src/fleet/export.js';
import { importProposals } from '../../src/fleet/import.js';
import { packageRoot } from '../../src/native/package-root.js';
import { proposalId, sha256Hex, type Proposal } from '../../src/profile/proposal.js';
import { listProposals } from '../../src/profile/proposal-store.js';
import { COMPLAIN, denial, engineSetup } from '../helpers/engine-setup.js';

const never = () => false;
const counts = (p: Proposal) => p.add.map((a) => [a.syscall, a.count]);

/** Two hosts running the same profile file (same path, same bytes), each with its own replicas. */
function twoHosts() {
  const root = mkdtempSync(join(tmpdir(), 'st-fleet-'));
  const profilePath = join(root, 'etc', 'web.json');
  mkdirSync(join(root, 'etc'));
  const a = engineSetup(COMPLAIN, { dir: join(root, 'a'), profilePath });
  const b = engineSetup(COMPLAIN, { dir: join(root, 'b'), profilePath });
  mkdirSync(a.dir);
  mkdirSync(b.dir);
  const ea = a.engine();
  for (let i = 0; i < 3; i++) ea.handle(denial('a1', 'uname'));
  ea.handle(denial('a2', 'sync'));
  ea.flush();
  const eb = b.engine();
  eb.handle(denial('b1', 'uname'));
  eb.handle(denial('b1', 'getpid'));
  eb.flush();
  const exportOf = (stateDir: string, host: string) => {
    const file = join(root, `${host}-${Date.now()}-${Math.random()}.json`);
    writeFileSync(file, serializeFleetDocument(exportProposals(stateDir, host).document));
    return file;
  };
  return { root, profilePath, a, b, ea, eb, exportOf };
}

describe('proposals export / import', () => {
  it('merges by profile content hash: one proposal, evidence summed, per-container evidence with the host', () => {
    const h = twoHosts();
    const file = h.exportOf(h.a.stateDir, 'node-a');
    const doc = parseFleetDocument(readFileSync(file, 'utf8'), file);
    assert.equal(doc.host, 'node-a');
    assert.equal(doc.items.length, 1);
    assert.equal(doc.items[0]!.profile.sha256, sha256Hex(readFileSync(h.profilePath)));
    const r = importProposals(file, { stateDir: h.b.stateDir, host: 'node-b', isRejected: never, profileDirs: ['/'] });
    assert.deepEqual(r.items.map((i) => i.kind), ['merged']);
    const { proposals } = listProposals(h.b.stateDir);
    assert.equal(proposals.length, 1);
    const p = proposals[0]!;
    assert.equal(p.id, proposalId(h.profilePath));
    assert.deepEqual(counts(p), [['getpid', 1], ['sync', 1], ['uname', 4]]);
    assert.deepEqual(p.containers.map((c) => [c.host ?? 'local', c.id, c.count]), [['local', 'b1', 2], ['node-a', 'a1', 3], ['node-a', 'a2', 1]]);
    rmSync(h.root, { recursive: true });
  });

  it('a second import of the same file, or of an older export, duplicates nothing; a newer one replaces', () => {
    const h = twoHosts();
    const first = h.exportOf(h.a.stateDir, 'node-a');
    importProposals(first, { stateDir: h.b.stateDir, host: 'node-b', isRejected: never, profileDirs: ['/'] });
    const once = listProposals(h.b.stateDir).proposals[0]!;
    assert.deepEqual(importProposals(first, { stateDir: h.b.stateDir, host: 'node-b', isRejected: never, profileDirs: ['/'] }).items.map((i) => i.kind), ['unchanged']);
    assert.deepEqual(listProposals(h.b.stateDir).proposals[0], once);
    // node-a sees more; its newer export replaces its earlier contribution instead of adding to it.
    h.ea.handle(denial('a1', 'uname'));
    h.ea.flush();
    const second = h.exportOf(h.a.stateDir, 'node-a');
    importProposals(second, { stateDir: h.b.stateDir, host: 'node-b', isRejected: never, profileDirs: ['/'] });
    assert.deepEqual(counts(listProposals(h.b.stateDir).proposals[0]!), [['getpid', 1], ['sync', 1], ['uname', 5]]);
    importProposals(first, { stateDir: h.b.stateDir, host: 'node-b', isRejected: never, profileDirs: ['/'] });
    assert.deepEqual(counts(listProposals(h.b.stateDir).proposals[0]!), [['getpid', 1], ['sync', 1], ['uname', 5]]);
    rmSync(h.root, { recursive: true });
  });

  it('the watcher keeps imported evidence when it rewrites the proposal, and never counts it as its own', () => {
    const h = twoHosts();
    importProposals(h.exportOf(h.a.stateDir, 'node-a'), { stateDir: h.b.stateDir, host: 'node-b', isRejected: never, profileDirs: ['/'] });
    h.eb.handle(denial('b2', 'uname'));
    h.eb.flush();
    let p = listProposals(h.b.stateDir).proposals[0]!;
    assert.deepEqual(counts(p), [['getpid', 1], ['sync', 1], ['uname', 5]]);
    // Pruned and seeded again from the file: only node-b's share becomes its counts.
    assert.equal(h.eb.prune(new Set()), 1);
    h.eb.handle(denial('b2', 'uname'));
    h.eb.flush();
    p = listProposals(h.b.stateDir).proposals[0]!;
    assert.deepEqual(counts(p), [['getpid', 1], ['sync', 1], ['uname', 6]]);
    assert.deepEqual(p.containers.filter((c) => !c.host).map((c) => [c.id, c.count]), [['b1', 2], ['b2', 2]]);
    rmSync(h.root, { recursive: true });
  });

  it('a central host: created without the profile file; re-exported, it counts every origin once', () => {
    const h = twoHosts();
    const central = join(h.root, 'central');
    const fromA = h.exportOf(h.a.stateDir, 'node-a');
    const fromB = h.exportOf(h.b.stateDir, 'node-b');
    rmSync(h.profilePath);
    assert.deepEqual(importProposals(fromA, { stateDir: central, host: 'hub', isRejected: never, profileDirs: ['/'] }).items.map((i) => i.kind), ['created']);
    assert.deepEqual(importProposals(fromB, { stateDir: central, host: 'hub', isRejected: never, profileDirs: ['/'] }).items.map((i) => i.kind), ['merged']);
    const p = listProposals(central).proposals[0]!;
    assert.deepEqual(counts(p), [['getpid', 1], ['sync', 1], ['uname', 4]]);
    assert.deepEqual(p.patch.map((o) => o.value), ['getpid', 'sync', 'uname']);
    // The hub's export carries both origins; node-b importing it gets node-a's share once and ignores its own.
    writeFileSync(h.profilePath, JSON.stringify(COMPLAIN, null, 2) + '\n');
    const hub = h.exportOf(central, 'hub');
    importProposals(hub, { stateDir: h.b.stateDir, host: 'node-b', isRejected: never, profileDirs: ['/'] });
    importProposals(fromA, { stateDir: h.b.stateDir, host: 'node-b', isRejected: never, profileDirs: ['/'] });
    assert.deepEqual(counts(listProposals(h.b.stateDir).proposals[0]!), [['getpid', 1], ['sync', 1], ['uname', 4]]);
    rmSync(h.root, { recursive: true });
  });

  it('hostile documents: a wrong hash, a path the target check refuses, a broken file are reported, nothing written', () => {
    const h = twoHosts();
    const file = h.exportOf(h.a.stateDir, 'node-a');
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    const other = join(h.root, 'other');
    const put = (d: unknown) => { writeFileSync(file, JSON.stringify(d)); return file; };

    // The profile text swapped for a wider one under the same hash.
    const swapped = structuredClone(doc);
    swapped.items[0].profile.content = JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW' });
    const r1 = importProposals(put(swapped), { stateDir: other, host: 'node-c', isRejected: never, profileDirs: ['/'] });
    assert.deepEqual(r1.items.map((i) => i.kind === 'refused' && i.why), ['the profile text does not match its sha256']);

    // A proposal for the host-wide default profile, which this host's administrator does not allow.
    const elsewhere = structuredClone(doc);
    elsewhere.items[0].profile.path = '/usr/share/containers/seccomp.json';
    const r2 = importProposals(put(elsewhere), { stateDir: other, host: 'node-c', isRejected: never, profileDirs: [join(h.root, 'etc')] });
    assert.deepEqual(r2.items.map((i) => i.kind === 'refused' && i.why), ['/usr/share/containers/seccomp.json: outside the profile directories the administrator allows (' + join(h.root, 'etc')+ '): see allowedDirs in /etc/seccomp-tailor/hook.json or watch --profile-dir']);
    const r3 = importProposals(put({ ...doc, items: [{ ...doc.items[0], profile: { ...doc.items[0].profile, path: '/etc/../root/x.json' } }] }), { stateDir: other, host: 'node-c', isRejected: never, profileDirs: ['/'] });
    assert.equal(r3.items[0]!.kind, 'refused');
    assert.deepEqual(listProposals(other).proposals, []);

    for (const bad of ['not json', JSON.stringify({ ...doc, apiVersion: 'v0' }), JSON.stringify({ ...doc, host: 'a\nb' }),
      JSON.stringify({ ...doc, items: [{ ...doc.items[0], contributions: [{ ...doc.items[0].contributions[0], add: [{ ...doc.items[0].contributions[0].add[0], syscall: '../x' }] }] }] })]) {
      writeFileSync(file, bad);
      assert.throws(() => importProposals(file, { stateDir: other, host: 'node-c', isRejected: never, profileDirs: ['/'] }), { code: 'FLEET_DOCUMENT_INVALID' });
    }
    assert.deepEqual(listProposals(other).proposals, []);
    rmSync(h.root, { recursive: true });
  });

  it('an import into a host whose file at that path has other content is refused', () => {
    const h = twoHosts();
    const file = h.exportOf(h.a.stateDir, 'node-a');
    const c = engineSetup({ ...COMPLAIN, defaultAction: 'SCMP_ACT_KILL_PROCESS' }, { dir: join(h.root, 'c'), profilePath: join(h.root, 'etc', 'web.json') });
    rmSync(h.a.stateDir, { recursive: true });
    const r = importProposals(file, { stateDir: c.stateDir, host: 'node-c', isRejected: never, profileDirs: ['/'] });
    assert.equal(r.items[0]!.kind, 'refused');
    assert.match((r.items[0] as { why: string }).why, /other content/);
    rmSync(h.root, { recursive: true });
  });
});

describe('the CLI: proposals export -o FILE, proposals import FILE', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, [join(packageRoot(), 'bin', 'seccomp-tailor'), ...args], { encoding: 'utf8' });

  it('exports atomically to a file, imports once, reports "nothing new" the second time', () => {
    const h = twoHosts();
    const file = join(h.root, 'a.json');
    const ex = cli('proposals', 'export', '-o', file, '--state-dir', h.a.stateDir, '--host', 'node-a');
    assert.equal(ex.status, 0, ex.stderr);
    assert.match(ex.stderr, /exported 1 proposal\(s\) of node-a/);
    const id = proposalId(h.profilePath);
    const first = cli('proposals', 'import', file, '--state-dir', h.b.stateDir, '--host', 'node-b', '--profile-dir', join(h.root, 'etc'));
    assert.equal(first.status, 0, first.stderr);
    assert.equal(first.stdout, `${id} ${h.profilePath}: merged with 1 contribution(s) from node-a\n`);
    const second = cli('proposals', 'import', file, '--state-dir', h.b.stateDir, '--host', 'node-b', '--profile-dir', join(h.root, 'etc'));
    assert.equal(second.stdout, `${id} ${h.profilePath}: nothing new from node-a\n`);
    const list = cli('proposals', 'list', '--state-dir', h.b.stateDir);
    assert.match(list.stdout, new RegExp(`^${id}\\s+open\\s+3 \\(2 hosts\\)\\s`, 'm'));
    const bad = cli('proposals', 'export', '--state-dir', h.a.stateDir, '--host', 'a b');
    assert.equal(bad.status, 2);
    rmSync(h.root, { recursive: true });
  });
});

describe('issue 19: fleet documents aimed at other files, and counts past 2^53', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, [join(packageRoot(), 'bin', 'seccomp-tailor'), ...args], { encoding: 'utf8' });
  const HOST_WIDE = '/usr/share/containers/seccomp.json';

  it('a document naming the host-wide default profile (its exact text and sha256, plus one syscall) is neither imported nor applied', { skip: !existsSync(HOST_WIDE) && `${HOST_WIDE} is not installed` }, () => {
    const h = twoHosts();
    const doc = JSON.parse(readFileSync(h.exportOf(h.a.stateDir, 'node-a'), 'utf8'));
    const text = readFileSync(HOST_WIDE, 'utf8');
    doc.items[0].profile = { sha256: sha256Hex(Buffer.from(text)), path: HOST_WIDE, content: text };
    doc.items[0].contributions[0].add = [{ ...doc.items[0].contributions[0].add[0], syscall: 'futex_waitv' }]; // not in the 2022 file
    const file = join(h.root, 'hostile.json');
    writeFileSync(file, JSON.stringify(doc));
    const state = join(h.root, 'hub');
    // Default directories (hook config, the watcher's) and an explicit one: refused either way.
    for (const extra of [[], ['--profile-dir', join(h.root, 'etc')]]) {
      const r = cli('proposals', 'import', file, '--state-dir', state, '--host', 'hub', ...extra);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /not imported: \/usr\/share\/containers\/seccomp\.json .*outside the profile directories/);
      assert.deepEqual(listProposals(state).proposals, []);
    }
    // A proposal for it planted in the state directory by any other path: apply refuses it too.
    const planted = importProposals(file, { stateDir: state, host: 'hub', isRejected: never, profileDirs: ['/usr/share/containers'] });
    assert.equal(planted.items[0]!.kind, 'created');
    const id = proposalId(HOST_WIDE);
    for (const args of [['apply', id, '--dry-run'], ['apply', id, '--yes', '--allow-risky'], ['apply', id, '--yes', '--profile-dir', join(h.root, 'etc')]]) {
      const r = cli(...args, '--state-dir', state);
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /APPLY_TARGET_REFUSED|not writing there: outside the profile directories/);
    }
    assert.equal(readFileSync(HOST_WIDE, 'utf8'), text);
    rmSync(h.root, { recursive: true });
  });

  it('two contributions of 2^53-1 saturate: the proposal reads back, `proposals list` skips nothing', () => {
    const h = twoHosts();
    const doc = JSON.parse(readFileSync(h.exportOf(h.a.stateDir, 'node-a'), 'utf8'));
    const c0 = doc.items[0].contributions[0];
    const huge = (host: string) => ({ ...c0, host, add: c0.add.map((a: object) => ({ ...a, count: Number.MAX_SAFE_INTEGER })),
      containers: c0.containers.map((c: object) => ({ ...c, count: Number.MAX_SAFE_INTEGER })), otherContainers: { containers: Number.MAX_SAFE_INTEGER, count: Number.MAX_SAFE_INTEGER } });
    doc.items[0].contributions = [huge('evil-1'), huge('evil-2')];
    const file = join(h.root, 'huge.json');
    writeFileSync(file, JSON.stringify(doc));
    // Into a fresh hub and merged into a host's existing proposal.
    for (const [state, host] of [[join(h.root, 'hub'), 'hub'], [h.b.stateDir, 'node-b']] as const) {
      const r = cli('proposals', 'import', file, '--state-dir', state, '--host', host, '--profile-dir', join(h.root, 'etc'));
      assert.equal(r.status, 0, r.stderr);
      const { proposals, problems } = listProposals(state);
      assert.deepEqual(problems, []);
      assert.ok(proposals[0]!.add.every((a) => (a.syscall === 'getpid' ? a.count === 1 : a.count === Number.MAX_SAFE_INTEGER)), JSON.stringify(proposals[0]!.add.map((a) => [a.syscall, a.count])));
      assert.equal(proposals[0]!.otherContainers.count, Number.MAX_SAFE_INTEGER);
      const list = cli('proposals', 'list', '--state-dir', state);
      assert.equal(list.stderr, '');
    }
    rmSync(h.root, { recursive: true });
  });

  it('property: whatever counts the contributions carry, every proposal import writes reads back', () => {
    const h = twoHosts();
    const base = JSON.parse(readFileSync(h.exportOf(h.a.stateDir, 'node-a'), 'utf8'));
    const c0 = base.items[0].contributions[0];
    const count = fc.oneof(fc.nat(), fc.constantFrom(0, 1, 2 ** 52, Number.MAX_SAFE_INTEGER - 1, Number.MAX_SAFE_INTEGER), fc.integer({ min: 2 ** 50, max: Number.MAX_SAFE_INTEGER }));
    let n = 0;
    fc.assert(fc.property(fc.array(fc.tuple(count, count, count, count), { minLength: 1, maxLength: 6 }), (parts) => {
      const doc = structuredClone(base);
      doc.items[0].contributions = parts.map(([a, b, c, d], i) => ({ ...c0, host: `h${i}`, add: c0.add.map((x: object) => ({ ...x, count: a })),
        containers: c0.containers.map((x: object) => ({ ...x, count: b })), otherContainers: { containers: c, count: d } }));
      const file = join(h.root, `p${n}.json`);
      writeFileSync(file, JSON.stringify(doc));
      const state = join(h.root, `s${n++}`);
      importProposals(file, { stateDir: state, host: 'hub', isRejected: never, profileDirs: [join(h.root, 'etc')] });
      const { proposals, problems } = listProposals(state);
      return problems.length === 0 && proposals.length === 1 && proposals[0]!.add.every((a) => Number.isSafeInteger(a.count));
    }), { numRuns: 60 });
    rmSync(h.root, { recursive: true });
  });
});
