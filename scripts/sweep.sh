#!/usr/bin/env bash
# Config sweep: per config, the fixed workload's predicted cycles, MAC utilization and DRAM bytes from
# the cost model; measured cycles and an fsim check on the RTL model where the build has one; with
# --area, LUT/FF/DSP/BRAM from scripts/synth.sh (Yosys, minutes per config; cached by config hash in
# BUILD/sweep/area/). Writes BUILD/sweep/sweep.{md,csv,json} and prints the table (docs/sweep.md).
# usage: scripts/sweep.sh [--quick] [--area] [--build DIR] [CONFIG ...]   (names in configs/; default: all)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build" quick=() area=0 configs=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=(--quick); shift ;;
    --area) area=1; shift ;;
    --build) build="$2"; shift 2 ;;
    -*) echo "sweep.sh: unknown option $1" >&2; exit 2 ;;
    *) configs+=("$1"); shift ;;
  esac
done
if [[ ${#configs[@]} -eq 0 ]]; then
  for f in "$root"/configs/*.json; do configs+=("$(basename "$f" .json)"); done
fi
files=()
for c in "${configs[@]}"; do
  [[ -f "$root/configs/$c.json" ]] || { echo "sweep.sh: no config $root/configs/$c.json" >&2; exit 2; }
  files+=("$root/configs/$c.json")
done
if [[ ! -f "$build/build.ninja" ]]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
fi
cmake --build "$build" --target config_sweep tessera -j2 >/dev/null
out="$build/sweep"
mkdir -p "$out/area"
if [[ $area -eq 1 ]]; then
  for c in "${configs[@]}"; do
    hash=$("$build/cli/tessera" config show "$root/configs/$c.json" | sed -n 's/.* hash \([0-9a-f]*\).*/\1/p' | head -1)
    [[ -n "$hash" ]] || { echo "sweep.sh: no hash for $c" >&2; exit 1; }
    if [[ -f "$out/area/$hash/area.json" ]]; then continue; fi
    if [[ ! -f "$build/gen/$c/tessera_params_pkg.sv" ]]; then
      echo "sweep.sh: no area for $c (no generated RTL in $build/gen/$c: add it to TESSERA_RTL_CONFIGS)" >&2
      continue
    fi
    echo "sweep.sh: synthesizing $c (Yosys, minutes)..." >&2
    "$root/scripts/synth.sh" --config "$c" --build "$build" --out "$out/area/$hash" >/dev/null
  done
fi
"$build/bench/sweep/config_sweep" "${quick[@]}" --area-dir "$out/area" --csv "$out/sweep.csv" --json "$out/sweep.json" \
  "${files[@]}" | tee "$out/sweep.md"
