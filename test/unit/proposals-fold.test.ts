// One proposal per profile file: replicas fold into it with bounded per-container evidence, version 1
// state and files fold in on the way, and reject / apply (rebased) / rollback work on the result.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { applyProposal } from '../../src/apply/apply.js';
import { formatProposalTable } from '../../src/apply/present.js';
import { rejectProposal, undoRejection } from '../../src/apply/reject.js';
import { isRejected } from '../../src/state/rejections.js';
import { rollbackProfile } from '../../src/apply/rollback.js';
import { MAX_CONTAINERS, proposalId, proposalPath, sha256Hex } from '../../src/profile/proposal.js';
import { parseProfile } from '../../src/profile/schema.js';
import { proposalsDir } from '../../src/state/paths.js';
import { listProposals, readProposal } from '../../src/profile/proposal-store.js';
import { watchStatePath } from '../../src/watch/state-store.js';
import { COMPLAIN, denial, engineSetup } from '../helpers/engine-setup.js';
import { fakeLib } from '../helpers/fake-libseccomp.js';

const TEN = ['uname', 'sysinfo', 'sync', 'getpid', 'getppid', 'getuid', 'getgid', 'geteuid', 'getegid', 'gettid'];

describe('one proposal per profile file', () => {
  it('10 containers, each denied a different syscall: one proposal with the union and 10 containers', () => {
    const s = engineSetup();
    const e = s.engine();
    TEN.forEach((name, i) => { for (let k = 0; k <= i; k++) e.handle(denial(`c${i}`, name)); });
    e.flush();
    const { proposals } = listProposals(s.stateDir);
    assert.equal(proposals.length, 1);
    const p = proposals[0]!;
    assert.equal(p.id, proposalId(s.profilePath));
    assert.deepEqual(p.add.map((a) => a.syscall), [...TEN].sort());
    assert.equal(p.containers.length, 10);
    assert.deepEqual(p.otherContainers, { containers: 0, count: 0 });
    for (const [i, name] of TEN.entries()) {
      const c = p.containers.find((x) => x.id === `c${i}`)!;
      assert.deepEqual([c.count, c.syscalls, c.name, c.image], [i + 1, [name], `web-c${i}`, 'registry.example/web:1']);
    }
    assert.match(formatProposalTable([p]), new RegExp(`${p.id}\\s+open\\s+10\\s`));
    rmSync(s.dir, { recursive: true });
  });

  it('evidence names at most MAX_CONTAINERS containers and counts the rest, each once', () => {
    const s = engineSetup();
    const e = s.engine();
    for (let i = 0; i < MAX_CONTAINERS + 70; i++) e.handle(denial(`c${i}`, 'uname'));
    // Containers beyond the bound asking again are not counted again as containers.
    for (let i = MAX_CONTAINERS; i < MAX_CONTAINERS + 10; i++) e.handle(denial(`c${i}`, 'uname'));
    e.flush();
    const p = listProposals(s.stateDir).proposals[0]!;
    assert.equal(p.containers.length, MAX_CONTAINERS);
    assert.deepEqual(p.otherContainers, { containers: 70, count: 80 });
    assert.equal(p.add[0]!.count, MAX_CONTAINERS + 80);
    assert.match(formatProposalTable([p]), new RegExp(`\\s${MAX_CONTAINERS + 70}\\s`));
    // The state stays bounded too: the rest's ids are a capped memo, not a record per container.
    const state = JSON.parse(readFileSync(watchStatePath(s.stateDir), 'utf8'));
    assert.equal(Object.keys(state.aggregate.subjects[p.id].containers).length, MAX_CONTAINERS);
    // A restart continues the same counts.
    const again = s.engine();
    again.handle(denial('c-new', 'uname'));
    again.flush();
    assert.deepEqual(readProposal(s.stateDir, p.id).otherContainers, { containers: 71, count: 81 });
    rmSync(s.dir, { recursive: true });
  });

  it('a subject pruned and seeded again from its file keeps per-container counts', () => {
    const s = engineSetup();
    const e = s.engine();
    e.handle(denial('a', 'uname'));
    e.handle(denial('b', 'sync'));
    e.flush();
    assert.equal(e.prune(new Set()), 1);
    e.handle(denial('a', 'uname'));
    e.flush();
    const p = listProposals(s.stateDir).proposals[0]!;
    assert.deepEqual(p.containers.map((c) => [c.id, c.count]), [['a', 2], ['b', 1]]);
    assert.equal(p.add.find((a) => a.syscall === 'uname')!.count, 2);
    rmSync(s.dir, { recursive: true });
  });
});

