#!/usr/bin/env bash
# Times a clean (ccache-free) verilate + compile of one config's RTL model library in an existing build dir.
# Usage: bench/rtl/time_model_build.sh [BUILD_DIR] [CONFIG]   (defaults: build, default)
set -euo pipefail
dir=${1:-build}
cfg=${2:-default}
target=tessera_rtl_model_${cfg}
[ -f "$dir/build.ninja" ] || { echo "time_model_build.sh: $dir is not a configured Ninja build dir" >&2; exit 2; }
cmake --build "$dir" --target "$target" >/dev/null   # make sure everything it depends on is built
rm -rf "$dir/sim/rtl/CMakeFiles/$target.dir"          # verilator output and objects of this model only
TIMEFORMAT="clean build of $target (verilate + C++ -O3, no ccache, $(nproc) jobs): %R s wall, %U s user + %S s sys"
time (CCACHE_DISABLE=1 cmake --build "$dir" --target "$target" -j"$(nproc)" >/dev/null)
