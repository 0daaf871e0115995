import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTailorError } from '../../src/errors.js';
import type { SeccompProfile } from '../../src/profile/schema.js';
import type { SyscallCatalog } from '../../src/profile/syscall-set.js';
import { buildReport, growthOf, type ReportInput } from '../../src/report/model.js';
import { renderHtml } from '../../src/report/render-html.js';
import { renderText } from '../../src/report/render-text.js';
import { groupByKind, kindOf } from '../../src/report/syscall-kinds.js';
import { parseTimeline } from '../../src/report/timeline.js';
import { timelineFromCalls } from '../../src/record/first-seen.js';

const HOSTILE = `<script>alert("x")</script>'&`;
const TABLE = ['read', 'write', 'openat', 'close', 'socket', 'connect', 'execve', 'exit_group', 'mmap', 'brk', 'rt_sigaction',
  'nanosleep', 'futex', 'pipe2', 'ptrace', 'unshare', 'mount', 'io_uring_setup', 'getrandom', 'personality', 'bpf'];
const catalog: SyscallCatalog = { names: () => TABLE };
const P = (o: object): SeccompProfile => o as SeccompProfile;

const recorded = P({ defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86_64'], syscalls: [
  { names: ['read', 'write', 'openat', 'close', 'execve', 'exit_group', 'brk', 'ptrace', 'personality'], action: 'SCMP_ACT_ALLOW' },
] });
// The "default profile": everything in the table except bpf, which it blocks by omission.
const reference = P({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: TABLE.filter((n) => n !== 'bpf'), action: 'SCMP_ACT_ALLOW' }] });
const base: ReportInput = { profile: recorded, source: '/p/ls.json', catalog, nativeArch: 'x86_64', defaultProfile: reference, defaultSource: '/ref.json', generatedAt: new Date('2026-01-01T00:00:00Z') };

