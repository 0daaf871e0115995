// What `install` and `uninstall` are told, typed once for the CLI and for tests.
import type { Engine } from './manifest.js';

export interface PodmanInstall {
  engine: 'podman';
  /** hooks.d directory (podman and CRI-O). */
  hooksDir: string;
  /** Hook config file the hook should read (default: its built-in path). */
  hookConfig?: string;
  /** The native entry that hands each stage to hookd; false: the Node hook alone. */
  native: boolean;
  hookdSocket?: string;
  /** hookd as socket-activated systemd units; auto: where systemd is PID 1. */
  systemd: 'auto' | 'yes' | 'no';
  systemdDir: string;
}

interface ShimInstall {
  /** The runtime's name in the engine (`docker run --runtime NAME`, the RuntimeClass handler). */
  runtimeName: string;
  recordDir?: string;
  hookConfig?: string;
  /** The real runtime (default: runc on PATH). */
  runtimePath?: string;
}

export interface DockerInstall extends ShimInstall { engine: 'docker'; daemonJson: string }
export interface ContainerdInstall extends ShimInstall { engine: 'containerd'; shimConfig: string }

export type InstallOptions = (PodmanInstall | DockerInstall | ContainerdInstall) & { stateDir: string };
export interface UninstallOptions { engines: readonly Engine[]; stateDir: string }
