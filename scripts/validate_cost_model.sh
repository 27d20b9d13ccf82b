#!/usr/bin/env bash
# Validates the search cost model against the RTL model (report on stdout) and, with --calibrate,
# refits its constants and writes them into compiler/search/cost_params.h (kCalibrated).
# usage: scripts/validate_cost_model.sh [--calibrate] [--build DIR] [--quick] [-- extra tool args]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build-search"
calibrate=0
args=(--config tiny --config default --config vta_4x8x8 --max-hw 14 --max-c 128 --per-layer 8)
while [[ $# -gt 0 ]]; do
  case "$1" in
    --calibrate) calibrate=1; shift ;;
    --build) build="$2"; shift 2 ;;
    --quick) args=(--config tiny --config default --max-hw 8 --max-c 64 --per-layer 4 --layers 6); shift ;;
    --) shift; args=("$@"); break ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
if [[ ! -f "$build/build.ninja" ]]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
fi
cmake --build "$build" --target validate_cost_model -j2 >/dev/null
tool="$build/bench/search/validate_cost_model"
if [[ $calibrate -eq 0 ]]; then
  exec "$tool" "${args[@]}"
fi
out="$("$tool" "${args[@]}" --calibrate | tee /dev/stderr)" || true
line="$(grep '^CALIBRATED ' <<<"$out" | sed 's/^CALIBRATED //')"
[[ -n "$line" ]] || { echo "calibration produced no constants" >&2; exit 1; }
sed -i "s/^inline constexpr CostParams kCalibrated{.*};/inline constexpr CostParams kCalibrated$line;/" \
  "$root/compiler/search/cost_params.h"
echo "wrote kCalibrated$line to compiler/search/cost_params.h (rebuild, then rerun without --calibrate)"
