#!/usr/bin/env bash
# Regenerates the shipped schedule databases configs/schedules/<config>.json for every config in
# configs/ (run after any change to the lowering, the cost model or its constants: the schedule
# tests fail until then). Deterministic: an unchanged compiler rewrites identical files.
# usage: scripts/ship_schedules.sh [--build DIR] [--workloads DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build" workloads="$root/../shared/workloads"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build) build="$2"; shift 2 ;;
    --workloads) workloads="$2"; shift 2 ;;
    *) echo "ship_schedules.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
if [[ ! -f "$build/build.ninja" ]]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
fi
cmake --build "$build" --target ship_schedules -j2 >/dev/null
mkdir -p "$root/configs/schedules"
"$build/bench/sweep/ship_schedules" --workloads "$workloads" --out "$root/configs/schedules" "$root"/configs/*.json