/** The HTML of one `<section id=...>`. */
const section = (html: string, id: string): string => {
  const m = new RegExp(`<section class="card" id="${id}">([\\s\\S]*?)</section>`).exec(html);
  assert.ok(m, `section ${id} present`);
  return m[1]!;
};
const chipsOf = (html: string): string[] => [...html.matchAll(/<span class="chip[^"]*"[^>]*>([^<]*)<\/span>/g)].map((m) => m[1]!);

describe('report model', () => {
  it('groups allowed names by kind and counts what the default allows that the profile does not', () => {
    const m = buildReport(base);
    assert.equal(m.allowedCount, 9);
    assert.equal(m.defaultAllowedCount, 20);
    assert.equal(m.removedCount, 11);
    assert.equal(m.reductionVsDefault, 55);
    const byKind = Object.fromEntries(m.kinds.map((k) => [k.kind, k]));
    assert.deepEqual(byKind.file!.allowed, ['close', 'openat', 'read', 'write']);
    assert.deepEqual(byKind.process!.allowed, ['execve', 'exit_group', 'personality', 'ptrace']);
    assert.deepEqual(byKind.network!.removed, ['connect', 'socket']);
    assert.deepEqual(byKind.security!.removed, ['mount', 'unshare']);
    assert.equal(byKind.security!.defaultAllowed, 2);
    assert.deepEqual(m.risky.map((r) => [r.name, r.level]), [['ptrace', 'high'], ['personality', 'medium']]);
    assert.deepEqual(m.riskyRemoved.map((r) => r.name).sort(), ['io_uring_setup', 'mount', 'unshare']);
  });

  it('without a default profile, says so instead of inventing a comparison', () => {
    const { defaultProfile: _d, ...rest } = base;
    const m = buildReport(rest);
    assert.equal(m.removedCount, undefined);
    assert.match(section(renderHtml(m), 'removed'), /was not found/);
  });

  it('growth: earliest sighting per (arch, name) wins, cumulative, span to the last new one', () => {
    const g = growthOf([
      { name: 'read', arch: 'x86_64', firstSeen: '2026-01-01T00:00:01.000Z' },
      { name: 'write', arch: 'x86_64', firstSeen: '2026-01-01T00:00:03.500Z' },
      { name: 'read', arch: 'x86_64', firstSeen: '2026-01-01T00:00:00.000Z' },
      { name: 'read', arch: 'x86', firstSeen: '2026-01-01T00:01:00.000Z' },
    ])!;
    assert.deepEqual(g.points.map((p) => [p.name, p.arch, p.total]), [['read', 'x86_64', 1], ['write', 'x86_64', 2], ['read', 'x86', 3]]);
    assert.equal(g.spanMs, 60_000);
    assert.equal(growthOf([]), undefined);
  });
});

describe('report HTML', () => {
  const html = renderHtml(buildReport({ ...base, timeline: [
    { name: 'read', arch: 'x86_64', firstSeen: '2026-01-01T00:00:00.000Z' },
    { name: 'openat', arch: 'x86_64', firstSeen: '2026-01-01T00:00:00.200Z' },
    { name: 'personality', arch: 'x86_64', firstSeen: '2026-01-01T00:00:42.000Z' },
  ] }));

  it('is one self-contained document: no script, no external resource', () => {
    assert.match(html, /^<!DOCTYPE html>/);
    assert.equal((html.match(/<html/g) ?? []).length, 1);
    assert.doesNotMatch(html, /<script|<link|<img|<iframe|@import|url\(|src=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/i);
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  });

  it('has one card per kind with its names, and the counts against the default', () => {
    const allowed = section(html, 'allowed');
    for (const g of groupByKind([])) assert.ok(allowed.includes(`<span>${g.title.replace(/&/g, '&amp;')}</span>`), `card for ${g.kind}`);
    assert.deepEqual(chipsOf(allowed).sort(), ['brk', 'close', 'execve', 'exit_group', 'openat', 'personality', 'ptrace', 'read', 'write']);
    assert.match(allowed, /<span>Files &amp; directories<\/span><span class="n">4 of 4<\/span>/);
    assert.match(section(html, 'by-kind'), /<svg class="chart"[\s\S]*>4 \/ 4<\/text>/);
    assert.match(html, /<div class="v">55%<\/div><div class="k">smaller than podman&#39;s default \(20 allowed\)/);
  });

  it('highlights the risky ones with the reason, and lists what the default allows that this does not', () => {
    assert.match(section(html, 'allowed'), /<span class="chip risk-high" title="high risk: attaches to other processes[^"]*">ptrace<\/span>/);
    assert.match(section(html, 'allowed'), /class="chip risk-medium"[^>]*>personality</);
    const risky = section(html, 'risky');
    assert.match(risky, /<code>ptrace<\/code><\/td><td><span class="lvl high">high<\/span>/);
    const removed = section(html, 'removed');
    assert.match(removed, /<strong>11<\/strong> syscalls/);
    assert.deepEqual(chipsOf(removed).sort(), ['connect', 'futex', 'getrandom', 'io_uring_setup', 'mmap', 'mount', 'nanosleep', 'pipe2', 'rt_sigaction', 'socket', 'unshare']);
    assert.match(removed, /<span class="chip gone risky" title="high risk: [^"]*">mount<\/span>/);
  });

  it('draws the growth chart and names the last new syscall', () => {
    const growth = section(html, 'growth');
    assert.match(growth, /<svg class="chart"[^>]*aria-label="distinct syscalls over time"/);
    assert.match(growth, /<path d="M[^"]+" class="step"\/>/);
    assert.match(growth, /last new: personality at \+42 s/);
    const without = section(renderHtml(buildReport(base)), 'growth');
    assert.doesNotMatch(without, /<svg/);
    assert.match(without, /No first-seen times/);
  });

  it('escapes every string that comes from outside', () => {
    const evilCatalog: SyscallCatalog = { names: () => [...TABLE, HOSTILE] };
    const out = renderHtml(buildReport({
      ...base,
      catalog: evilCatalog,
      source: `/tmp/${HOSTILE}.json`,
      profile: P({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read', HOSTILE], action: 'SCMP_ACT_ALLOW' }] }),
      container: { id: 'abc', image: HOSTILE, name: HOSTILE },
      timeline: [{ name: HOSTILE, arch: HOSTILE, firstSeen: '2026-01-01T00:00:00Z' }],
    }));
    assert.doesNotMatch(out, /<script/);
    assert.doesNotMatch(out, /alert\("x"\)/);
    const escaped = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;&amp;';
    assert.ok(out.includes(`<span class="chip">${escaped}</span>`), 'syscall name escaped in its chip');
    assert.ok(out.includes(`<title>seccomp profile report: /tmp/${escaped}.json</title>`));
    assert.ok(out.includes(`image ${escaped}`));
    assert.ok(out.includes(`last new: ${escaped} at +0 ms`), 'escaped inside the SVG too');
  });

  it('warns when the default action lets everything run (complain mode)', () => {
    const m = buildReport({ ...base, profile: P({ defaultAction: 'SCMP_ACT_LOG', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] }) });
    assert.equal(m.permissiveDefault, true);
    assert.match(renderHtml(m), /<div class="banner">The default action is <code>SCMP_ACT_LOG<\/code>: every syscall can run\. This is complain mode/);
  });
});

describe('report text', () => {
  it('lists groups, the comparison and risks, with terminal escapes neutralised', () => {
    const text = renderText(buildReport({ ...base, source: '/tmp/\u001b[31mred\n.json' }));
    assert.match(text, /^9 syscalls allowed, 55% fewer than podman's default \(20\); 11 of the default's are blocked here$/m);
    assert.match(text, /^ {2}Files & directories \(4 of 4\)\n {4}close openat read write$/m);
    assert.match(text, /^ {2}ptrace \[high\]: /m);
    assert.ok(text.startsWith('/tmp/\\e[31mred\\n.json: default action SCMP_ACT_ERRNO'));
    assert.doesNotMatch(text, /\u001b/);
  });
});

describe('timeline input', () => {
  it('reads an array or an object holding one, and refuses anything else with TIMELINE_INVALID', () => {
    const entry = { name: 'read', arch: 'x86_64', firstSeen: '2026-01-01T00:00:00.000Z' };
    assert.deepEqual(parseTimeline(JSON.stringify([entry]), 'f'), [entry]);
    assert.deepEqual(parseTimeline(JSON.stringify({ id: 'c', timeline: [entry] }), 'f'), [entry]);
    for (const bad of ['nope', '[{"name":"read"}]', '[{"name":"read","arch":"x86_64","firstSeen":"yesterday"}]', '{"other":[]}']) {
      assert.throws(() => parseTimeline(bad, 'f.json'), (e: unknown) => isTailorError(e) && e.code === 'TIMELINE_INVALID' && e.message.startsWith('f.json: '));
    }
  });

  it('turns the tracer\'s monotonic first-seen stamps into wall-clock times, oldest first, unseen dropped', () => {
    const clock = { wallMs: Date.parse('2026-01-01T00:01:00.000Z'), monoNs: 100_000_000_000n };
    const t = timelineFromCalls([
      { name: 'write', arch: 'x86_64', firstNs: 99_500_000_000n },
      { name: 'read', arch: 'x86_64', firstNs: 40_000_000_000n },
      { name: 'close', arch: 'x86_64', firstNs: 0n },
    ], clock);
    assert.deepEqual(t, [
      { name: 'read', arch: 'x86_64', firstSeen: '2026-01-01T00:00:00.000Z' },
      { name: 'write', arch: 'x86_64', firstSeen: '2026-01-01T00:00:59.500Z' },
    ]);
  });

  it('kinds: compat variants take their base call\'s kind; unknown names are misc', () => {
    assert.equal(kindOf('fstat64'), 'file');
    assert.equal(kindOf('setuid32'), 'security');
    assert.equal(kindOf('clock_gettime64'), 'time');
    assert.equal(kindOf('no_such_call'), 'misc');
  });
});
