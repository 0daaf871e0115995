// Docker and containerd run containers through seccomp-tailor-runc: the settings both share.
import { existsSync } from 'node:fs';
import { packagePath } from '../native/package-root.js';
import type { ShimRuntime } from '../oci/engine-config.js';
import { installBadOption } from '../errors.js';
import type { ContainerdInstall, DockerInstall } from './options.js';

export const shimPath = (): string => packagePath('build', 'runtime-shim', 'seccomp-tailor-runc');

export function shimRuntime(o: DockerInstall | ContainerdInstall): ShimRuntime {
  const path = shimPath();
  if (!existsSync(path)) throw installBadOption(`${path} is not built: run \`npm run build\` (needs libjansson-dev), or reinstall the package`);
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(o.runtimeName)) throw installBadOption(`--runtime-name ${JSON.stringify(o.runtimeName)}: letters, digits, _ . - only`);
  for (const [k, v] of [['record-dir', o.recordDir], ['config', o.hookConfig], ['runtime-path', o.runtimePath]] as const)
    if (v !== undefined && !v.startsWith('/')) throw installBadOption(`--${k} must be an absolute path`);
  return {
    name: o.runtimeName, shimPath: path,
    ...(o.recordDir ? { recordDir: o.recordDir } : {}),
    ...(o.hookConfig ? { hookConfig: o.hookConfig } : {}),
    ...(o.runtimePath ? { runtimePath: o.runtimePath } : {}),
  };
}
