// Parse speed and memory of `seccomp-tailor events` against the tools people already use on one
// enriched audit.log, all run as whole commands, interleaved (the order turns each round), medians:
//   events --json > /dev/null   vs  ausearch -m SECCOMP -i -if FILE      (goal: <= 0.25x, issue 22)
//   events --count (parse only) vs  grep -c type=SECCOMP FILE            (goal: <= 8x, issue 22)
//   events --count              vs  ausearch -m SECCOMP --raw -if FILE   (goal: faster)
//   peak RSS of events --json at 1M and 4M lines (goal: flat)
//   the start alone (node -e 0, events --count on an empty file), told apart from the parsing
//   the disk's own read of the log (dd iflag=direct) against events --count past its start
// The CLI runs as users run it: bin/seccomp-tailor on the Node.js runtime that travels with it.
// The log is built from the real records in samples/logs/auditd-enriched.log: 70% SECCOMP, the
// rest the SYSCALL/EXECVE/PROCTITLE/CWD/PATH/EOE lines around them, with rising serials.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, median, rotated } from './stats.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

function templates(): { seccomp: string[]; other: string[] } {
  const lines = readFileSync(join(root, 'samples/logs/auditd-enriched.log'), 'latin1').split('\n').filter(Boolean);
  const seccomp = lines.filter((l) => l.startsWith('type=SECCOMP ') && l.length < 500);
  // Very long PROCTITLE/EXECVE lines are left out so the file is ~250 MB per million lines, as in the issue.
  const other = lines.filter((l) => l.length < 500 && /^type=(SYSCALL|EXECVE|PROCTITLE|CWD|PATH|EOE) /.test(l));
  return { seccomp, other };
}

const STAMP = /msg=audit\(\d+\.\d+:\d+\)/;
const SYSCALLS = [0, 1, 3, 9, 39, 56, 59, 63, 80, 83, 90, 102, 170, 257, 262, 318, 435];

export function generate(path: string, n: number): void {
  // A finished file is marked by its .lines companion, written last.
  if (existsSync(path) && existsSync(path + '.lines') && Number(readFileSync(path + '.lines', 'utf8').trim()) === n) return;
  const { seccomp, other } = templates();
  const fd = openSync(path, 'w');
  let sec = 1795870000;
  let ms = 0;
  let serial = 1000;
  let buf: string[] = [];
  let size = 0;
  for (let i = 0; i < n; i++) {
    // 7 in 10 lines SECCOMP, spread like a burst of denials within other audit traffic.
    const isSeccomp = i % 10 < 7;
    const t = isSeccomp ? seccomp[i % seccomp.length]! : other[i % other.length]!;
    // Each SECCOMP record has its own serial; the other records come in events of a few lines.
    if (isSeccomp || i % 4 === 0) serial++;
    if (++ms === 1000) { ms = 0; sec++; }
    let line = t.replace(STAMP, `msg=audit(${sec}.${String(ms).padStart(3, '0')}:${serial})`);
    if (isSeccomp) line = line.replace(/ syscall=\d+ /, ` syscall=${SYSCALLS[i % SYSCALLS.length]} `).replace(/ pid=\d+ /, ` pid=${1000 + (i % 30000)} `);
    buf.push(line, '\n');
    size += line.length + 1;
    if (size > 1 << 22) { writeSync(fd, Buffer.from(buf.join(''), 'latin1')); buf = []; size = 0; }
  }
  writeSync(fd, Buffer.from(buf.join(''), 'latin1'));
  closeSync(fd);
  writeFileSync(path + '.lines', String(n));
}

interface Run { wallMs: number; maxRssKb: number; stderr: string }

function timed(cmd: string[]): Run {
  const devnull = openSync('/dev/null', 'w');
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-v', ...cmd], { stdio: ['ignore', devnull, 'pipe'], maxBuffer: 1 << 26 });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  closeSync(devnull);
  const stderr = r.stderr.toString();
  if (r.status !== 0) throw new Error(`${cmd.join(' ')} failed (${r.status}): ${stderr.slice(-500)}`);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  return { wallMs, maxRssKb: rss ? Number(rss[1]) : Number.NaN, stderr };
}

/** The Node.js bin/seccomp-tailor runs on in a checkout (the one `npm ci` puts beside it). */
const runtimeNode = join(root, 'node_modules', `node-linux-${process.arch === 'arm64' ? 'arm64' : 'x64'}`, 'bin', 'node');

