// Lays out the installed tree under STAGE (STAGE/usr/lib/seccomp-tailor, /usr/bin, /usr/share):
// what runs, and nothing that builds: compiled JavaScript (no tests, no benches, no source maps),
// production dependencies only, the addons, the BPF objects, the native entry and the shim built
// for the installed paths, and the Node.js runtime the project runs on.
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join, relative } from 'node:path';
import { newest } from '../newest-mtime.mjs';
import { fail, nodeArch, PREFIX, pkg, root, run, version } from './common.mjs';
import { manPage } from './manpage.mjs';

const ADDONS = ['ebpf-napi', 'libseccomp-napi', 'audit-netlink-napi', 'sys-napi'];
// Not shipped: the benches' BPF objects (build/bpf/bench/, bench_*.o).
const BPF_OBJECTS = ['tracer.bpf.o', 'witness.bpf.o'];

/** The checkout must be built, and its JavaScript no older than its TypeScript. */
export function checkBuilt() {
  const need = [
    'dist/src/cli/main.js', 'dist/parsers',
    ...ADDONS.map((a) => `native/${a}/build/Release/${a.replace(/-/g, '_')}.node`),
    ...BPF_OBJECTS.map((o) => `build/bpf/${o}`),
    `node_modules/node-linux-${nodeArch}/bin/node`,
  ];
  const missing = need.filter((p) => !existsSync(join(root, p)));
  if (missing.length) fail(`the checkout is not built (missing ${missing.join(', ')}): run npm ci && npm run build first`);
  if (newest(join(root, 'src')) > newest(join(root, 'dist', 'src')) + 1000) fail('src/ is newer than dist/src: run npm run build:ts first');
}

/** Production dependencies as npm resolves them (no dev, no optional: the runtime is copied apart). */
function prodPackages() {
  const out = run('npm', ['ls', '--omit=dev', '--omit=optional', '--parseable', '--all'], { cwd: root, capture: true });
  return out.split('\n').map((l) => l.trim()).filter((l) => l.startsWith(join(root, 'node_modules') + '/'));
}

function copyPackage(src, dst) {
  // Each nested node_modules/ is listed by npm on its own line: copy a package without it.
  cpSync(src, dst, { recursive: true, dereference: false, filter: (s) => !relative(src, s).split('/').includes('node_modules') });
}

function gitCommit() {
  const r = run('git', ['-C', root, 'rev-parse', 'HEAD'], { capture: true }).trim();
  const dirty = run('git', ['-C', root, 'status', '--porcelain', '--untracked-files=no'], { capture: true }).trim() ? '-dirty' : '';
  return r.slice(0, 12) + dirty;
}

