// The one catalog of errors seccomp-tailor raises on purpose. Each has a stable `code` that
// scripts and tests can match on; the message is one sentence for people.
// Add new codes in the section of the layer that raises them; never reuse or rename a code.

export class TailorError extends Error {
  readonly code: string;
  readonly exitCode: number;
  constructor(code: string, message: string, options?: { cause?: unknown; exitCode?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = options?.exitCode ?? 1;
  }
}

// --- environment: what the machine lacks -----------------------------------------------------
export class EnvironmentError extends TailorError {}
export const noBtf = (path = '/sys/kernel/btf/vmlinux') =>
  new EnvironmentError('ENV_NO_BTF', `the kernel has no BTF (${path} is missing): seccomp-tailor needs a kernel built with CONFIG_DEBUG_INFO_BTF=y`);
export const noBpffs = (path: string) =>
  new EnvironmentError('ENV_NO_BPFFS', `no BPF file system at ${path} (the recorder pins its tracer there): mount it with: mount -t bpf bpf ${path}`);
export const unsupportedArch = (arch: string) =>
  new EnvironmentError('ENV_UNSUPPORTED_ARCH', `this machine's architecture ${arch} is not supported: seccomp-tailor runs on x86_64 and aarch64`);
export const notPrivileged = (what: string) =>
  new EnvironmentError('ENV_NOT_PRIVILEGED', `${what} needs root (or CAP_BPF and CAP_PERFMON): run it with sudo`);
export const kernelTooOld = (need: string, have: string) =>
  new EnvironmentError('ENV_KERNEL_TOO_OLD', `the kernel ${have} is too old: seccomp-tailor needs ${need}`);
export const addonMissing = (addon: string, path: string) =>
  new EnvironmentError('ENV_ADDON_MISSING', `the native addon ${addon} is not built (${path}): run npm ci, or scripts/bootstrap.sh as root`);

// --- files: the one atomic writer, whoever calls it (apply, the hook, the watcher) -------------
export class FileError extends TailorError {}
export const targetSymlink = (path: string) => new FileError('TARGET_SYMLINK', `${path} is a symbolic link: name the file it points to instead`);
export const targetNotFile = (path: string) => new FileError('TARGET_NOT_FILE', `${path} is not a regular file`);

// --- native layer -----------------------------------------------------------------------------
export class NativeError extends TailorError {}
export const bpfClosed = (what: string) => new NativeError('BPF_CLOSED', `${what} is closed`);
export const bpfNoSuchVariable = (object: string, name: string) => new NativeError('BPF_NO_SUCH_VARIABLE', `${object} has no const volatile global "${name}"`);
/** A system call in sys-napi failed: code SYS_<errno name> (SYS_EBADF, SYS_ENOTSOCK, ...). */
export const systemCallFailed = (what: string, errnoName: string, text: string, cause: unknown) =>
  new NativeError(`SYS_${errnoName}`, `${what}: ${text}`, { cause });
export class BpfLoadError extends NativeError {
  constructor(message: string, readonly verifierLog: string, cause?: unknown) {
    super('BPF_LOAD_FAILED', message, { cause });
  }
}

// --- input: annotations, profiles, arguments --------------------------------------------------
export class InputError extends TailorError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, { ...options, exitCode: 2 });
  }
}
/** The command line itself is wrong: yargs' own complaints and the checks commands add (exit 2). */
export class UsageError extends InputError {}
export const usageError = (message: string) => new UsageError('USAGE', message);
export const unknownArch = (arch: string) => new InputError('UNKNOWN_ARCH', `unknown architecture "${arch}" (libseccomp does not know it)`);
export const unknownSyscall = (name: string, arch: string) =>
  new InputError('UNKNOWN_SYSCALL', `unknown syscall "${name}" for architecture ${arch}`);

// --- profiles ---------------------------------------------------------------------------------
export class ProfileError extends InputError {}
/** `detail`: the prettified schema report (or "✖ not JSON: ..."); `cause`: the ZodError or SyntaxError. */
export const profileInvalid = (source: string, detail: string, cause?: unknown) =>
  new ProfileError('PROFILE_INVALID', `${source}: not a valid seccomp profile:\n${detail}`, { cause });
