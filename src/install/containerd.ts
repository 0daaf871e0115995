// containerd: a config.toml stanza (printed: its config is the admin's) and the shim's own
// settings file, since BinaryName passes the shim no arguments.
import { containerdStanza, shimConfigJson } from '../oci/engine-config.js';
import { allowedDirsNote } from './allowed-dirs-note.js';
import { shimRuntime } from './shim-runtime.js';
import type { ContainerdInstall } from './options.js';
import type { Recorder, Say } from './recorder.js';

export async function installContainerd(o: ContainerdInstall, rec: Recorder, say: Say, out: (s: string) => void): Promise<void> {
  const r = shimRuntime(o);
  if (r.recordDir || r.hookConfig || r.runtimePath) {
    await rec.writeFile('containerd', o.shimConfig, shimConfigJson(r));
    say(`seccomp-tailor: wrote ${o.shimConfig} (the shim's settings: root-owned, mode 0644)`);
  }
  out(containerdStanza(r));
  say(`seccomp-tailor: paste the stanza above into /etc/containerd/config.toml (config version 2), then: sudo systemctl restart containerd\n` +
    `  Kubernetes: a RuntimeClass with handler: ${r.name}; pods with runtimeClassName and the annotation\n` +
    `  io.containers.trace-syscall: "of:NAME.json" are recorded${r.recordDir ? `; every container of the handler is recorded into ${r.recordDir}` : ''}\n` +
    `  ctr: ctr run --runc-binary ${r.shimPath} --annotation io.containers.trace-syscall=of:FILE ...\n${allowedDirsNote(r.hookConfig)}`);
}