export function stage(stageRoot) {
  const lib = join(stageRoot, PREFIX.slice(1));
  const put = (rel, from, mode) => {
    const dst = join(lib, rel);
    mkdirSync(dirname(dst), { recursive: true });
    copyFileSync(from, dst);
    if (mode) chmodSync(dst, mode);
  };

  // package.json: what packageRoot() looks for, "type": "module" for bin/, the version for --version.
  mkdirSync(lib, { recursive: true });
  const { name, description, license, type, dependencies } = pkg;
  writeFileSync(join(lib, 'package.json'), JSON.stringify({ name, version, description, license, type, dependencies }, null, 2) + '\n');
  const commit = gitCommit();
  writeFileSync(join(lib, 'build-info.json'), JSON.stringify({ version, commit }, null, 2) + '\n');

  for (const b of ['seccomp-tailor', 'seccomp-tailor-hook', 'seccomp-tailor-hookd']) put(`bin/${b}`, join(root, 'bin', b), 0o755);
  symlinkSync('../build/runtime-shim/seccomp-tailor-runc', join(lib, 'bin', 'seccomp-tailor-runc'));

  for (const d of ['src', 'parsers'])
    cpSync(join(root, 'dist', d), join(lib, 'dist', d), { recursive: true, filter: (s) => !s.endsWith('.map') && !relative(join(root, 'dist', d), s).startsWith('demo') });
  cpSync(join(root, 'src', 'record', 'runtime-needs'), join(lib, 'src', 'record', 'runtime-needs'), { recursive: true });
  cpSync(join(root, 'contrib', 'systemd'), join(lib, 'contrib', 'systemd'), { recursive: true });

  for (const a of ADDONS) {
    const f = `${a.replace(/-/g, '_')}.node`;
    put(`native/${a}/build/Release/${f}`, join(root, 'native', a, 'build', 'Release', f), 0o755);
  }
  for (const o of BPF_OBJECTS) put(`build/bpf/${o}`, join(root, 'build', 'bpf', o), 0o644);

  // The native entry and the shim, compiled to name this tree's files, not the checkout's.
  run(process.execPath, [join(root, 'scripts', 'build-native.mjs'), '--entries'], {
    env: { ...process.env, SECCOMP_TAILOR_PREFIX: PREFIX, SECCOMP_TAILOR_NATIVE_OUT: join(lib, 'build') },
  });
  for (const f of ['build/hook/seccomp-tailor-hook', 'build/runtime-shim/seccomp-tailor-runc'])
    if (!existsSync(join(lib, f))) fail(`${f} was not built`);

  for (const p of prodPackages()) copyPackage(p, join(lib, relative(root, p)));

  // The runtime: bin/node of node-linux-<arch>, stripped as Debian strips binaries (127 MB -> 109), and its licence.
  const nodeDir = join(root, 'node_modules', `node-linux-${nodeArch}`);
  mkdirSync(join(lib, 'runtime', 'bin'), { recursive: true });
  run('strip', ['--strip-unneeded', '-o', join(lib, 'runtime', 'bin', 'node'), join(nodeDir, 'bin', 'node')]);
  copyFileSync(join(nodeDir, 'LICENSE'), join(lib, 'runtime', 'LICENSE'));

  // /usr/bin, the docs, the completion, the default hook config postinst copies to /etc, units.
  mkdirSync(join(stageRoot, 'usr', 'bin'), { recursive: true });
  symlinkSync('../lib/seccomp-tailor/bin/seccomp-tailor', join(stageRoot, 'usr', 'bin', 'seccomp-tailor'));
  const cli = join(root, 'bin', 'seccomp-tailor');
  const share = join(stageRoot, 'usr', 'share');
  mkdirSync(join(share, 'man', 'man1'), { recursive: true });
  writeFileSync(join(share, 'man', 'man1', 'seccomp-tailor.1.gz'), gzipSync(manPage(cli, version), { level: 9 }));
  mkdirSync(join(share, 'bash-completion', 'completions'), { recursive: true });
  writeFileSync(join(share, 'bash-completion', 'completions', 'seccomp-tailor'), run(cli, ['completion'], { capture: true }));
  mkdirSync(join(share, 'seccomp-tailor'), { recursive: true });
  copyFileSync(join(root, 'packaging', 'hook.json'), join(share, 'seccomp-tailor', 'hook.json'));
  mkdirSync(join(share, 'doc', 'seccomp-tailor'), { recursive: true });
  copyFileSync(join(root, 'packaging', 'copyright'), join(share, 'doc', 'seccomp-tailor', 'copyright'));
  writeFileSync(join(share, 'doc', 'seccomp-tailor', 'README.md.gz'), gzipSync(readFileSync(join(root, 'README.md')), { level: 9 }));
  const units = join(stageRoot, 'lib', 'systemd', 'system');
  mkdirSync(units, { recursive: true });
  // Shipped, never enabled by the package. The hookd units are written by `install` (they name paths).
  copyFileSync(join(root, 'contrib', 'systemd', 'seccomp-tailor-watch.service'), join(units, 'seccomp-tailor-watch.service'));
  for (const u of ['seccomp-tailor-flush.service', 'seccomp-tailor-flush.timer']) copyFileSync(join(root, 'contrib', u), join(units, u));
  return { lib, commit };
}