export const proposalNotJson = (source: string, cause: Error) =>
  new ProfileError('PROPOSAL_INVALID', `${source}: not a proposal: not JSON (${cause.message})`, { cause });
export const proposalInvalid = (source: string, detail: string, cause: unknown) =>
  new ProfileError('PROPOSAL_INVALID', `${source}: not a valid proposal:\n${detail}`, { cause });
export const translateArchUnknown = (arch: string, known: readonly string[]) =>
  new ProfileError('TRANSLATE_ARCH_UNKNOWN', `cannot translate for "${arch}": expected ${known.join(', ')} or a comma-separated list of them`);
export const profileWider = (against: string, count: number) =>
  new ProfileError('PROFILE_WIDER', `the run needed ${count} thing${count === 1 ? '' : 's'} ${against} does not allow`);
export const patchConflict = (syscall: string, why: string, rule: number) => new ProfileError('PATCH_CONFLICT', `${syscall} is ${why} by rule ${rule}: not adding it`);
/** libseccomp refused the profile; `ruleIndex` is the index in `syscalls[]` when one rule is to blame. */
export class ProfileCompileError extends ProfileError {
  constructor(message: string, readonly ruleIndex?: number, readonly syscallName?: string, cause?: unknown) {
    super('PROFILE_COMPILE', message, { cause });
  }
}
export const profileCompileFailed = (problem: string, rule?: { index: number; syscall?: string }, cause?: unknown) =>
  new ProfileCompileError(
    rule === undefined ? `profile does not compile: ${problem}` : `profile rule syscalls[${rule.index}]${rule.syscall === undefined ? '' : ` (${rule.syscall})`}: ${problem}`,
    rule?.index, rule?.syscall, cause);

// --- record (hook, tracer) --------------------------------------------------------------------
export class RecordError extends TailorError {}
export const hookNoPid = (id: string) =>
  new RecordError('HOOK_NO_PID', `container ${id}: the OCI state has no pid; is the hook configured for the prestart stage?`);
export const flushNotTraced = (id: string, runDir: string) => new RecordError('FLUSH_NOT_TRACED', `container ${id} is not being traced (no run state in ${runDir})`);
export const flushWhat = () => new InputError('FLUSH_WHAT', 'name container ids, or pass --all');
export const needsRunFailed = (runtime: string, status: number | null, why: string) => new RecordError('NEEDS_RUN_FAILED', `${runtime} run failed (${status}): ${why}`);
export const recordNoCommand = () => new InputError('RECORD_NO_COMMAND', 'name the command to record after --, e.g. seccomp-tailor record -- /bin/ls /');
export const tracerAction = (action: string) => new InputError('TRACER_ACTION', `unknown tracer action ${action}`);
// The tracer's slots and tags (src/record/tracer.ts).
export const tracerPinFailed = (dir: string) => new RecordError('TRACER_PIN_FAILED', `the tracer was pinned but cannot be opened at ${dir}`);
export const tracerUnloaded = () => new RecordError('TRACER_UNLOADED', 'the pinned tracer was unloaded while a slot was being claimed; open it again');
export const tracerFull = (slots: number, limitedBy: string) =>
  new RecordError('TRACER_FULL', `all ${slots} recording slots are in use (${limitedBy}); finish or release a recording first`);
