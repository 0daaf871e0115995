// The whole loop on a local busybox container, each step the command a user would run:
// measure (record `ls /` with the hook) -> fit (complain mode, the watcher catches the denials of a
// bigger workload) -> alter (proposal, apply, enforce) -> the workload runs clean.
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoStepFailed } from '../errors.js';
import { makeBundle, writeBundleConfig, type BundleOptions } from '../oci/busybox-bundle.js';
import { SHADOW_ANNOTATION, TRACE_ANNOTATION } from '../oci/annotation.js';
import { startedHookdPid } from '../record/hook/native-entry.js';
import type { Cleanup } from './cleanup.js';
import { auditdPid, cli, hasCommand, HOOK, run, spawnWatcher, startAuditd, type Ran } from './exec.js';
import type { Progress } from './progress.js';

export const RECORDED_CMD = ['ls', '/'];
// busybox `ls -l /` makes no syscall `ls /` does not; uname and date do (checked with
// `seccomp-tailor record`): the difference the watcher has to find.
export const BIGGER_CMD = ['sh', '-c', 'ls -l /; uname -a; date'];
// Production, later: the same, and a pause the enforced profile never saw (nanosleep).
export const PRODUCTION_CMD = ['sh', '-c', 'ls -l /; uname -a; date; sleep 0.1'];
export const STEPS = 13;

const PRINTK_RATELIMIT = '/proc/sys/kernel/printk_ratelimit';

/** Sets kernel.printk_ratelimit, returning the value it had. */
function setPrintkRatelimit(v: string): string {
  const was = readFileSync(PRINTK_RATELIMIT, 'utf8').trim();
  if (was !== v) writeFileSync(PRINTK_RATELIMIT, v);
  return was;
}

/** The annotation the watcher reads for a runc container's profile file (podman sets its own). */
const PROFILE_ANNOTATION = 'io.seccomp-tailor.profile';

export interface DemoContext {
  work: string;
  progress: Progress;
  cleanup: Cleanup;
  /** Where the watcher reads: auto (default: the audit netlink group where it can bind), netlink, auditd's log, or /dev/kmsg. */
  source?: 'auto' | 'netlink' | 'auditd' | 'kmsg';
  /** Shortens paths under the work directory for display. */
  show(s: string): string;
}

interface Paths {
  bundle: string; profiles: string; state: string; hookConfig: string; pinRoot: string; witnessPin: string;
  recorded: string; complain: string; enforced: string; report: string;
}

const cmdLine = (args: readonly string[]): string => args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');

function must(step: string, r: Ran, what: string): string {
  if (r.status === 0) return r.stdout;
  // A one-line error is the message; for a crash, its first line says what, the rest is a stack.
  const lines = (r.stderr || r.stdout).trim().split('\n').filter((l) => l.trim());
  const why = lines.length <= 2 ? lines.join(' | ') || `exit ${r.status ?? r.signal}` : `${lines.slice(0, 3).join(' | ')} ...`;
  throw demoStepFailed(step, `${what}: ${why}`);
}

