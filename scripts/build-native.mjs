#!/usr/bin/env node
// Builds the native layer: the eBPF object (clang -target bpf, at build time only) and the three
// Node-API addons, and the hook's native entry. Runs as npm's `install` script, so `npm ci` leaves
// a working checkout. `--hook-entry` builds only the native entry (src/record/hook/native-entry.ts
// runs that when the entry is missing or older than its source: one recipe).
// `--entries` builds the native entry and the runtime shim only. For the package (scripts/package/),
// SECCOMP_TAILOR_PREFIX names where the package installs (e.g. /usr/lib/seccomp-tailor): the entry
// and the shim then embed that tree's paths instead of this checkout's, and SECCOMP_TAILOR_NATIVE_OUT
// is where they are written (default: build/ of this checkout).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { newest } from './newest-mtime.mjs';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const hookEntryOnly = process.argv.includes('--hook-entry');
const entriesOnly = process.argv.includes('--entries');
// The tree the native entry and the shim embed paths of, and the node they run.
const prefix = process.env.SECCOMP_TAILOR_PREFIX || root;
const embeddedNode = process.env.SECCOMP_TAILOR_PREFIX ? join(prefix, 'runtime', 'bin', 'node') : process.execPath;
const nativeOut = process.env.SECCOMP_TAILOR_NATIVE_OUT || join(root, 'build');
// The addons and the native entry are built for, and embed, the runtime that runs this script: it
// must be the Node.js 24 that travels with the project (npm puts node_modules/.bin first on PATH).
if (Number(process.versions.node.split('.')[0]) < 24) {
  console.error(`seccomp-tailor build: runs on the project's own Node.js 24 (node_modules/node-linux-*), not ${process.execPath} ${process.version}: run it through npm (npm ci, npm run build)`);
  process.exit(1);
}

// What each build step needs, and the Debian package that provides it.
const requirements = [
  { path: '/usr/bin/clang', pkg: 'clang' },
  { path: '/usr/bin/llvm-strip', pkg: 'llvm' },
  { path: '/usr/include/bpf/libbpf.h', pkg: 'libbpf-dev' },
  { path: '/usr/include/seccomp.h', pkg: 'libseccomp-dev' },
  { path: '/usr/include/jansson.h', pkg: 'libjansson-dev' },
];
const missing = requirements.filter((r) => !existsSync(r.path)).map((r) => r.pkg);
if (missing.length && !hookEntryOnly && !entriesOnly) {
  console.error(`seccomp-tailor build: missing system packages: ${[...new Set(missing)].join(' ')}`);
  console.error(`install them with: apt-get install ${[...new Set(missing)].join(' ')}   (or run scripts/bootstrap.sh as root)`);
  process.exit(1);
}

