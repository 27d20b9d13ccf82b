#!/usr/bin/env bash
# Configures (once) and builds the release tree in build/ with ccache.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}" CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
[ -f build/build.ninja ] || cmake --preset release >/dev/null
cmake --build build -j"$(nproc)"
