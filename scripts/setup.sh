#!/usr/bin/env bash
# Idempotent set-up on Debian 12: installs whatever scripts/packages.txt lists and is missing.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mapfile -t pkgs < <(grep -v '^\s*#' "$root/scripts/packages.txt" | grep -v '^\s*$')
# Node.js runs the onnxruntime oracle; a machine may already carry another vendor's build, so ask
# Debian for it only when no `npm` is on the PATH (Debian's npm conflicts with bundled-npm builds).
command -v npm >/dev/null || pkgs+=(nodejs npm)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# onnxruntime (CPU binaries bundled) is the compiler tests' second oracle; postinstall scripts only fetch GPU parts.
if [ ! -d "$root/node_modules/onnxruntime-node" ]; then
  if command -v npm >/dev/null; then
    echo "setup: installing onnxruntime-node into $root/node_modules"
    (cd "$root" && npm install --ignore-scripts --no-audit --no-fund >/dev/null) ||
      echo "setup: npm install failed (offline?); the onnxruntime oracle tests will be skipped" >&2
  else
    echo "setup: npm not found; the onnxruntime oracle tests will be skipped" >&2
  fi
fi
