// A worker thread that loads and attaches a program and ends without closing it: the addon's
// environment cleanup hook releases the object and the link when the worker's environment goes,
// so the kernel detaches and frees the program (it would run on every syscall of the host
// otherwise, for as long as the process lives).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { packagePath } from '../../src/native/package-root.js';
import { rootOnly } from '../helpers/known-syscalls.js';

const WORKER = `
const { parentPort } = require('node:worker_threads');
import(${JSON.stringify(packagePath('dist', 'src', 'native', 'ebpf.js'))}).then(({ BpfObject }) => {
  const obj = BpfObject.openFile(${JSON.stringify(packagePath('build', 'bpf', 'bench_empty.bpf.o'))});
  obj.load();
  const link = obj.attach('on_sys_enter_empty');
  parentPort.postMessage(link.programInfo().id);
  // neither link.close() nor obj.close(): the worker ends holding them
});
`;

const progExists = (id: number): boolean => {
  try {
    execFileSync('bpftool', ['prog', 'show', 'id', String(id)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

test('a worker ending with a loaded, attached program leaves nothing behind', { skip: rootOnly }, async () => {
  const w = new Worker(WORKER, { eval: true });
  const id = await new Promise<number>((resolve, reject) => { w.once('message', resolve); w.once('error', reject); });
  assert.ok(progExists(id), 'attached while the worker lives');
  await w.terminate();
  // The kernel frees a program shortly after its last reference goes (RCU).
  for (let i = 0; i < 50 && progExists(id); i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(progExists(id), false, `program ${id} is gone with the worker`);
});