function main(): void {
  const bin = join(root, 'bin', 'seccomp-tailor');
  const file1 = '/tmp/seccomp-tailor-bench-1M.log';
  const file4 = '/tmp/seccomp-tailor-bench-4M.log';
  const empty = '/tmp/seccomp-tailor-bench-empty.log';
  writeFileSync(empty, '');
  generate(file1, 1_000_000);
  console.log(`log: ${file1}, 1,000,000 lines, ${fmt(statSync(file1).size / 1e6)} MB, 70% SECCOMP (enriched)`);
  const configs: Record<string, string[]> = {
    'events --json': [bin, 'events', '--json', file1],
    'ausearch -i': ['ausearch', '-m', 'SECCOMP', '-i', '-if', file1],
    'events --count': [bin, 'events', '--count', file1],
    'ausearch --raw': ['ausearch', '-m', 'SECCOMP', '--raw', '-if', file1],
    'grep -c': ['grep', '-c', 'type=SECCOMP', file1],
    // The start alone, to tell it from the parsing: the runtime's, and the CLI's on an empty file.
    'node -e 0': [runtimeNode, '-e', '0'],
    'events --count (empty)': [bin, 'events', '--count', empty],
  };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(configs).map((k) => [k, []]));
  const rss: Record<string, number[]> = Object.fromEntries(Object.keys(configs).map((k) => [k, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of rotated(Object.keys(configs), round)) {
      const r = timed(configs[name]!);
      times[name]!.push(r.wallMs);
      rss[name]!.push(r.maxRssKb);
      if (round === 0 && name.startsWith('events')) console.log(`  ${name} summary: ${r.stderr.split('\n')[0]}`);
    }
  }
  const med = (k: string) => median(times[k]!);
  for (const k of Object.keys(configs)) {
    console.log(`${k.padEnd(16)} median ${fmt(med(k) / 1000, 2)} s  (runs: ${times[k]!.map((t) => fmt(t / 1000, 2)).join(', ')})  peak RSS ${fmt(median(rss[k]!) / 1024)} MB`);
  }
  const r1 = med('events --json') / med('ausearch -i');
  const r2 = med('events --count') / med('grep -c');
  const r3 = med('events --count') / med('ausearch --raw');
  console.log(`events --json / ausearch -i     = ${fmt(r1, 2)}  (goal <= 0.25) ${r1 <= 0.25 ? 'OK' : 'MISSED'}`);
  console.log(`events --count / grep -c        = ${fmt(r2, 1)}  (goal <= 8) ${r2 <= 8 ? 'OK' : 'MISSED'}`);
  console.log(`events --count / ausearch --raw = ${fmt(r3, 2)}  (goal < 1.00) ${r3 < 1 ? 'OK' : 'MISSED'}`);
  const start = med('events --count (empty)');
  console.log(`start: node -e 0 ${fmt(med('node -e 0') / 1000, 2)} s (${fmt(med('node -e 0') / med('grep -c'), 1)}x grep -c), the CLI on an empty file ${fmt(start / 1000, 2)} s; events --count without its start = ${fmt((med('events --count') - start) / med('grep -c'), 1)}x grep -c`);
  diskSpeed(file1, med('events --count'), start);

  if (process.env.BENCH_SKIP_4M !== '1') {
    generate(file4, 4_000_000);
    const big = timed([bin, 'events', '--json', file4]);
    const rss1 = median(rss['events --json']!) / 1024;
    console.log(`peak RSS events --json: 1M lines ${fmt(rss1)} MB, 4M lines (${fmt(statSync(file4).size / 1e6)} MB) ${fmt(big.maxRssKb / 1024)} MB (${fmt(big.wallMs / 1000, 2)} s)`);
  }
}

/**
 * "At the speed of the disk": the disk's own read of the log, the page cache bypassed (dd
 * iflag=direct), against the time `events --count` spends past its start. (Dropping the page
 * cache before each run measures less here: this machine's virtual disk is cached by its host.)
 */
function diskSpeed(file: string, countMs: number, startMs: number): void {
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync('dd', [`if=${file}`, 'of=/dev/null', 'bs=4M', 'iflag=direct'], { stdio: 'ignore' });
    if (r.status !== 0) {
      console.log('disk: skipped (this file system does not take O_DIRECT reads)');
      return;
    }
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const mb = statSync(file).size / 1e6;
  const disk = median(times);
  const parse = countMs - startMs;
  console.log(`disk: dd iflag=direct reads the log in ${fmt(disk / 1000, 2)} s (${fmt(mb / (disk / 1000))} MB/s; runs: ${times.map((t) => fmt(t / 1000, 2)).join(', ')}); events --count past its start ${fmt(parse / 1000, 2)} s (${fmt(mb / (parse / 1000))} MB/s) = ${fmt(parse / disk, 1)}x the disk's time`);
}

main();
