#!/usr/bin/env bash
# The main job on the built-in default: set up, build, assemble the example network layer for
# configs/default.json, run it on the functional and the cycle-accurate simulators, print the report.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup.sh"
"$root/scripts/build.sh" >/dev/null
tessera="$root/build/cli/tessera"
cfg="$root/configs/default.json"
out="$root/build/main"
mkdir -p "$out"

"$tessera" config show "$cfg"
echo
"$tessera" asm "$root/examples/dense_relu.s" --config "$cfg" -o "$out/dense_relu.tsp"
status=0
for backend in fsim rtl; do
  echo
  "$tessera" run --backend "$backend" --program "$out/dense_relu.tsp" --input x="$root/examples/dense_relu_x.npy" \
    --output y="$out/y_$backend.npy" --stats-json "$out/stats_$backend.json"
  if cmp -s "$out/y_$backend.npy" "$root/examples/dense_relu_expected.npy"; then
    echo "  output y matches the NumPy reference (examples/dense_relu_expected.npy)"
  else
    echo "  output y DIFFERS from the NumPy reference" >&2
    status=1
  fi
done
echo
echo "artifacts (program, outputs, JSON stats) in $out"
exit $status
