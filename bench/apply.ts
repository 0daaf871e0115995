// How long an operator waits for `apply`, and what the crash-safety costs: our atomic write
// (temp + fsync + rename + directory fsync) against write-file-atomic (no directory fsync),
// interleaved; then whole applies (lock, checks, libseccomp compile, backup, write) and a
// `profile validate` of podman's default profile.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import writeFileAtomicLib from 'write-file-atomic';
import { applyProposal } from '../src/apply/apply.js';
import { writeFileAtomic } from '../src/fs/atomic-write.js';
import { nativeLibseccomp } from '../src/profile/libseccomp-view.js';
import { PODMAN_DEFAULT_PROFILE } from '../src/profile/stats.js';
import { validateProfileText } from '../src/profile/validate.js';
import { setup } from '../test/helpers/apply-setup.js';
import { fmt, median, percentile, rotated } from './stats.js';

const ROUNDS = 60;
const dir = mkdtempSync(join(tmpdir(), 'st-bench-apply-'));
const target = join(dir, 'profile.json');
const content = readFileSync(PODMAN_DEFAULT_PROFILE);
writeFileSync(target, content);

const variants: Record<string, () => Promise<void>> = {
  'ours (dir fsync)': () => writeFileAtomic(target, content),
  'write-file-atomic': () => writeFileAtomicLib(target, content),
};
const times: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (const name of rotated(Object.keys(variants), r)) {
    const t0 = process.hrtime.bigint();
    await variants[name]!();
    times[name]!.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
}
const a = median(times['ours (dir fsync)']!);
const b = median(times['write-file-atomic']!);
console.log(`atomic write of a ${content.length}-byte profile, ${ROUNDS} interleaved rounds:`);
for (const [k, xs] of Object.entries(times)) console.log(`  ${k.padEnd(20)} median ${fmt(median(xs), 2)} ms  p90 ${fmt(percentile(xs, 90), 2)} ms`);
console.log(`  ratio ours / write-file-atomic: ${fmt(a / b, 2)}`);

const lib = await nativeLibseccomp();
lib.nativeArch();
const applies: number[] = [];
for (let i = 0; i < 30; i++) {
  const s = setup(['openat', 'futex', 'mmap']);
  const t0 = process.hrtime.bigint();
  await applyProposal(s.proposal.id, { profileDirs: ['/'], stateDir: s.stateDir, lib });
  applies.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
console.log(`whole apply (read proposal, lock, sha256, rebase check, schema + libseccomp compile, backup, atomic write, mark applied), 30 runs:`);
console.log(`  median ${fmt(median(applies), 2)} ms  p90 ${fmt(percentile(applies, 90), 2)} ms`);

const text = content.toString('utf8');
validateProfileText(text, PODMAN_DEFAULT_PROFILE, lib);
const validations: number[] = [];
for (let i = 0; i < 30; i++) {
  const t0 = process.hrtime.bigint();
  validateProfileText(text, PODMAN_DEFAULT_PROFILE, lib);
  validations.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
console.log(`profile validate of podman's default profile (schema, checks, compile), 30 runs: median ${fmt(median(validations), 2)} ms`);
