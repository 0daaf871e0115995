// Loads one of the in-repo Node-API addons by its path inside the package.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { addonMissing } from '../errors.js';
import { packagePath } from './package-root.js';

const require = createRequire(import.meta.url);
const loaded = new Map<string, unknown>();

export function loadAddon<T>(name: 'ebpf-napi' | 'libseccomp-napi' | 'audit-netlink-napi' | 'sys-napi'): T {
  const hit = loaded.get(name);
  if (hit) return hit as T;
  const file = packagePath('native', name, 'build', 'Release', `${name.replace(/-/g, '_')}.node`);
  if (!existsSync(file)) throw addonMissing(name, file);
  const addon = require(file) as T;
  loaded.set(name, addon);
  return addon;
}
