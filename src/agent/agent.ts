// `seccomp-tailor agent`: the Kubernetes node agent (contrib/kubernetes/daemonset.yaml). At start it
// puts the recording side on the host (the native hook entry and the runtime shim in a host
// directory, the containerd runtime handler), then runs two processes for the pod's life: hookd on a
// host-path socket, which serves the copied entry, and the watcher (lossless netlink source,
// /metrics and /healthz). When either ends, the agent stops the other and ends with its status, so
// the kubelet restarts the pod. What it put on the host stays: a container of the recording runtime
// class still starts when the agent is gone (the entry says it runs unrecorded).
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { packagePath } from '../native/package-root.js';
import { installHostBin } from './host-bin.js';
import { installDropIn } from './containerd-drop-in.js';
import { hookdSocketDirUnsafe } from '../errors.js';

export interface AgentOptions {
  hostBin: string;
  socket: string;
  hookConfig?: string;
  runtimePath?: string;
  /** containerd's drop-in directory; undefined: print the stanza only. */
  dropInDir?: string;
  handler: string;
  /** Arguments of `seccomp-tailor watch`. */
  watchArgs: string[];
  say?: (line: string) => void;
}

/**
 * hookd's socket directory: a host path the pod mounts (the kubelet creates it 0755); hookd wants it
 * root's alone, since it is all that keeps others from a socket that runs hooks as root.
 */
function prepareSocketDir(socket: string): void {
  const dir = dirname(socket);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (!st.isDirectory() || st.uid !== 0) throw hookdSocketDirUnsafe(dir);
  chmodSync(dir, 0o700);
}

/** Puts the entry, the shim and the runtime handler on the host; returns what it said. */
export function installRecordingSide(o: AgentOptions): void {
  const say = o.say ?? ((l: string) => process.stderr.write(`seccomp-tailor agent: ${l}\n`));
  const bin = installHostBin({ dir: o.hostBin, hookdSocket: o.socket, ...(o.hookConfig ? { hookConfig: o.hookConfig } : {}), ...(o.runtimePath ? { runtimePath: o.runtimePath } : {}) });
  say(`installed ${bin.entry}, ${bin.shim} and ${bin.settings} (hookd socket ${o.socket})`);
  const d = o.dropInDir ? installDropIn(o.dropInDir, o.handler, bin.shim) : undefined;
  if (d?.path) say(`wrote the containerd runtime handler "${o.handler}" to ${d.path}${d.imported ? '' : `; containerd's config.toml must import it: imports = ["${o.dropInDir}/*.toml"], then restart containerd`}`);
  else {
    say(`${o.dropInDir ? `${o.dropInDir} does not exist: ` : ''}add this runtime handler to containerd's config (version 2) and restart it:`);
    for (const l of (d?.toml ?? installDropIn('/nonexistent', o.handler, bin.shim).toml).split('\n')) if (l) say(`  ${l}`);
  }
}

function start(cmd: string, args: string[]): ChildProcess {
  return spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
}

/** Runs until hookd or the watcher ends, or a signal; resolves with the exit status. */
export async function runAgent(o: AgentOptions): Promise<number> {
  const say = o.say ?? ((l: string) => process.stderr.write(`seccomp-tailor agent: ${l}\n`));
  installRecordingSide(o);
  prepareSocketDir(o.socket);
  const children: Array<{ name: string; proc: ChildProcess }> = [
    { name: 'hookd', proc: start(packagePath('bin', 'seccomp-tailor-hookd'), ['--socket', o.socket, '--verbose']) },
    { name: 'watch', proc: start(packagePath('bin', 'seccomp-tailor'), ['watch', ...o.watchArgs]) },
  ];
  let stopping = false;
  const stopAll = (signal: NodeJS.Signals) => {
    for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill(signal);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    stopping = true;
    stopAll(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const first = await Promise.race(children.map((c) => new Promise<{ name: string; code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    c.proc.once('exit', (code, signal) => resolve({ name: c.name, code, signal }));
    c.proc.once('error', (e) => {
      say(`cannot start ${c.name}: ${e.message}`);
      resolve({ name: c.name, code: 1, signal: null });
    });
  })));
  if (!stopping) say(`${first.name} ended (${first.signal ?? `exit ${first.code}`}): stopping`);
  stopAll('SIGTERM');
  await Promise.all(children.map((c) => (c.proc.exitCode !== null || c.proc.signalCode !== null ? undefined : new Promise((r) => c.proc.once('exit', r)))));
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  return stopping ? 0 : first.code && first.code > 0 ? first.code : 1;
}
