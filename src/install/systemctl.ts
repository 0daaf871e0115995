// systemctl for install/uninstall: a failure is one catalogued line, never a stack.
import { spawnSync } from 'node:child_process';
import { installStepFailed } from '../errors.js';

export function systemctl(args: readonly string[], { mayFail = false } = {}): boolean {
  const r = spawnSync('systemctl', args, { encoding: 'utf8' });
  if (r.status === 0) return true;
  if (mayFail) return false;
  throw installStepFailed(`systemctl ${args.join(' ')}`, (r.stderr || r.error?.message || '').trim());
}
