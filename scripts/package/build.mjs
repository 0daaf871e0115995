#!/usr/bin/env node
// npm run package: from a built checkout, writes build/pkg/seccomp-tailor_<version>_<debarch>.deb
// and build/pkg/seccomp-tailor-<version>-linux-<arch>.tar.gz (the same tree, for `tar -C / -xzf`
// on other distributions). Nothing in either compiles anything at install or run time.
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { debArch, debPath, fail, outDir, packageInputs, PREFIX, root, run, tarPath, upToDate, version } from './common.mjs';
import { checkBuilt, stage } from './stage.mjs';

if (!debArch) fail(`no Debian architecture for ${process.arch}`);
checkBuilt();
// `--if-changed` (the tests): nothing to do when the inputs are the ones the package was made from.
const stamp = join(outDir, 'package-inputs.sha256');
const digest = packageInputs();
if (process.argv.includes('--if-changed') && upToDate(stamp, digest, [debPath(), tarPath()])) {
  console.log(`seccomp-tailor package: ${debPath()} is up to date`);
  process.exit(0);
}
rmSync(stamp, { force: true });
// A stage and outputs of its own, renamed into place at the end: two builds at once (a test and a
// person) never mix their files.
mkdirSync(outDir, { recursive: true });
const stageRoot = mkdtempSync(join(outDir, 'stage-'));
chmodSync(stageRoot, 0o755);
const t0 = Date.now();
const { lib, commit } = stage(stageRoot);

/** Every ELF file of the tree (the runtime, the addons, the native entry, the shim). */
function elves(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return elves(p);
    if (!e.isFile() || statSync(p).size < 64) return [];
    return run('head', ['-c', '4', p], { capture: true }).startsWith('\x7fELF') && !p.endsWith('.bpf.o') ? [p] : [];
  });
}

/**
 * Depends: what dpkg-shlibdeps derives from the binaries' own NEEDED entries and symbol versions
 * (libc6, libstdc++6, libbpf1, libseccomp2, libjansson4, ...): runtime libraries, never -dev.
 */
function shlibDepends(files) {
  const tmp = mkdtempSync('/tmp/st-shlibdeps-');
  try {
    mkdirSync(join(tmp, 'debian'));
    writeFileSync(join(tmp, 'debian', 'control'), 'Source: seccomp-tailor\n\nPackage: seccomp-tailor\nArchitecture: any\n');
    // The addons' napi_* symbols come from the node binary that loads them: not a library.
    // Its one warning ("binaries ... should already be installed in their package's directory") is about
    // building outside debian/: not shown.
    const out = run('dpkg-shlibdeps', ['-O', '--warnings=0', ...files.map((f) => `-e${f}`)], { cwd: tmp, capture: true, stdio: ['ignore', 'pipe', 'ignore'] });
    const m = /^shlibs:Depends=(.*)$/m.exec(out);
    if (!m) fail(`dpkg-shlibdeps said nothing: ${out}`);
    return m[1];
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const depends = shlibDepends(elves(lib));
if (/-dev\b|gcc|clang|llvm|make/.test(depends.replace(/libgcc-s1/g, ''))) fail(`Depends names a build tool: ${depends}`);
const installedKb = Number(run('du', ['-sk', '--apparent-size', stageRoot], { capture: true }).split('\t')[0]);

const debian = join(stageRoot, 'DEBIAN');
mkdirSync(debian);
writeFileSync(join(debian, 'control'), [
  'Package: seccomp-tailor',
  `Version: ${version}`,
  `Architecture: ${debArch}`,
  'Maintainer: seccomp-tailor maintainers <seccomp-tailor@localhost>',
  `Installed-Size: ${installedKb}`,
  `Depends: ${depends}`,
  'Recommends: runc | crun',
  'Suggests: podman, auditd',
  'Section: admin',
  'Priority: optional',
  'Description: record, watch and apply tight seccomp profiles for Linux containers',
  ' Records the syscalls a container makes with eBPF (CO-RE: no compiler on the node) from an OCI',
  ' hook or a runc-compatible shim, watches SECCOMP audit records in production and proposes',
  ' profile patches to apply. Carries its own Node.js runtime; the system node is never used.',
  ` Built from commit ${commit}.`,
  '',
].join('\n'));
for (const s of ['postinst', 'prerm', 'postrm']) {
  copyFileSync(join(root, 'packaging', 'debian', s), join(debian, s));
  chmodSync(join(debian, s), 0o755);
}

// zstd -12 (dpkg >= 1.21.18: Debian 12, Ubuntu 21.10): most of the bytes are the Node.js runtime,
// which xz -6 packs 20% smaller but ten times slower (3.5 min here against 20 s).
const tmp = (p) => `${p}.tmp-${process.pid}`;
run('dpkg-deb', ['--root-owner-group', '-Zzstd', '-z12', '--build', stageRoot, tmp(debPath())], { stdio: ['ignore', 'ignore', 'inherit'] });
rmSync(debian, { recursive: true });
run('tar', ['-C', stageRoot, '--owner=0', '--group=0', '--numeric-owner', '-czf', tmp(tarPath()), 'usr', 'lib']);
rmSync(stageRoot, { recursive: true, force: true });
renameSync(tmp(debPath()), debPath());
renameSync(tmp(tarPath()), tarPath());
writeFileSync(stamp, digest + '\n');

const mb = (p) => (statSync(p).size / 1e6).toFixed(1);
console.log(`seccomp-tailor package: ${debPath()} (${mb(debPath())} MB), ${tarPath()} (${mb(tarPath())} MB), installed ${(installedKb / 1024).toFixed(0)} MiB under ${PREFIX}; ${((Date.now() - t0) / 1000).toFixed(0)} s`);
console.log(`  Depends: ${depends}`);
