// `npm run demo`: the whole loop on a local busybox container, in under a minute, as root.
// Everything it creates (temp directory, containers, the podman image, the watcher, auditd if it
// started it, bpffs pins) is removed at the end, on failure and on Ctrl-C too.
//   npm run demo [-- --keep] [-- --source auto|netlink|auditd|kmsg]
//   --keep leaves the work directory (profiles, report.html) in place; --source picks where the
//   watcher reads (default auto: the audit netlink group where it can bind; auditd is started for
//   --source auditd if need be).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTailorError } from '../errors.js';
import { Cleanup } from './cleanup.js';
import { runLoop, STEPS } from './loop.js';
import { Progress } from './progress.js';

async function main(argv: string[]): Promise<number> {
  const keep = argv.includes('--keep');
  const source = argv[argv.indexOf('--source') + 1];
  const sources = ['auto', 'netlink', 'auditd', 'kmsg'] as const;
  if (argv.includes('--source') && !sources.includes(source as (typeof sources)[number])) {
    process.stderr.write('seccomp-tailor demo: --source takes auto, netlink, auditd or kmsg\n');
    return 2;
  }
  if (process.getuid?.() !== 0) {
    process.stderr.write('seccomp-tailor demo: needs root (runc, eBPF, the audit log): sudo npm run demo\n');
    return 1;
  }
  const cleanup = new Cleanup();
  const progress = new Progress(STEPS);
  const work = mkdtempSync(join(tmpdir(), 'seccomp-tailor-demo-'));
  if (!keep) cleanup.add(`work directory ${work}`, () => rmSync(work, { recursive: true, force: true }));
  const show = (s: string): string => s.split(work).join('$DEMO');

  let interrupted = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    progress.stopped = true;
    process.stdout.write(`\n${sig}: cleaning up...\n`);
    void cleanup.run().then((failed) => {
      for (const f of failed) process.stderr.write(`seccomp-tailor demo: could not undo ${f}\n`);
      process.exit(130);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  process.stdout.write(`seccomp-tailor demo: measure -> fit -> alter on a busybox container ($DEMO=${work})\n`);
  let code = 0;
  try {
    await runLoop({ work, progress, cleanup, show, ...(sources.includes(source as (typeof sources)[number]) ? { source: source as (typeof sources)[number] } : {}) });
    process.stdout.write(`done in ${progress.elapsedSeconds} s: recorded, watched, proposed, applied, enforced; the workload runs clean\n`);
  } catch (err) {
    if (interrupted) return 130;
    const msg = isTailorError(err) ? err.message : `internal error: ${(err as Error).stack ?? String(err)}`;
    progress.fail(show(msg));
    process.stderr.write(`seccomp-tailor demo: ${show(msg)}\n`);
    code = 1;
  }
  if (interrupted) return 130;
  const failed = await cleanup.run();
  for (const f of failed) process.stderr.write(`seccomp-tailor demo: could not undo ${f}\n`);
  if (keep) process.stdout.write(`kept ${work} (profiles/, report.html)\n`);
  return code || (failed.length ? 1 : 0);
}

process.exitCode = await main(process.argv.slice(2));
