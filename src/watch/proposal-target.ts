// Which profile files a proposal may be computed against (and so `apply` may later patch). The
// path comes from a container's annotations (`io.seccomp-tailor.profile`,
// `io.podman.annotations.seccomp`), which the container's author chooses: without this check a
// container could make the watcher read any file as root and propose patches to, say, the
// engine's host-wide default profile. Only files under the directories the administrator named
// (the hook config's allowedDirs, `watch --profile-dir`, and the watcher's own copies of embedded
// profiles) qualify; the caller reports anything else and never opens it.
export { proposalTargetRefusal } from '../state/profile-dirs.js';
