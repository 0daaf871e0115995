// The OCI hook's entry (bin/seccomp-tailor-hook): no CLI framework, no schema library, lazy
// imports, because it runs inside every traced container's start and stop.
//   seccomp-tailor-hook [--config FILE] [prestart|poststop]
// Without a stage it follows the state's status ("stopped" is poststop), so one hooks.d file
// with stages [prestart, poststop] works.
import { spawnSync } from 'node:child_process';
import { appendFileSync, closeSync, constants, fstatSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { mark, timingMarks } from './timing.js';
import { parseOciState, readStateInput, type OciState } from '../../oci/state.js';
import { DEFAULT_CONFIG, DEFAULT_HOOK_CONFIG, loadHookConfig, type HookConfig } from './config.js';

const TAG = 'seccomp-tailor-hook';

export async function hookMain(argv: string[]): Promise<number> {
  const timing = process.env.SECCOMP_TAILOR_HOOK_TIMING;
  if (timing) {
    // Bench aid: where a hook's time goes, from process start (node's own start-up included).
    const mainAt = performance.now();
    process.once('exit', () => appendFileSync(timing, `${process.argv.slice(2).join(' ')} main=${mainAt.toFixed(1)} ${timingMarks().join(' ')} end=${performance.now().toFixed(1)}\n`));
  }
  return runHook({ argv, readInput: readStateInput, say: (line) => process.stderr.write(`${line}\n`) });
}

export interface HookIo {
  argv: readonly string[];
  readInput: () => Promise<string>;
  /** One line for the runtime's (or hookd client's) standard error. */
  say: (line: string) => void;
}

/** One hook invocation; shared by the Node entry and `hookd` (which serves the native entry). */
export async function runHook(io: HookIo): Promise<number> {
  const say = (line: string) => io.say(`${TAG}: ${line}`);
  let configPath = DEFAULT_HOOK_CONFIG;
  let stage: string | undefined;
  let runtimePid: number | undefined;
  const argv = io.argv;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--config') configPath = argv[++i] ?? '';
    else if (a.startsWith('--config=')) configPath = a.slice('--config='.length);
    // Set by the native entry: the runtime is its parent, not ours.
    else if (a === '--runtime-pid') runtimePid = Number(argv[++i]) || undefined;
    else if (a === 'prestart' || a === 'poststop' || a === 'createRuntime' || a === 'auto') stage = a;
    else {
      say(`unknown argument "${a}" (usage: ${TAG} [--config FILE] [prestart|poststop])`);
      return 2;
    }
  }
  let state: OciState | undefined;
  let cfg: HookConfig | undefined;
  try {
    cfg = loadHookConfig(configPath);
    state = parseOciState(await io.readInput());
    mark('stdin');
    const isStop = stage === 'poststop' || ((stage === undefined || stage === 'auto') && state.status === 'stopped');
    if (isStop) {
      const { poststop } = await import('./poststop.js');
      mark('imported');
      const r = await poststop(state, cfg);
      for (const w of r.warnings) warn(cfg, say, `${state.id}: warning: ${w}`);
      if (r.written) say(`${state.id}: wrote ${r.written} (${r.syscalls} syscalls)`);
      return 0;
    }
    const { prestart } = await import('./prestart.js');
    mark('imported');
    const r = await prestart(state, cfg, runtimePid);
    for (const w of r.warnings) warn(cfg, say, `${state.id}: warning: ${w}`);
    // A refused request whose container starts anyway (a bad shadow annotation): runc and crun
    // keep a hook's stderr to themselves when it exits 0, so the runtime's stderr hears it too.
    for (const n of r.notices) {
      warn(cfg, say, n);
      tellRuntime(runtimePid ?? process.ppid, `${TAG}: ${n}`);
    }
    return 0;
  } catch (e) {
    const msg = `${state ? `${state.id}: ` : ''}recording failed: ${(e as Error).message}`;
    say(msg);
    logToSyslog(msg);
    logToFile(cfg, `error: ${msg}`);
    // After the container stopped there is nothing to protect; before it started the
    // administrator decides whether an unrecorded container may run.
    if (state?.status === 'stopped' || stage === 'poststop') return 0;
    if ((cfg?.onFailure ?? 'start') === 'fail') return 1;
    const line = `${state ? `${state.id}: ` : ''}the container starts WITHOUT recording (onFailure: start)`;
    say(line);
    // runc (and crun) keep a hook's stderr to themselves when it exits 0: the one line goes to
    // the runtime's own stderr, where whoever started the container reads it.
    tellRuntime(runtimePid ?? process.ppid, `${TAG}: ${msg}; ${line}`);
    return 0;
  }
}

function warn(cfg: HookConfig, say: (line: string) => void, line: string): void {
  say(line);
  logToFile(cfg, line);
}

/** runc and crun show a hook's stderr only on failure and machines may lack syslog: keep a file too. */
function logToFile(cfg: HookConfig | undefined, msg: string): void {
  try {
    const dir = (cfg ?? DEFAULT_CONFIG).runDir;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Bounded: keep one previous file of 1 MiB.
    if ((statSync(`${dir}/hook.log`, { throwIfNoEntry: false })?.size ?? 0) > 1 << 20) renameSync(`${dir}/hook.log`, `${dir}/hook.log.1`);
    appendFileSync(`${dir}/hook.log`, `${new Date().toISOString()} ${msg}\n`, { mode: 0o600 });
  } catch {
    // best effort
  }
}


/**
 * One line on the runtime's standard error (/proc/PID/fd/2) when that is a terminal or a pipe
 * and not our own stderr (a runtime that passes ours through already shows what we said).
 * Regular files are left alone: the runtime may log there in its own format.
 */
function tellRuntime(pid: number, line: string): void {
  let fd: number | undefined;
  try {
    const path = `/proc/${pid}/fd/2`;
    fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_NOCTTY | constants.O_NONBLOCK);
    const theirs = fstatSync(fd);
    if (!theirs.isFIFO() && !theirs.isCharacterDevice()) return;
    const ours = fstatSync(2);
    if (ours.dev === theirs.dev && ours.ino === theirs.ino) return;
    writeSync(fd, `${line}\n`);
  } catch {
    // no such runtime, no permission, a full pipe: the journal and hook.log still have it
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The journal or syslog: runtimes often drop a hook's stderr when it succeeds. */
function logToSyslog(msg: string): void {
  try {
    spawnSync('logger', ['-t', TAG, '-p', 'user.err', '--', msg], { stdio: 'ignore', timeout: 1000 });
  } catch {
    // no logger: stderr is all there is
  }
}
