import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerFromProcCgroup, parseProcCgroup, primaryCgroupPath } from '../../src/watch/cgroup-id.js';

const A = 'a'.repeat(60) + '0123';
const B = 'b'.repeat(60) + '4567';

const table: Array<{ name: string; text: string; id?: string; engine?: string }> = [
  { name: 'podman v2 systemd', text: `0::/machine.slice/libpod-${A}.scope/container\n`, id: A, engine: 'podman' },
  { name: 'podman v2 cgroupfs', text: `0::/libpod_parent/libpod-${A}\n`, id: A, engine: 'podman' },
  { name: 'podman conmon is host side', text: `0::/machine.slice/libpod-conmon-${A}.scope\n` },
  { name: 'cri-o v2', text: `0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234_5678.slice/crio-${A}.scope\n`, id: A, engine: 'cri-o' },
  { name: 'cri-o conmon', text: `0::/kubepods.slice/kubepods-pod1.slice/crio-conmon-${A}.scope\n` },
  { name: 'containerd v2', text: `0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-podx.slice/cri-containerd-${A}.scope\n`, id: A, engine: 'containerd' },
  { name: 'docker systemd', text: `0::/system.slice/docker-${A}.scope\n`, id: A, engine: 'docker' },
  { name: 'docker cgroupfs v1', text: `12:pids:/docker/${A}\n11:memory:/docker/${A}\n1:name=systemd:/docker/${A}\n0::/\n`, id: A, engine: 'docker' },
  { name: 'kubepods cgroupfs v1', text: `9:memory:/kubepods/burstable/pod0d6c1f4e-1b2c-4f9a-9e7e-1a2b3c4d5e6f/${A}\n0::/\n`, id: A, engine: 'kubernetes' },
  // The outer engine made the outer cgroup as root; what is below it the container named itself.
  { name: 'docker in docker: the outer id wins', text: `0::/docker/${A}/docker/${B}\n`, id: A, engine: 'docker' },
  { name: 'nested scopes: the outer component with an id wins', text: `0::/system.slice/docker-${A}.scope/kubepods/pod1/cri-containerd-${B}.scope/init\n`, id: A, engine: 'docker' },
  { name: 'a delegated user subtree named after a container', text: `0::/user.slice/user-1000.slice/user@1000.service/app.slice/libpod-${A}.scope\n` },
  { name: 'a chowned cgroupfs directory named after a container', text: `8:pids:/st-deleg/libpod-${A}\n0::/\n` },
  { name: 'machine.slice under a user instance', text: `0::/user.slice/user-1000.slice/user@1000.service/machine.slice/libpod-${A}.scope\n` },
  { name: 'docker- at the top, not under system.slice', text: `0::/docker-${A}.scope\n` },
  { name: 'v2 preferred over a stale v1 line', text: `1:name=systemd:/docker/${A}\n0::/system.slice/docker-${B}.scope\n`, id: B, engine: 'docker' },
  { name: 'host session', text: '0::/user.slice/user-1000.slice/session-2.scope\n' },
  { name: 'host root', text: '0::/\n' },
  { name: 'hybrid host, no container', text: '9:name=systemd:/\n4:memory:/process_api/f1083b05a16cffa7619d2e2c1cdfedbb\n0::/\n' },
  { name: '63 hex is not an id', text: `0::/docker/${A.slice(1)}\n` },
  { name: 'upper-case hex is not an id', text: `0::/docker-${A.toUpperCase()}.scope\n` },
  { name: 'empty', text: '' },
  { name: 'garbage', text: 'no colons here\n::::\n' },
];

for (const row of table) {
  test(`cgroup id: ${row.name}`, () => {
    const got = containerFromProcCgroup(row.text);
    if (row.id === undefined) assert.equal(got, undefined);
    else {
      assert.equal(got?.id, row.id);
      assert.equal(got?.engine, row.engine);
    }
  });
}

test('parseProcCgroup splits controllers and keeps colons in paths', () => {
  assert.deepEqual(parseProcCgroup('4:cpu,cpuacct:/a:b\n0::/x\n'), [
    { hierarchy: 4, controllers: ['cpu', 'cpuacct'], path: '/a:b' },
    { hierarchy: 0, controllers: [], path: '/x' },
  ]);
});

test('primaryCgroupPath: v1 placement on a hybrid host whose unified path is /', () => {
  assert.equal(primaryCgroupPath('9:name=systemd:/\n8:pids:/mycontainer\n4:memory:/mycontainer\n0::/\n'), '/mycontainer');
  assert.equal(primaryCgroupPath('0::/machine.slice/x\n'), '/machine.slice/x');
});