export async function runLoop(ctx: DemoContext): Promise<void> {
  const { progress: p, cleanup, show } = ctx;
  const tag = `${process.pid}`;
  const P: Paths = {
    bundle: join(ctx.work, 'bundle'), profiles: join(ctx.work, 'profiles'), state: join(ctx.work, 'state'),
    hookConfig: join(ctx.work, 'hook.json'), pinRoot: `/sys/fs/bpf/seccomp-tailor-demo-${tag}`, witnessPin: `/sys/fs/bpf/seccomp-tailor-demo-${tag}-witness`,
    recorded: '', complain: '', enforced: '', report: join(ctx.work, 'report.html'),
  };
  P.recorded = join(P.profiles, 'ls.json');
  P.complain = join(P.profiles, 'ls-complain.json');
  P.enforced = join(P.profiles, 'ls-enforced.json');
  const st = (args: readonly string[]) => p.command(`seccomp-tailor ${show(cmdLine(args))}`);
  const runc = async (step: string, id: string, o: BundleOptions): Promise<Ran & { ms: number }> => {
    writeBundleConfig(P.bundle, o);
    cleanup.add(`container ${id}`, async () => { await run('runc', ['delete', '-f', id], 10_000); });
    p.command(`runc run --bundle ${show(P.bundle)} ${id}     # ${cmdLine(o.args)}`);
    const t0 = Date.now();
    const r = await run('runc', ['run', '--bundle', P.bundle, id], 30_000);
    if (r.signal) throw demoStepFailed(step, `runc was killed (${r.signal})`);
    return { ...r, ms: Date.now() - t0 };
  };

  // 1 ───────────────────────────────────────────────────────────────────────────────────────────
  let step = p.begin('build a busybox-static rootfs as a local OCI bundle (no image download)');
  if (!existsSync('/bin/busybox')) throw demoStepFailed(step, '/bin/busybox is missing: apt-get install busybox-static');
  for (const need of ['runc']) if (!hasCommand(need)) throw demoStepFailed(step, `${need} is not installed: apt-get install ${need}`);
  makeBundle(P.bundle, { args: RECORDED_CMD });
  mkdirSync(P.profiles, { mode: 0o755 });
  let podmanNote = 'podman not installed: skipped the podman image';
  let podmanImage: string | undefined;
  if (hasCommand('podman')) {
    const image = `localhost/seccomp-tailor-demo:${tag}`;
    const tar = join(ctx.work, 'rootfs.tar');
    const t = await run('tar', ['-C', join(P.bundle, 'rootfs'), '-cf', tar, '.']);
    const imp = t.status === 0 ? await run('podman', ['import', '--quiet', tar, image], 30_000) : t;
    rmSync(tar, { force: true });
    if (imp.status === 0) {
      cleanup.add(`podman image ${image}`, async () => { await run('podman', ['rmi', '--force', image], 20_000); });
      podmanNote = `podman image ${image} (podman import of the same rootfs)`;
      podmanImage = image;
    } else podmanNote = `podman import failed (${(imp.stderr || imp.stdout).trim().split('\n').at(-1)}): skipped`;
  }
  p.done(`bundle ${show(P.bundle)}; ${podmanNote}`);

  // 2 ───────────────────────────────────────────────────────────────────────────────────────────
  step = p.begin(`record \`${cmdLine(RECORDED_CMD)}\` with the hook (runc, io.containers.trace-syscall=of:...)`);
  // The administrator's config: profiles may be written only to the demo's directory.
  writeFileSync(P.hookConfig, JSON.stringify({ allowedDirs: [P.profiles], defaultDir: P.profiles, runDir: join(ctx.work, 'run'), stateDir: P.state, pinRoot: P.pinRoot }, null, 2) + '\n');
  chmodSync(P.hookConfig, 0o644);
  // The hook's pinned tracer lives under the demo's own bpffs directory: removing it detaches it.
  cleanup.add(`tracer pins ${P.pinRoot}`, () => rmSync(P.pinRoot, { recursive: true, force: true }));
  // The hook's fast path starts hookd on first use; the demo's own socket keeps that daemon its own.
  const hookdSocket = join(ctx.work, 'hookd', 'hookd.sock');
  mkdirSync(join(ctx.work, 'hookd'), { mode: 0o700 });
  cleanup.add('hookd (started by the hook)', () => {
    const pid = startedHookdPid(hookdSocket);
    if (pid) process.kill(pid, 'SIGTERM');
  });
  const hooks = await hooksFor(step, P.hookConfig, hookdSocket, st);
  const recId = `st-demo-${tag}-record`;
  const rec = await runc(step, recId, { args: RECORDED_CMD, annotations: { [TRACE_ANNOTATION]: `of:${P.recorded}` }, hooks });
  // Checked at once: the profile must exist when `runc run` returns (poststop wrote it).
  const written = existsSync(P.recorded);
  if (rec.status !== 0) throw demoStepFailed(step, `the container failed (exit ${rec.status}): ${rec.stderr.trim()}`);
  if (!written) throw demoStepFailed(step, `no profile at ${P.recorded} when runc returned; hook said: ${rec.stderr.trim() || '(nothing)'}`);
  p.detail(`container printed: ${rec.stdout.trim().split(/\s+/).join(' ')}`);
  p.done(`${show(P.recorded)} written before runc returned (${rec.ms} ms for the whole run)`);

  // 3 ───────────────────────────────────────────────────────────────────────────────────────────
  step = p.begin('the profile and its stats');
  st(['profile', 'stats', P.recorded]);
  const stats = JSON.parse(must(step, await cli(['profile', 'stats', P.recorded, '--json']), 'profile stats')) as {
    arches: Array<{ arch: string; allowed: number; reductionVsDefault?: number; defaultProfileAllowed?: number }>;
    dangerousAllowed: Array<{ syscall: string }>;
  };
  const a = stats.arches[0]!;
  st(['report', P.recorded, '--html', P.report]);
  must(step, await cli(['report', P.recorded, '--html', P.report]), 'report --html');
  p.done(a.reductionVsDefault === undefined
    ? `${a.allowed} syscalls (podman's default profile not installed: no comparison)`
    : `${a.allowed} syscalls, ${a.reductionVsDefault}% smaller than podman's default (${a.defaultProfileAllowed}); report: ${show(P.report)}`);

  // 4 ───────────────────────────────────────────────────────────────────────────────────────────
  step = p.begin(`the recorded profile is too tight for \`${cmdLine(BIGGER_CMD)}\``);
  const tightId = `st-demo-${tag}-tight`;
  const tight = await runc(step, tightId, { args: BIGGER_CMD, seccomp: JSON.parse(readFileSync(P.recorded, 'utf8')) });
  const firstErr = (tight.stderr.trim().split('\n').find((l) => l.trim() && !l.startsWith('time=')) ?? '').trim();
  p.done(tight.status === 0 && !firstErr
    ? 'it ran anyway (this busybox needs nothing more): the rest of the loop will find nothing to add'
    : `exit ${tight.status}${firstErr ? `: ${firstErr}` : ''}`);

  // 5 ───────────────────────────────────────────────────────────────────────────────────────────
  step = p.begin('complain mode: the same allow-list, but what it lacks is logged, not denied');
  st(['profile', 'complain', P.recorded, '-o', P.complain]);
  must(step, await cli(['profile', 'complain', P.recorded, '-o', P.complain]), 'profile complain');
  const complain = JSON.parse(readFileSync(P.complain, 'utf8')) as { defaultAction: string };
  p.done(`${show(P.complain)}: defaultAction ${complain.defaultAction}`);

  // 6 ───────────────────────────────────────────────────────────────────────────────────────────
  step = p.begin('start the watcher in the background');
  const source = ctx.source ?? 'auto';
  if (source === 'kmsg' && auditdPid()) {
    throw demoStepFailed(step, 'auditd is running, so the kernel hands SECCOMP records to it and prints none to /dev/kmsg: use --source auditd');
  }
  if (source === 'auditd') {
    if (!hasCommand('auditd')) throw demoStepFailed(step, 'auditd is not installed (apt-get install auditd), or use --source kmsg');
    if (!auditdPid()) {
      const stop = await startAuditd().catch((e: Error) => {
        throw demoStepFailed(step, e.message);
      });
      cleanup.add('auditd (started by the demo)', stop);
      p.detail('auditd was not running: started it (stopped again at the end)');
    }
  }
  if (source === 'kmsg') {
    // Without auditd the kernel prints audit records through printk_ratelimit(): 10 lines per 5 s
    // for the whole kernel. The container's own start spends it (runc loads a BPF device filter:
    // BPF LOAD + SYSCALL + PROCTITLE records) and the workload alone makes more than 10 denials,
    // so with the default most of them are "callbacks suppressed". 0 disables the limit
    // (Documentation/admin-guide/sysctl/kernel.rst); the old value comes back at the end.
    const was = setPrintkRatelimit('0');
    if (was !== '0') {
      cleanup.add(`kernel.printk_ratelimit (back to ${was})`, () => { setPrintkRatelimit(was); });
      p.detail(`kernel.printk_ratelimit ${was} -> 0 while the demo runs: kmsg drops audit records beyond 10 lines per ${was} s (use --source netlink on a real host)`);
    }
  }
  const watchArgs = ['--source', source, '--state-dir', P.state, '--witness-pin', P.witnessPin, '--profile-dir', P.profiles, '--hook-config', P.hookConfig];
  p.command(`seccomp-tailor watch --source ${source} --state-dir ${show(P.state)} &`);
  cleanup.add(`watcher pins ${P.witnessPin}`, () => rmSync(P.witnessPin, { recursive: true, force: true }));
  const watcher = spawnWatcher(watchArgs);
  cleanup.add('watcher', () => watcher.stop());
  await watcher.ready.catch((e: Error) => {
    throw demoStepFailed(step, e.message);
  });
  // Discovery and the source are set up right after "watching".
  await new Promise((r) => setTimeout(r, 300));
  const watching = watcher.lines().find((l) => l.msg === 'watching');
  p.done(`watching ${source === 'auditd' ? '/var/log/audit/audit.log' : source === 'kmsg' ? '/dev/kmsg' : String(watching?.source ?? source)} (pid ${watcher.proc.pid})`);

  // 7 ───────────────────────────────────────────────────────────────────────────────────────────
  step = p.begin(`run \`${cmdLine(BIGGER_CMD)}\` under the complain profile`);
  const complainId = `st-demo-${tag}-complain`;
  const fit = await runc(step, complainId, {
    args: BIGGER_CMD, seccomp: JSON.parse(readFileSync(P.complain, 'utf8')), annotations: { [PROFILE_ANNOTATION]: P.complain },
  });
  if (fit.status !== 0) throw demoStepFailed(step, `the container failed under the complain profile (exit ${fit.status}): ${fit.stderr.trim()}`);
  p.detail(fit.stdout.trim().split('\n').slice(-2).join('\n'));
  p.done('it ran: nothing was denied, the kernel logged what the allow-list lacks');

  // 8 ───────────────────────────────────────────────────────────────────────────────────────────
  step = p.begin('the watcher catches the logged calls and names the container');
  type Proposal = { id: string; container?: { id?: string }; profile?: { path?: string }; add?: Array<{ syscall: string; count: number; comm?: string[] }> };
  const proposalsNow = async (): Promise<Proposal[]> => {
    const r = await cli(['proposals', 'list', '--json', '--state-dir', P.state]);
    return r.status === 0 ? JSON.parse(r.stdout) as Proposal[] : [];
  };
  let proposal: Proposal | undefined;
  let lastCount = -1;
  const deadline = Date.now() + 8000;
  // Settled when the proposal for this container has stopped growing for a moment.
  while (Date.now() < deadline) {
    const found = (await proposalsNow()).find((x) => x.container?.id === complainId);
    const n = found?.add?.length ?? -1;
    if (found && n === lastCount) {
      proposal = found;
      break;
    }
    lastCount = n;
    await new Promise((r) => setTimeout(r, 250));
  }
  if (!proposal) {
    // The candidates of an ambiguous denial are named: which earlier container still looked alive.
    const candidates = (l: Record<string, unknown>) => ((l.attribution as { candidates?: string[] } | undefined)?.candidates ?? []).join(', ');
    const said = watcher.lines().filter((l) => Number(l.level) >= 40).map((l) => `${String(l.msg)}${l.err ? ` (${String(l.err)})` : ''}${candidates(l) ? ` [${candidates(l)}]` : ''}`).slice(-3).join(' | ');
    throw demoStepFailed(step, `no proposal for container ${complainId} within 8 s${said ? `; watcher: ${said}` : ''}`);
  }
  const names = (proposal.add ?? []).map((x) => x.syscall);
  p.detail(`container ${proposal.container?.id}, profile ${show(proposal.profile?.path ?? '?')}`);
  const losses = watcher.lines().filter((l) => l.loss !== undefined);
  const lost = losses.reduce((n, l) => n + Number((l.loss as { count?: number }).count ?? 0), 0);
  p.detail(losses.length ? `the watcher reported ${lost} records lost (${losses.length} notices): the evidence is incomplete` : 'the watcher reported no lost records');
  p.done(`proposal ${proposal.id}: add ${names.join(', ')}`);

  // 9 ───────────────────────────────────────────────────────────────────────────────────────────
  step = p.begin('the proposal, as a diff of the profile file');
  st(['proposals', 'show', proposal.id, '--state-dir', P.state]);
  const shown = must(step, await cli(['proposals', 'show', proposal.id, '--state-dir', P.state]), 'proposals show');
  p.detail(show(shown));
  p.done(`${names.length} syscalls to add`);

  // 10 ──────────────────────────────────────────────────────────────────────────────────────────
  step = p.begin('apply it, then make the enforcing profile');
  st(['apply', proposal.id, '--yes', '--state-dir', P.state]);
  const applied = must(step, await cli(['apply', proposal.id, '--yes', '--state-dir', P.state]), 'apply');
  p.detail(show(applied).trim().split('\n').slice(0, 3).join('\n'));
  // runc 1.1.5 refuses seccomp "flags": without SECCOMP_FILTER_FLAG_LOG its denials go unlogged.
  st(['profile', 'enforce', P.complain, '--runtime', 'runc', '-o', P.enforced]);
  must(step, await cli(['profile', 'enforce', P.complain, '--runtime', 'runc', '-o', P.enforced]), 'profile enforce');
  const enforced = JSON.parse(readFileSync(P.enforced, 'utf8')) as { defaultAction: string; syscalls: Array<{ names: string[]; action: string }> };
  const allowed = new Set(enforced.syscalls.filter((r) => r.action === 'SCMP_ACT_ALLOW').flatMap((r) => r.names));
  const missing = names.filter((n) => !allowed.has(n));
  if (missing.length) throw demoStepFailed(step, `the enforced profile lacks ${missing.join(', ')}`);
  p.done(`${show(P.enforced)}: defaultAction ${enforced.defaultAction}, ${allowed.size} syscalls allowed`);

  // 11 ──────────────────────────────────────────────────────────────────────────────────────────
  step = p.begin(`run \`${cmdLine(BIGGER_CMD)}\` under the enforced profile`);
  const cleanId = `st-demo-${tag}-enforced`;
  const clean = await runc(step, cleanId, { args: BIGGER_CMD, seccomp: enforced });
  const errLines = clean.stderr.trim().split('\n').filter((l) => l.trim() && !l.startsWith('time='));
  if (clean.status !== 0 || errLines.length) throw demoStepFailed(step, `exit ${clean.status}: ${errLines.join(' | ') || '(no message)'}`);
  p.detail(clean.stdout.trim().split('\n').slice(-2).join('\n'));
  p.done('exit 0, nothing denied');

  // 12 ──────────────────────────────────────────────────────────────────────────────────────────
  step = p.begin(`production: \`${cmdLine(PRODUCTION_CMD)}\` shadowing the enforced profile (io.seccomp-tailor.shadow)`);
  // The container runs under its engine's filter (here none); the tracer follows it and evaluates
  // the enforced profile against every call: no audit record, the arguments kept.
  const shadowId = `st-demo-${tag}-shadow`;
  const shadowed = await runc(step, shadowId, { args: PRODUCTION_CMD, annotations: { [SHADOW_ANNOTATION]: P.enforced }, hooks });
  if (shadowed.status !== 0) throw demoStepFailed(step, `the container failed (exit ${shadowed.status}): ${shadowed.stderr.trim()}`);
  type ShadowProposal = Proposal & { source?: string; status?: string };
  let shadowProposal: ShadowProposal | undefined;
  for (const end = Date.now() + 8000; Date.now() < end && !shadowProposal; await new Promise((r) => setTimeout(r, 200)))
    shadowProposal = ((await proposalsNow()) as ShadowProposal[]).find((x) => x.source === 'shadow' && x.profile?.path === P.enforced && (x.add ?? []).length > 0);
  if (!shadowProposal) throw demoStepFailed(step, `no shadow proposal for ${P.enforced} within 8 s`);
  p.detail(`shadow proposal ${shadowProposal.id}: add ${(shadowProposal.add ?? []).map((x) => x.syscall).join(', ')}`);
  st(['profile', 'readiness', P.enforced, '--state-dir', P.state]);
  const ready = JSON.parse(must(step, await cli(['profile', 'readiness', P.enforced, '--state-dir', P.state, '--json']), 'profile readiness')) as { verdict: string; reason: string };
  p.detail(`readiness: ${ready.verdict} (${ready.reason})`);
  if (ready.verdict !== 'learning') throw demoStepFailed(step, `readiness says ${ready.verdict} with an open shadow proposal`);
  p.done('what the enforced profile would deny was proposed without one audit record; not ready to enforce yet');

  // 13 ──────────────────────────────────────────────────────────────────────────────────────────
  step = p.begin('the same enforced profile under podman');
  if (!podmanImage) return p.done('skipped: no podman image (see step 1)');
  const name = `st-demo-${tag}-podman`;
  // runc: the profile carries what runc needs after installing the filter (crun differs); the
  // cgroupfs manager and explicit ulimits keep podman away from systemd and the host's limits.
  const podmanArgs = ['--runtime', 'runc', '--cgroup-manager', 'cgroupfs', 'run', '--rm', '--name', name,
    '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024', '--security-opt', `seccomp=${P.enforced}`, podmanImage, ...BIGGER_CMD];
  cleanup.add(`podman container ${name}`, async () => { await run('podman', ['rm', '--force', '--ignore', name], 20_000); });
  p.command(`podman ${show(cmdLine(podmanArgs))}`);
  const pr = await run('podman', podmanArgs, 30_000);
  if (pr.status !== 0) throw demoStepFailed(step, `exit ${pr.status}: ${(pr.stderr || pr.stdout).trim().split('\n').slice(-2).join(' | ')}`);
  p.detail(pr.stdout.trim().split('\n').slice(-2).join('\n'));
  p.done('exit 0, nothing denied');
}

/** The hook entries for config.json, from `hooks-config --runtime runc` (the documented way). */
async function hooksFor(step: string, configPath: string, hookdSocket: string, st: (args: readonly string[]) => void): Promise<Record<string, unknown>> {
  const args = ['hooks-config', '--runtime', 'runc', '--config', configPath, '--hookd-socket', hookdSocket];
  st(args);
  const r = await cli(args);
  if (r.status === 0) {
    try {
      const parsed = JSON.parse(r.stdout) as { hooks?: Record<string, unknown> };
      if (parsed.hooks) return parsed.hooks;
    } catch {
      // fall through to the message below
    }
  }
  // The hook itself is what matters; say that the helper command is missing, and go on.
  process.stdout.write(`      note: \`seccomp-tailor hooks-config\` did not work (${(r.stderr || r.stdout).trim().split('\n').at(-1) ?? `exit ${r.status}`}); using the hook entry directly\n`);
  void step;
  const entry = (stage: string) => ({ path: HOOK, args: ['seccomp-tailor-hook', '--config', configPath, stage], env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] });
  return { prestart: [entry('prestart')], poststop: [entry('poststop')] };
}