function run(cmd, args, cwd = root) {
  try {
    execFileSync(cmd, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
  } catch {
    // The tool already printed its own diagnostics above; add which step failed, no stack.
    console.error(`seccomp-tailor build: failed: ${cmd} ${args.join(' ')}`);
    process.exit(1);
  }
}

function upToDate(output, ...inputs) {
  if (!existsSync(output)) return false;
  const out = statSync(output).mtimeMs;
  return inputs.every((i) => (statSync(i).isDirectory() ? newest(i) : statSync(i).mtimeMs) <= out);
}

const hookOut = join(nativeOut, 'hook', 'seccomp-tailor-hook');
// Headers the two C programs share (native/common/*.h).
const commonDir = join(root, 'native', 'common');
if (!hookEntryOnly && !entriesOnly) buildBpfAndAddons();
buildHookEntry();
if (!hookEntryOnly) buildRuntimeShim();

function buildBpfAndAddons() {
  // 1. BPF objects: every bpf/*.bpf.c becomes build/bpf/*.bpf.o with BTF kept (CO-RE needs it).
  const bpfOut = join(root, 'build', 'bpf');
  mkdirSync(bpfOut, { recursive: true });
  const arch = { x64: 'x86', arm64: 'arm64' }[process.arch] ?? process.arch;
  const multiarch = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' }[process.arch];
  // bench/fixtures/ holds earlier versions of a program, so a bench compares both in one run.
  const bpfSources = [
    ...readdirSync(join(root, 'bpf')).filter((f) => f.endsWith('.bpf.c')).map((f) => ({ dir: join(root, 'bpf'), src: f, out: bpfOut })),
    ...readdirSync(join(root, 'bench', 'fixtures'), { withFileTypes: true }).filter((d) => d.isDirectory())
      .flatMap((d) => readdirSync(join(root, 'bench', 'fixtures', d.name)).filter((f) => f.endsWith('.bpf.c'))
        .map((f) => ({ dir: join(root, 'bench', 'fixtures', d.name), src: f, out: join(bpfOut, 'bench') }))),
  ];
  for (const { dir, src, out } of bpfSources) {
    mkdirSync(out, { recursive: true });
    const obj = join(out, src.replace(/\.c$/, '.o'));
    if (upToDate(obj, join(root, 'bpf'), dir)) continue;
    // -mcpu=v3: atomic fetch-and-or (the seen bits' "was I first?") needs BPF_FETCH.
    run('clang', ['-O2', '-g', '-target', 'bpf', '-mcpu=v3', `-D__TARGET_ARCH_${arch}`, '-Wall', '-Werror',
      ...(multiarch ? ['-I', `/usr/include/${multiarch}`] : []), '-I', dir, '-I', join(root, 'bpf'),
      '-c', join(dir, src), '-o', obj]);
    // Drop DWARF, keep .BTF/.BTF.ext: smaller object, same relocations.
    run('llvm-strip', ['-g', obj]);
    console.error(`built ${obj}`);
  }

  // Build against the headers of the Node that runs us: the runtime that travels with the project
  // (node_modules/node-linux-*/ holds bin/node and include/node), so the addons are built for exactly
  // the runtime that loads them. npm's nodedir setting (machines often point it at the system's
  // node) is only the fallback. No download: the machine has no internet.
  function nodedirArgs() {
    const prefix = join(dirname(process.execPath), '..');
    if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) return [`--nodedir=${prefix}`];
    const fromNpm = process.env.npm_config_nodedir;
    return fromNpm ? [`--nodedir=${fromNpm}`] : [];
  }

  // 2. Addons: node-gyp from our own dependency, so no global install is needed.
  const nodeGyp = join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  for (const addon of ['ebpf-napi', 'libseccomp-napi', 'audit-netlink-napi', 'sys-napi']) {
    const dir = join(root, 'native', addon);
    if (!existsSync(join(dir, 'binding.gyp'))) continue;
    const out = join(dir, 'build', 'Release', `${addon.replace(/-/g, '_')}.node`);
    if (upToDate(out, join(dir, 'src'), join(dir, 'binding.gyp'), commonDir)) continue;
    run(process.execPath, [nodeGyp, 'rebuild', '--silent', ...nodedirArgs()], dir);
    console.error(`built ${out}`);
  }
}

// 3. The hook's native entry: a few-KB C client that hands the OCI state to a running hookd, or
// becomes `node bin/seccomp-tailor-hook` itself. It embeds this checkout's node and hook script
// paths, so it is built here, at install time.
// The node that runs this script is the one the entry embeds.
function buildHookEntry() {
  const hookSrc = join(root, 'native', 'hook-client', 'seccomp-tailor-hook.c');
  if (!existsSync(hookSrc) || upToDate(hookOut, hookSrc, commonDir)) return;
  mkdirSync(dirname(hookOut), { recursive: true });
  run(existsSync('/usr/bin/cc') ? '/usr/bin/cc' : 'clang', ['-O2', '-Wall', '-Wextra', '-Werror',
    `-DNODE_PATH=${JSON.stringify(embeddedNode)}`, `-DHOOK_SCRIPT=${JSON.stringify(join(prefix, 'bin', 'seccomp-tailor-hook'))}`,
    `-DHOOKD_SCRIPT=${JSON.stringify(join(prefix, 'bin', 'seccomp-tailor-hookd'))}`, '-o', hookOut, hookSrc]);
  console.error(`built ${hookOut}`);
}

// 4. The runtime shim for Docker and containerd (build/runtime-shim/seccomp-tailor-runc): C, so
// the engine's many pass-through calls (state, kill, start, delete) start no JavaScript runtime.
// It embeds where the hook's native entry and the Node hook of this checkout live.
function buildRuntimeShim() {
  const shimSrc = join(root, 'native', 'runtime-shim', 'seccomp-tailor-runc.c');
  const shimOut = join(nativeOut, 'runtime-shim', 'seccomp-tailor-runc');
  if (existsSync(shimSrc) && !upToDate(shimOut, shimSrc, commonDir)) {
    mkdirSync(dirname(shimOut), { recursive: true });
    run(existsSync('/usr/bin/cc') ? '/usr/bin/cc' : 'clang', ['-O2', '-Wall', '-Wextra', '-Werror',
      `-DHOOK_CLIENT=${JSON.stringify(join(prefix, 'build', 'hook', 'seccomp-tailor-hook'))}`, `-DNODE_PATH=${JSON.stringify(embeddedNode)}`,
      `-DHOOK_SCRIPT=${JSON.stringify(join(prefix, 'bin', 'seccomp-tailor-hook'))}`,
      '-o', shimOut, shimSrc, '-ljansson']);
    console.error(`built ${shimOut}`);
  }
}
