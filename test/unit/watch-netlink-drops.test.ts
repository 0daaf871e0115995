import { test } from 'node:test';
import assert from 'node:assert/strict';
import { netlinkDrops } from '../../src/native/audit-netlink.js';

// /proc/net/netlink as this kernel prints it (protocol 9 is NETLINK_AUDIT).
const TABLE = `sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode
ffff8bd8c1a5e800 0   4035       00000440 0        0        0     2        0        26310
ffff8bd8c2f7d000 9   19629      00000001 2304     0        0     2        1359     103662
ffff8bd8c2f7e000 9   0          00000000 0        0        0     2        0        9131
`;

test('the Drops column of the NETLINK_AUDIT socket with the given inode', () => {
  assert.equal(netlinkDrops(103662, TABLE), 1359);
  assert.equal(netlinkDrops(9131, TABLE), 0);
  // Same inode, other protocol: not ours.
  assert.equal(netlinkDrops(26310, TABLE), undefined);
  assert.equal(netlinkDrops(1, TABLE), undefined);
});
