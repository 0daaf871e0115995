// An OCI bundle whose rootfs is busybox-static and its applets: enough for runc/crun tests that
// need a real container without images or a registry.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeRootfs } from '../../src/oci/busybox-bundle.js';

export interface BundleOptions {
  args: string[];
  /** linux.seccomp, embedded in config.json. */
  seccomp?: unknown;
  annotations?: Record<string, string>;
  hooks?: Record<string, unknown>;
  env?: string[];
  /** Default: a new pid namespace etc., as `runc spec` writes them. */
  namespaces?: Array<{ type: string; path?: string }>;
}

/** Writes dir/config.json and dir/rootfs; returns the bundle path. */
export function makeBusyboxBundle(dir: string, o: BundleOptions): string {
  // The rootfs is the product's own (src/oci/busybox-bundle.ts); the config here is `runc spec`'s.
  if (!existsSync(join(dir, 'rootfs', 'bin', 'busybox'))) makeRootfs(dir);
  if (!existsSync(join(dir, 'config.json'))) execFileSync('runc', ['spec', '--bundle', dir]);
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, any>;
  config.process.args = o.args;
  config.process.terminal = false;
  if (o.env) config.process.env = o.env;
  config.root = { path: 'rootfs', readonly: true };
  if (o.seccomp !== undefined) config.linux.seccomp = o.seccomp;
  else delete config.linux.seccomp;
  if (o.annotations) config.annotations = o.annotations;
  if (o.hooks) config.hooks = o.hooks;
  if (o.namespaces) config.linux.namespaces = o.namespaces;
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  return dir;
}
