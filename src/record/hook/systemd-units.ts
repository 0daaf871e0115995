// hookd as a socket-activated systemd service, where systemd is PID 1: the units are the ones in
// contrib/systemd/, with this installation's node and hookd paths filled in.
import { existsSync, readFileSync } from 'node:fs';
import { packagePath } from '../../native/package-root.js';

export const HOOKD_UNITS = ['seccomp-tailor-hookd.socket', 'seccomp-tailor-hookd.service'] as const;
export const DEFAULT_SYSTEMD_DIR = '/etc/systemd/system';

/** sd_booted(3): systemd is the init system when this directory exists. */
export const systemdIsInit = (): boolean => existsSync('/run/systemd/system');

export function hookdUnitText(unit: (typeof HOOKD_UNITS)[number], node = process.execPath): string {
  return readFileSync(packagePath('contrib', 'systemd', unit), 'utf8')
    .replaceAll('@NODE@', node)
    .replaceAll('@HOOKD@', packagePath('bin', 'seccomp-tailor-hookd'));
}
