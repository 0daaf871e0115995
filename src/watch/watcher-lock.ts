// One watcher per state directory: a second one would double-count into the same proposals. The
// lock is an abstract Unix socket named after the directory: binding it is atomic, and the kernel
// frees it when the process dies, kill -9 included, so a restart never waits for staleness and
// two watchers starting at once cannot both win (a pid file checked by command line could).
// daemon.pid beside the state only says who holds it.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, realpathSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { watcherAlreadyRunning } from '../errors.js';

export async function takeWatcherLock(stateDir: string): Promise<() => void> {
  const dir = join(stateDir, 'watch');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const name = `\0seccomp-tailor-watch-${createHash('sha256').update(realpathSync(stateDir)).digest('hex').slice(0, 32)}`;
  const pidFile = join(dir, 'daemon.pid');
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EADDRINUSE') return reject(e);
      let pid = 0;
      try {
        pid = Number(readFileSync(pidFile, 'utf8').trim()) || 0;
      } catch {
        // the holder has not written it yet
      }
      reject(watcherAlreadyRunning(pid, stateDir));
    });
    server.listen(name, () => resolve());
  });
  // Holding the lock must not keep the process alive.
  server.unref();
  writeFileSync(pidFile, `${process.pid}\n`);
  return () => {
    server.close();
    try {
      if (readFileSync(pidFile, 'utf8').trim() === String(process.pid)) unlinkSync(pidFile);
    } catch {
      // gone
    }
  };
}
