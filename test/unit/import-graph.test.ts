// The import graph of src/ and parsers/, read from the sources: layers point one way, parsers/ is
// pure, and the OCI hook (bin/seccomp-tailor-hook) never loads zod or yargs (each costs tens of
// milliseconds inside every traced container's start and stop).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { packageRoot } from '../../src/native/package-root.js';

const root = packageRoot();

interface Edge { from: string; to: string; typeOnly: boolean; dynamic: boolean }

function sources(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((n) => {
    const p = join(dir, n);
    return statSync(join(root, p)).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const stripComments = (s: string) => s.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');

/** Every import of one file: static (import/export … from), side-effect and dynamic import(). */
export function importsOf(file: string, text: string): Edge[] {
  const code = stripComments(text);
  const edges: Edge[] = [];
  const add = (spec: string, typeOnly: boolean, dynamic: boolean) => {
    const to = spec.startsWith('.') ? relative(root, resolve(root, dirname(file), spec)).replace(/\.js$/, '.ts').replace(/^dist\//, '') : spec;
    edges.push({ from: file, to, typeOnly, dynamic });
  };
  for (const m of code.matchAll(/(?:^|[;\n])\s*(import|export)\s+(type\s+)?([^;]*?)\s*from\s*'([^']+)'/g)) {
    const names = m[3]!;
    const braces = /^\{([\s\S]*)\}$/.exec(names.trim());
    const allTypes = !!braces && braces[1]!.split(',').map((n) => n.trim()).filter(Boolean).every((n) => n.startsWith('type '));
    add(m[4]!, !!m[2] || allTypes, false);
  }
  for (const m of code.matchAll(/(?:^|[;\n])\s*import\s*'([^']+)'/g)) add(m[1]!, false, false);
  for (const m of code.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) add(m[1]!, false, true);
  return edges;
}

const files = [...sources('src'), ...sources('parsers')];
const edges = files.flatMap((f) => importsOf(f, readFileSync(join(root, f), 'utf8')));

/** The layer a file belongs to: its top-level folder, with the hook apart from the rest of record/. */
function layerOf(file: string): string {
  if (file.startsWith('parsers/')) return 'parsers';
  if (file === 'src/errors.ts') return 'errors';
  if (file.startsWith('src/record/hook/')) return 'record/hook';
  return file.split('/')[1]!;
}

// Lower imports nothing higher; one rank holds layers that must not import each other.
const RANK: Record<string, number> = {
  parsers: 0, errors: 0,
  fs: 1, terminal: 1, native: 1, proc: 1,
  oci: 2,
  state: 3,
  // Run history: written by the hook at poststop, read by readiness and the report.
  history: 3.5,
  profile: 4,
  // Shadow evaluation and its spool: called by the hook and hookd, read by the watcher.
  shadow: 4.5,
  record: 5, watch: 5, apply: 5, fleet: 5, readiness: 5,
  'record/hook': 6,
  report: 7, install: 7, agent: 7,
  cli: 8, demo: 8,
};

test('the import parser sees static, type-only, re-exported and dynamic imports', () => {
  const got = importsOf('src/x/a.ts', [
    "import { a } from './b.js';",
    "import type { T } from '../y/c.js';",
    "import {\n  type U,\n  type V,\n} from '../y/d.js';",
    "export { e } from './e.js';",
    "// import { no } from './comment.js';",
    "const m = await import('../../parsers/index.js');",
    "import 'zod';",
  ].join('\n'));
  assert.deepEqual(got.map((e) => [e.to, e.typeOnly, e.dynamic]), [
    ['src/x/b.ts', false, false], ['src/y/c.ts', true, false], ['src/y/d.ts', true, false], ['src/x/e.ts', false, false],
    ['zod', false, false], ['parsers/index.ts', false, true],
  ]);
});

test('every folder of src/ has a layer, and every relative import names a file that exists', () => {
  for (const f of files) assert.ok(layerOf(f) in RANK, `${f}: folder ${layerOf(f)} has no layer in this test`);
  for (const e of edges) if (e.to.startsWith('src/') || e.to.startsWith('parsers/')) assert.ok(files.includes(e.to), `${e.from} imports ${e.to}, which does not exist`);
});

test('dependencies point one way: cli → jobs → profile → state → oci → native/terminal/fs/proc → errors/parsers', () => {
  const wrong = edges
    .filter((e) => e.to.startsWith('src/') || e.to.startsWith('parsers/'))
    .filter((e) => layerOf(e.from) !== layerOf(e.to) && RANK[layerOf(e.to)]! >= RANK[layerOf(e.from)]!)
    .map((e) => `${e.from} → ${e.to}`);
  assert.deepEqual(wrong, []);
});

test('parsers/ is pure: no fs, process, clock or addon', () => {
  const impure: string[] = [];
  for (const f of files.filter((f) => f.startsWith('parsers/'))) {
    const code = stripComments(readFileSync(join(root, f), 'utf8'));
    for (const e of importsOf(f, code)) if (!e.typeOnly && !e.to.startsWith('parsers/')) impure.push(`${f} imports ${e.to}`);
    for (const clock of ['Date.now(', 'new Date()', 'performance.now(', 'process.hrtime', 'process.env', 'require(']) if (code.includes(clock)) impure.push(`${f} uses ${clock}`);
  }
  assert.deepEqual(impure, []);
});

// The one zod load a hook may make: merging into an `if:` baseline parses it with the schema.
const HOOK_MAY_LOAD = new Set(['src/record/profile-builder.ts → src/profile/schema.ts', 'src/record/profile-builder.ts → src/profile/merge.ts']);

test('nothing the hook entry reaches imports zod or yargs (except the baseline merge, lazily)', () => {
  const bin = readFileSync(join(root, 'bin', 'seccomp-tailor-hook'), 'utf8');
  const entry = /from '\.\.\/dist\/(src\/[^']+)\.js'/.exec(bin)?.[1];
  assert.ok(entry, 'bin/seccomp-tailor-hook imports its entry from dist/src');
  const start = `${entry}.ts`;
  assert.ok(files.includes(start), `${start} exists`);
  const seen = new Set<string>([start]);
  const queue = [start];
  const offending: string[] = [];
  const exempted: string[] = [];
  while (queue.length) {
    const f = queue.shift()!;
    for (const e of edges.filter((x) => x.from === f && !x.typeOnly)) {
      if (HOOK_MAY_LOAD.has(`${e.from} → ${e.to}`)) {
        assert.ok(e.dynamic, `${e.from} → ${e.to} must stay a dynamic import`);
        exempted.push(`${e.from} → ${e.to}`);
        continue;
      }
      if (/^(zod|yargs)(\/|$)/.test(e.to)) offending.push(`${[...path(f)].join(' → ')} → ${e.to}`);
      if (files.includes(e.to) && !seen.has(e.to)) {
        seen.add(e.to);
        parent.set(e.to, f);
        queue.push(e.to);
      }
    }
  }
  assert.deepEqual(offending, []);
  assert.deepEqual(exempted.sort(), [...HOOK_MAY_LOAD].sort(), 'the exemption list is exact');
  // The stages are really in the closure (so the walk found the dynamic imports).
  for (const f of ['src/record/hook/prestart.ts', 'src/record/hook/poststop.ts', 'src/record/tracer.ts']) assert.ok(seen.has(f), `${f} reached`);
});

const parent = new Map<string, string>();
function* path(f: string): Generator<string> {
  const p = parent.get(f);
  if (p) yield* path(p);
  yield f;
}

test('no import circle among the files of src/ (static imports, types included)', () => {
  const out = new Map<string, string[]>();
  for (const e of edges) if (!e.dynamic && e.to.startsWith('src/')) out.set(e.from, [...(out.get(e.from) ?? []), e.to]);
  const state = new Map<string, 'open' | 'done'>();
  const circles: string[] = [];
  const visit = (f: string, path: string[]) => {
    if (state.get(f) === 'done') return;
    if (state.get(f) === 'open') {
      circles.push([...path.slice(path.indexOf(f)), f].join(' -> '));
      return;
    }
    state.set(f, 'open');
    for (const t of out.get(f) ?? []) visit(t, [...path, f]);
    state.set(f, 'done');
  };
  for (const f of files) visit(f, []);
  assert.deepEqual(circles, []);
});
