// `seccomp-tailor install`: sets up recording for one engine and records what it changed
// (manifest.ts), after checking that this machine can record at all.
import { assertPlatform } from './preflight.js';
import { installContainerd } from './containerd.js';
import { installDocker } from './docker.js';
import { manifestPath } from './manifest.js';
import { installPodman } from './podman.js';
import { Recorder, type Say } from './recorder.js';
import type { InstallOptions } from './options.js';

export async function install(o: InstallOptions, say: Say, out: (s: string) => void = (s) => process.stdout.write(s)): Promise<void> {
  // The hook pins its tracer in bpffs and loads CO-RE programs: say so now, not at the first container.
  assertPlatform({ bpffs: true });
  const rec = new Recorder(manifestPath(o.stateDir));
  if (o.engine === 'docker') return installDocker(o, rec, say);
  if (o.engine === 'containerd') return installContainerd(o, rec, say, out);
  return installPodman(o, rec, say);
}