export const tracerNotLoaded = (pinRoot: string) => new RecordError('TRACER_NOT_LOADED', `no tracer is loaded under ${pinRoot}: the recordings it held are lost`);
export const tracerNoTarget = (slot: number, generation: number) => new RecordError('TRACER_NO_TARGET', `tracer slot ${slot} generation ${generation} is no longer claimed`);
export const tracerNoProcess = (pid: number) => new RecordError('TRACER_NO_PROCESS', `process ${pid} does not exist`);
export const recordSpawnFailed = (command: string) => new RecordError('RECORD_SPAWN_FAILED', `cannot start ${command}`);
// The OCI hook: what a runtime or an annotation handed it, and where it may write or read.
export const annotationInvalid = (why: string) => new InputError('HOOK_ANNOTATION_INVALID', why);
export const hookStateInvalid = (why: string) => new InputError('HOOK_STATE_INVALID', `the OCI state on standard input is not usable: ${why}`);
export const hookPathRefused = (path: string, why: string) => new RecordError('HOOK_PATH_REFUSED', `${path}: ${why}`, { exitCode: 2 });
export const shadowProfileInvalid = (path: string, why: string) => new InputError('SHADOW_PROFILE_INVALID', `${path} is not a seccomp profile: ${why}`);
export const hookConfigInvalid = (path: string, why: string) => new RecordError('HOOK_CONFIG_INVALID', `${path}: ${why}`);
export const notAContainerId = (id: string) => new InputError('HOOK_NOT_A_CONTAINER_ID', `not a container id: ${JSON.stringify(id)}`);
export const hookRunDirUnsafe = (dir: string) => new RecordError('HOOK_RUN_DIR_UNSAFE', `${dir} is not a directory owned by this user: run states there could be planted`);
export const runtimeNeedsMismatch = (a: string, b: string) => new RecordError('NEEDS_TABLES_DIFFER', `cannot merge the runtime-needs table of ${a} with that of ${b}`);
export const hookdSocketDirUnsafe = (dir: string) =>
  new RecordError('HOOKD_SOCKET_DIR_UNSAFE', `${dir} must be a directory only its owner can enter (mode 0700): the socket runs hooks as root`);
export const installStepFailed = (step: string, why: string) => new RecordError('INSTALL_STEP_FAILED', `${step} failed${why ? `: ${why}` : ''}`);
export const hookdBadArgument = (why: string) => new InputError('HOOKD_BAD_ARGUMENT', `${why} (usage: seccomp-tailor-hookd [--socket PATH] [--idle-exit SECONDS] [--verbose])`);
export const agentHostDirUnsafe = (dir: string, why: string) =>
  new RecordError('AGENT_HOST_DIR_UNSAFE', `${dir}: ${why}: the engine runs what lies there as root, so only root may change it and every directory above it`);
export const agentMissingBinary = (path: string, why: string) =>
  new RecordError('AGENT_MISSING_BINARY', `${path} cannot be read (${why}): the image lacks the native hook entry or the runtime shim`);

// --- watch ------------------------------------------------------------------------------------
export class WatchError extends TailorError {}
export const registryEntryInvalid = (what: string, detail: string) =>
  new WatchError('REGISTRY_ENTRY_INVALID', `${what}: not a valid registry entry: ${detail}`);
export const watchStateUnreadable = (path: string, cause: unknown) =>
  new WatchError('WATCH_STATE_UNREADABLE', `cannot read ${path}: ${(cause as Error).message}`, { cause });
export const watchStateCorrupt = (path: string, detail: string, cause: unknown) =>
  new WatchError('WATCH_STATE_CORRUPT', `${path} ${detail}; move it aside to start over (counts since the last proposal write are then lost)`, { cause });
export const watchSourceFailed = (detail: string) => new WatchError('WATCH_SOURCE_FAILED', detail);
export const watcherAlreadyRunning = (pid: number, stateDir: string) =>
  new WatchError('WATCH_ALREADY_RUNNING', `another watcher (pid ${pid}) uses the state directory ${stateDir}`);
export const badMetricsAddress = (addr: string) =>
  new InputError('WATCH_BAD_METRICS_ADDR', `--metrics ${addr}: expected PORT or HOST:PORT`);
export const metricsListenFailed = (addr: string, cause: Error) =>
  new WatchError('WATCH_METRICS_LISTEN', `--metrics ${addr}: ${cause.message}`, { cause });
export const watchBadArgument = (arg: string) =>
  new InputError('WATCH_BAD_ARGUMENT', `watch takes no argument "${arg}": use --source FILE`);
export const watchBadRuntimeRoot = (spec: string) =>
  new InputError('WATCH_BAD_RUNTIME_ROOT', `--runtime-root ${JSON.stringify(spec)}: expected RUNTIME:DIR with runc or crun and an absolute directory, e.g. runc:/run/docker/runtime-runc/moby`);

export const eventsInputUnreadable = (path: string, cause: NodeJS.ErrnoException) =>
  new InputError('EVENTS_INPUT_UNREADABLE', `${path}: cannot read it (${cause.code ?? cause.message})`, { cause });

