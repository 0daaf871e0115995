// `seccomp-tailor uninstall`: undoes what install recorded, newest first, for the engines asked;
// profiles, proposals and the state directory are never touched. A file the admin changed since
// install is left where it is, and said so.
import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import { systemdIsInit } from '../record/hook/systemd-units.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { uninstallDaemonJson } from './docker.js';
import { manifestPath, sha256, type FileRecord } from './manifest.js';
import { Recorder, type Say } from './recorder.js';
import { systemctl } from './systemctl.js';
import type { UninstallOptions } from './options.js';

export interface UninstallResult { undone: number; leftAlone: number }

async function undoFile(r: FileRecord, say: Say): Promise<boolean> {
  if (r.systemdUnit && systemdIsInit()) {
    if (r.systemdUnit.enabled) systemctl(['disable', '--now', r.systemdUnit.name], { mayFail: true });
    systemctl(['stop', r.systemdUnit.name], { mayFail: true });
  }
  if (!existsSync(r.path)) return true;
  if (sha256(readFileSync(r.path, 'utf8')) !== r.sha256) {
    say(`seccomp-tailor: ${r.path} was changed since install: left as it is`);
    return false;
  }
  if (r.previous !== null) {
    await writeFileAtomic(r.path, r.previous, { mode: 0o644 });
    say(`seccomp-tailor: restored ${r.path} as it was before install`);
  } else {
    unlinkSync(r.path);
    say(`seccomp-tailor: removed ${r.path}`);
  }
  return true;
}

export async function uninstall(o: UninstallOptions, say: Say): Promise<UninstallResult> {
  const rec = new Recorder(manifestPath(o.stateDir));
  const result: UninstallResult = { undone: 0, leftAlone: 0 };
  let units = false;
  for (const r of [...rec.entries].reverse()) {
    if (!o.engines.includes(r.engine)) continue;
    const done = r.kind === 'file' ? await undoFile(r, say) : await uninstallDaemonJson(r, say);
    if (r.kind === 'file' && r.systemdUnit) units = true;
    result[done ? 'undone' : 'leftAlone']++;
    rec.remove(r);
  }
  if (units && systemdIsInit()) systemctl(['daemon-reload'], { mayFail: true });
  if (o.engines.includes('containerd'))
    say('seccomp-tailor: containerd: remove the seccomp-tailor runtime stanza from /etc/containerd/config.toml if you pasted it, then restart containerd');
  if (result.undone + result.leftAlone === 0) say(`seccomp-tailor: nothing installed for ${o.engines.join(', ')} (per ${rec.path})`);
  return result;
}
