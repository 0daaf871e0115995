// podman and CRI-O: one hooks.d file (read at every container start: no restart), and hookd for
// the native entry as socket-activated systemd units where systemd is PID 1.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HOOKS_D_FILE, hookCommand, hooksDJson, nativeHookCommand } from '../oci/hooks-config.js';
import { ensureHookClient, hookClientPath, hookClientSource } from '../record/hook/native-entry.js';
import { DEFAULT_SYSTEMD_DIR, HOOKD_UNITS, hookdUnitText, systemdIsInit } from '../record/hook/systemd-units.js';
import { installBadOption } from '../errors.js';
import { allowedDirsNote } from './allowed-dirs-note.js';
import { systemctl } from './systemctl.js';
import type { PodmanInstall } from './options.js';
import type { Recorder, Say } from './recorder.js';

/** The native entry: a checkout rebuilds it when its source is newer; a package ships it built. */
function hookEntry(): string {
  if (!existsSync(hookClientPath()) && !existsSync(hookClientSource()))
    throw installBadOption(`the hook's native entry ${hookClientPath()} is missing: reinstall the package, or use --no-native`);
  return ensureHookClient();
}

export async function installPodman(o: PodmanInstall, rec: Recorder, say: Say): Promise<void> {
  const path = join(o.hooksDir, HOOKS_D_FILE);
  const cmd = o.native ? nativeHookCommand(hookEntry(), o.hookConfig, o.hookdSocket) : hookCommand(o.hookConfig);
  await rec.writeFile('podman', path, JSON.stringify(hooksDJson(cmd), null, 2) + '\n');
  say(`seccomp-tailor: installed ${path} (podman and CRI-O read it at every container start: no restart needed)`);
  if (o.native) await installHookd(o, rec, say);
  say(allowedDirsNote(o.hookConfig));
}

async function installHookd(o: PodmanInstall, rec: Recorder, say: Say): Promise<void> {
  if (!(o.systemd === 'yes' || (o.systemd === 'auto' && systemdIsInit()))) {
    say('seccomp-tailor: no systemd here: the hook starts hookd itself on first use (one per machine, exits after 10 idle minutes)');
    return;
  }
  const paths = HOOKD_UNITS.map((u) => join(o.systemdDir, u));
  for (const [i, unit] of HOOKD_UNITS.entries()) await rec.writeFile('podman', paths[i]!, hookdUnitText(unit), { systemdUnit: { name: unit, enabled: false } });
  say(`seccomp-tailor: installed ${paths.join(', ')}`);
  if (!systemdIsInit() || o.systemdDir !== DEFAULT_SYSTEMD_DIR) {
    say(`seccomp-tailor: enable with: systemctl daemon-reload && systemctl enable --now ${HOOKD_UNITS[0]}`);
    return;
  }
  systemctl(['daemon-reload']);
  systemctl(['enable', '--now', HOOKD_UNITS[0]]);
  const socketRecord = rec.entries.find((e) => e.kind === 'file' && e.path === paths[0]);
  if (socketRecord?.kind === 'file') rec.add({ ...socketRecord, systemdUnit: { name: HOOKD_UNITS[0], enabled: true } });
  say("seccomp-tailor: systemd listens on hookd's socket and starts it on the first traced container");
}