// --- install ---------------------------------------------------------------------------------
export const installBadDaemonJson = (path: string, why: string) =>
  new InputError('INSTALL_BAD_DAEMON_JSON', `${path}: ${why}; fix it first (dockerd would not start either), nothing was written`);
export const installBadOption = (why: string) => new InputError('INSTALL_BAD_OPTION', why);
export const installManifestInvalid = (path: string, why: string) =>
  new RecordError('INSTALL_MANIFEST_INVALID', `${path}: not the record of what install did (${why}); move it aside, then remove what install wrote by hand`);

// --- apply ------------------------------------------------------------------------------------
export class ApplyError extends TailorError {}
export const applyNothing = (id: string) =>
  new ApplyError('APPLY_NOTHING', `proposal ${id} has nothing to add (only denials by the profile's own rules, which are reported, never applied)`);
export const proposalNotFound = (id: string, where: string) => new ApplyError('APPLY_PROPOSAL_NOT_FOUND', `no proposal ${id} in ${where}`);
export const proposalNotOpen = (id: string, status: string) => new ApplyError('APPLY_NOT_OPEN', `proposal ${id} is ${status}, not open`);
export const riskyRefused = (id: string, list: string) =>
  new ApplyError('APPLY_RISKY', `proposal ${id} would allow dangerous syscalls (${list}); review them and pass --allow-risky to apply anyway`);
export const baseChanged = (path: string, why: string) =>
  new ApplyError('APPLY_BASE_CHANGED', `${path} changed since the proposal was computed and the addition cannot be rebased: ${why}`);
export const invalidResult = (path: string, why: string) => new ApplyError('APPLY_INVALID_RESULT', `applying to ${path} would produce an invalid profile: ${why}`);
/** apply, rollback: the profile's path has a symlink or lies in a directory others can write. */
export const targetRefused = (path: string, why: string) => new ApplyError('APPLY_TARGET_REFUSED', `${path}: not writing there: ${why}`);
export const profileLocked = (path: string) => new ApplyError('APPLY_LOCKED', `${path} is locked by another apply or rollback; try again when it has finished`);
export const patchMismatch = (id: string) =>
  new ApplyError('APPLY_PATCH_MISMATCH', `proposal ${id}: its stored patch does something other than add the proposed syscalls; not applying it`);
export const applyDeclined = (id: string) => new ApplyError('APPLY_DECLINED', `proposal ${id} not applied`);
export const noBackup = (path: string) => new ApplyError('ROLLBACK_NO_BACKUP', `no backup of ${path} to roll back to`);
export const rollbackModified = (path: string) =>
  new ApplyError('ROLLBACK_MODIFIED', `${path} was changed after the last apply; rolling back would lose those changes (pass --force to do it anyway)`);
// `proposals export` / `proposals import`: a document from another host is hostile input.
export const fleetDocumentInvalid = (source: string, why: string, cause?: unknown) =>
  new InputError('FLEET_DOCUMENT_INVALID', `${source}: not a seccomp-tailor proposals export: ${why}`, { cause });
export const fleetDocumentUnreadable = (source: string, cause: NodeJS.ErrnoException) =>
  new InputError('FLEET_DOCUMENT_UNREADABLE', `${source}: cannot read it (${cause.code ?? cause.message})`, { cause });
export const fleetDocumentTooLarge = (source: string, max: number) =>
  new InputError('FLEET_DOCUMENT_TOO_LARGE', `${source}: larger than ${max} bytes; not a proposals export`);

// --- report and demo --------------------------------------------------------------------------
export const timelineInvalid = (source: string, why: string) => new InputError('TIMELINE_INVALID', `${source}: ${why}`);
export const reportNoProfile = (why: string) => new InputError('REPORT_NO_PROFILE', why);
export const readinessBadArgument = (why: string) => new InputError('READINESS_BAD_ARGUMENT', why);
export class DemoError extends TailorError {}
export const demoStepFailed = (step: string, why: string) => new DemoError('DEMO_STEP_FAILED', `demo step "${step}" failed: ${why}`);

export function isTailorError(e: unknown): e is TailorError {
  return e instanceof TailorError;
}
