// What a finished container leaves (the profile, its timeline, the recording's and the shadow's
// history lines, the shadow findings) is made of ONE reading of its slot: a slot read once per
// output costs a map walk each and, while the container runs (flush), outputs of different
// moments. A target that counts its reads stands in for the kernel's slot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { concludeRun } from '../../src/record/hook/poststop.js';
import { DEFAULT_CONFIG } from '../../src/record/hook/config.js';
import type { RunState } from '../../src/record/hook/run-state.js';
import type { TargetState, TracerTarget } from '../../src/record/tracer.js';
import { PHASE, type SyscallCount } from '../../src/record/tracer-layout.js';
import { historyPath } from '../../src/history/history.js';
import { nativeArch, syscallNumber } from '../../src/native/libseccomp.js';

const root = process.getuid?.() === 0;

function countingTarget(calls: SyscallCount[]) {
  const reads = { syscalls: 0, argFacts: 0, state: 0 };
  const state = { slot: 0, generation: 1, phase: PHASE.workload, initialTasks: 1, forks: 0, exits: 1, liveTasks: 0, execs: 1, lastNewNs: 0n, filterNs: 0n, execNs: 0n, dropped: 0, calls: calls.length, firstLost: 0, argsLost: 0, argSetCount: 0, unfilteredTail: 0 } satisfies TargetState;
  const target = {
    syscalls: () => { reads.syscalls++; return calls; },
    argFacts: () => { reads.argFacts++; return []; },
    state: () => { reads.state++; return state; },
  };
  return { reads, target: { ...target, snapshot: () => ({ counts: target.syscalls(), argFacts: target.argFacts(), state: target.state() }) } as unknown as TracerTarget };
}

test('a recorded and shadowed container is concluded from one reading of its slot', { skip: root ? false : 'the hook writes root-owned files and reads only root-owned profiles' }, async () => {
  const dir = mkdtempSync('/tmp/st-conclude-');
  try {
    const out = join(dir, 'out');
    mkdirSync(out);
    const shadowed = join(out, 'shadowed.json');
    writeFileSync(shadowed, JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] }));
    const cfg = { ...DEFAULT_CONFIG, allowedDirs: [out], defaultDir: out, runDir: join(dir, 'run'), stateDir: join(dir, 'state') };
    mkdirSync(cfg.runDir);
    const rs: RunState = {
      version: 1, id: 'c1', slot: 0, generation: 1, pinRoot: '/nonexistent',
      output: { path: join(out, 'p.json'), dir: out, name: 'p.json' },
      shadow: { profile: { path: shadowed, dir: out, name: 'shadowed.json' } },
      runtime: { name: 'runc' }, initPid: 1, initStartTime: 1, bundle: dir, noNewPrivileges: false,
      startedAt: new Date().toISOString(), stateDir: cfg.stateDir,
    };
    const names = ['read', 'write', 'uname', 'getppid'];
    const { reads, target } = countingTarget(names.map((n, i) => ({ phase: PHASE.workload, arch: 'native', nr: syscallNumber(nativeArch(), n)!, firstNs: BigInt(i + 1) })));

    const r = await concludeRun({ rs, target }, cfg);

    assert.deepEqual(reads, { syscalls: 1, argFacts: 1, state: 1 });
    // Everything was written from that one reading.
    assert.equal(r.written, rs.output!.path);
    const profile = readFileSync(rs.output!.path, 'utf8');
    for (const n of names) assert.match(profile, new RegExp(`"${n}"`));
    assert.ok(existsSync(`${rs.output!.path}.timeline.json`));
    const shadowHistory = readFileSync(historyPath(cfg.stateDir, shadowed), 'utf8');
    for (const n of ['write', 'uname', 'getppid']) assert.match(shadowHistory, new RegExp(`"name":"${n}"`));
    assert.doesNotMatch(shadowHistory, /"name":"read"/);
    assert.match(readFileSync(historyPath(cfg.stateDir, rs.output!.path), 'utf8'), /"kind":"recording"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
