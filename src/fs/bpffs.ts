// Pins live on bpffs only. Checked before any mkdir there: on a plain /sys the kernel answers
// mkdir with ENOENT, and Node 24's recursive mkdirSync retries that forever (a hook that spins
// instead of failing would hold up the container start).
import { existsSync, mkdirSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { noBpffs } from '../errors.js';

/** statfs(2) f_type of bpffs (include/uapi/linux/magic.h BPF_FS_MAGIC). */
const BPF_FS_MAGIC = 0xcafe4a11;

/** Creates `dir` (mode 0700) after checking that its nearest existing ancestor is on bpffs. */
export function mkdirOnBpffs(dir: string): void {
  let existing = dir;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  if (statfsSync(existing).type !== BPF_FS_MAGIC) throw noBpffs(existing);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}
