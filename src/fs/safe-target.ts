// Whether root may write at (and beside) a path someone else may have prepared. Used by `apply`
// and `rollback` before they lock, back up or replace a profile: the profile's path comes from a
// container's annotations, and its directory may be shared.
// - No component may be a symbolic link: a planted link would make root write where it points.
// - The file's own directory must be writable by its owner only (and that owner root): anyone
//   else who can write there can plant a link or a directory at the lock's or the temp file's
//   name between our check and our write. A sticky /tmp does not help: it stops others from
//   removing root's files, not from creating names first.
import { lstatSync } from 'node:fs';
import { posix } from 'node:path';
import { targetRefused } from '../errors.js';

export function checkWritableTarget(path: string): void {
  const abs = posix.resolve(path);
  let walked = '';
  const parts = abs.split('/').filter((p) => p !== '');
  for (const [i, part] of parts.entries()) {
    walked += `/${part}`;
    const st = lstatSync(walked, { throwIfNoEntry: false });
    if (!st) {
      if (i === parts.length - 1) break; // the file itself may not exist yet
      throw targetRefused(abs, `${walked} does not exist`);
    }
    if (st.isSymbolicLink()) throw targetRefused(abs, `${walked} is a symbolic link; name the real path`);
    if (i < parts.length - 1 && !st.isDirectory()) throw targetRefused(abs, `${walked} is not a directory`);
  }
  const dir = posix.dirname(abs);
  const d = lstatSync(dir);
  if (d.uid !== 0 && d.uid !== process.getuid?.()) throw targetRefused(abs, `its directory ${dir} is owned by uid ${d.uid}`);
  if (d.mode & 0o022) {
    throw targetRefused(abs, `its directory ${dir} is writable by ${d.mode & 0o002 ? 'others' : 'its group'} (mode ${(d.mode & 0o7777).toString(8)}), who could plant a link at the lock's or the new file's name; keep profiles in a directory only root can write`);
  }
}