describe('version 1 state and proposal files', () => {
  it('fold into the profile file\'s proposal: counts kept, nothing counted twice, the old files removed', () => {
    const s = engineSetup();
    const sha = sha256Hex(readFileSync(s.profilePath));
    const t = (syscall: string, count: number) => ({ arch: 'x86_64', syscall, nr: -1, count, firstSeen: '2026-01-01T00:00:00.000Z', lastSeen: '2026-01-01T00:00:09.000Z', comm: ['app'], exe: ['/bin/app'], actions: ['log'] });
    // Two containers in the old state (one subject each), and a third whose subject was pruned: only its file is left.
    const old = {
      version: 1, checkpoints: {}, savedAt: 'x',
      aggregate: { subjects: {
        aaaaaaaaaaa1: { id: 'aaaaaaaaaaa1', container: { id: 'old-a', runtime: 'runc' }, profilePath: s.profilePath, tallies: { 'x86_64/uname': t('uname', 3) } },
        aaaaaaaaaaa2: { id: 'aaaaaaaaaaa2', container: { id: 'old-b', runtime: 'runc' }, profilePath: s.profilePath, tallies: { 'x86_64/uname': t('uname', 2), 'x86_64/sync': t('sync', 1) } },
      } },
    };
    mkdirSync(join(s.stateDir, 'watch'), { recursive: true });
    writeFileSync(watchStatePath(s.stateDir), JSON.stringify(old));
    mkdirSync(proposalsDir(s.stateDir), { recursive: true, mode: 0o755 });
    const v1 = (id: string, container: string, add: Array<[string, number]>) => ({
      version: 1, id, container: { id: container }, profile: { path: s.profilePath, sha256: sha }, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:09.000Z',
      add: add.map(([syscall, count]) => ({ ...t(syscall, count), nr: undefined })), blockedByRule: [], patch: [], status: 'open',
    });
    writeFileSync(proposalPath(s.stateDir, 'aaaaaaaaaaa1'), JSON.stringify(v1('aaaaaaaaaaa1', 'old-a', [['uname', 3]])), { mode: 0o644 });
    writeFileSync(proposalPath(s.stateDir, 'aaaaaaaaaaa2'), JSON.stringify(v1('aaaaaaaaaaa2', 'old-b', [['sync', 1], ['uname', 2]])), { mode: 0o644 });
    writeFileSync(proposalPath(s.stateDir, 'aaaaaaaaaaa3'), JSON.stringify(v1('aaaaaaaaaaa3', 'old-c', [['getpid', 4]])), { mode: 0o644 });
    // Before any watcher runs, every reader migrates on read.
    assert.deepEqual(listProposals(s.stateDir).proposals.map((p) => [p.version, p.containers.length]), [[2, 1], [2, 1], [2, 1]]);

    const e = s.engine();
    e.handle(denial('new-d', 'uname'));
    e.flush();
    const { proposals } = listProposals(s.stateDir);
    assert.deepEqual(proposals.map((p) => p.id), [proposalId(s.profilePath)]);
    const p = proposals[0]!;
    assert.deepEqual(p.add.map((a) => [a.syscall, a.count]), [['getpid', 4], ['sync', 1], ['uname', 6]]);
    assert.deepEqual(p.containers.map((c) => [c.id, c.count]).sort(), [['new-d', 1], ['old-a', 3], ['old-b', 3], ['old-c', 4]]);
    // One module owns the directory's modes: root-only, also for a directory an old version made 0755.
    assert.equal(statSync(proposalsDir(s.stateDir)).mode & 0o777, 0o700);
    assert.equal(statSync(proposalPath(s.stateDir, p.id)).mode & 0o777, 0o600);
    // A restart folds nothing again.
    const again = s.engine();
    again.flush();
    assert.deepEqual(readProposal(s.stateDir, p.id).add.map((a) => a.count), [4, 1, 6]);
    rmSync(s.dir, { recursive: true });
  });
});

describe('decisions on a merged proposal', () => {
  const threeContainers = () => {
    const s = engineSetup(COMPLAIN, { isRejected: (p, a, x) => isRejected(join(s0.dir, 'state'), p, a, x) });
    const s0 = s;
    const e = s.engine();
    e.handle(denial('a', 'futex'));
    e.handle(denial('b', 'openat'));
    e.handle(denial('c', 'getpid'));
    e.flush();
    return { ...s, e, id: proposalId(s.profilePath) };
  };

  it('reject: every container\'s syscall is rejected for the profile, and stays out when they ask again', async () => {
    const s = threeContainers();
    await rejectProposal(s.stateDir, s.id, { reason: 'no' });
    for (const x of ['futex', 'openat', 'getpid']) assert.ok(isRejected(s.stateDir, s.profilePath, 'x86_64', x));
    s.e.handle(denial('d', 'futex'));
    s.e.flush();
    assert.equal(readProposal(s.stateDir, s.id).status, 'rejected');
    s.e.handle(denial('d', 'mmap'));
    s.e.flush();
    const p = readProposal(s.stateDir, s.id);
    assert.equal(p.status, 'open');
    assert.deepEqual(p.add.map((a) => a.syscall), ['mmap']);
    assert.deepEqual((await undoRejection(s.stateDir, s.id)).map((f) => f.syscall).sort(), ['futex', 'getpid', 'openat']);
    rmSync(s.dir, { recursive: true });
  });

  it('apply rebased onto an edited file, then rollback reopens the merged proposal', async () => {
    const s = threeContainers();
    // The admin edits the file after the proposal was computed (adds a name by hand).
    const edited = { ...COMPLAIN, syscalls: [{ names: ['brk', 'close', 'exit_group', 'getpid', 'read', 'write'], action: 'SCMP_ACT_ALLOW' }] };
    writeFileSync(s.profilePath, JSON.stringify(edited, null, 2) + '\n');
    const out = await applyProposal(s.id, { profileDirs: ['/'], stateDir: s.stateDir, lib: fakeLib });
    assert.equal(out.rebased, true);
    assert.deepEqual(out.adding, ['futex', 'openat']);
    assert.deepEqual(out.alreadyAllowed, ['getpid']);
    assert.deepEqual(parseProfile(readFileSync(s.profilePath, 'utf8'), 'x').syscalls![0]!.names, ['brk', 'close', 'exit_group', 'futex', 'getpid', 'openat', 'read', 'write']);
    assert.equal(readProposal(s.stateDir, s.id).status, 'applied');
    // More replicas asking for what is now allowed do not reopen it.
    s.e.handle(denial('d', 'futex'));
    s.e.flush();
    assert.equal(readProposal(s.stateDir, s.id).status, 'applied');
    const r = await rollbackProfile(s.stateDir, s.profilePath);
    assert.equal(r.proposalId, s.id);
    assert.equal(readProposal(s.stateDir, s.id).status, 'open');
    assert.equal(sha256Hex(readFileSync(s.profilePath)), sha256Hex(JSON.stringify(edited, null, 2) + '\n'));
    rmSync(s.dir, { recursive: true });
  });

  it('rollback of an apply made on a version 1 proposal reopens the profile file\'s proposal it was folded into', async () => {
    const s = threeContainers();
    const legacyId = 'bbbbbbbbbbbb';
    const p = readProposal(s.stateDir, s.id);
    // As a version 1 watcher would have left it: the same evidence under a per-container id.
    writeFileSync(proposalPath(s.stateDir, legacyId), JSON.stringify({ version: 1, id: legacyId, container: { id: 'a' }, profile: p.profile, createdAt: p.createdAt, updatedAt: p.updatedAt, add: p.add, blockedByRule: [], patch: p.patch, status: 'open' }));
    await applyProposal(legacyId, { profileDirs: ['/'], stateDir: s.stateDir, lib: fakeLib });
    // The watcher folds the old file away (the profile now allows everything, so nothing is open).
    const e = s.engine();
    e.handle(denial('a', 'futex'));
    e.flush();
    assert.ok(!existsSync(proposalPath(s.stateDir, legacyId)) || readProposal(s.stateDir, legacyId).status === 'applied');
    writeFileSync(proposalPath(s.stateDir, s.id), JSON.stringify({ ...readProposal(s.stateDir, s.id), status: 'applied', appliedAt: 'x' }));
    rmSync(proposalPath(s.stateDir, legacyId), { force: true });
    const r = await rollbackProfile(s.stateDir, s.profilePath);
    assert.equal(r.proposalId, s.id);
    assert.equal(readProposal(s.stateDir, s.id).status, 'open');
    assert.deepEqual(readdirSync(proposalsDir(s.stateDir)), [`${s.id}.json`]);
    rmSync(s.dir, { recursive: true });
  });
});
