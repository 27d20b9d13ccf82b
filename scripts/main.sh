#!/usr/bin/env bash
# The main job on the built-in default: set up, build, make an example quantized conv layer (ONNX
# QLinearConv + ReLU, ResNet-18 layer2 shape), search its schedule and compile it for
# configs/default.json, run it on the functional and the cycle-accurate simulators, check both
# against onnxruntime, and print the report.
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
"$root/build/compiler/import/tessera_random_layer" --kind conv2d --type uint8 --shape 1,128,28,28 \
  --out-channels 128 --kernel 3 --stride 1 --pad 1 --per-channel --relu --seed 2026 \
  -o "$out/conv.onnx" --inputs-dir "$out"
echo "example layer: $out/conv.onnx (QLinearConv 3x3, 128 -> 128 channels, 28x28, uint8, ReLU)"
echo
"$tessera" search --config "$cfg" --model "$out/conv.onnx" --top 3
echo
"$tessera" compile --config "$cfg" --model "$out/conv.onnx" -o "$out/conv.tsp" --listing "$out/conv.s"

oracle=""
if command -v node >/dev/null && [ -d "$root/node_modules/onnxruntime-node" ]; then
  node "$root/tests/onnx/run_onnx.js" "$out/conv.onnx" "$out/x.npy" "$out/y_onnxruntime.npy"
  oracle="$out/y_onnxruntime.npy"
fi
for backend in fsim rtl; do
  echo
  "$tessera" run --backend "$backend" --program "$out/conv.tsp" --input x="$out/x.npy" \
    --output y="$out/y_$backend.npy" --stats-json "$out/stats_$backend.json"
done
echo
echo "fsim vs rtl:"
"$tessera" compare "$out/y_fsim.npy" "$out/y_rtl.npy"
if [ -n "$oracle" ]; then
  echo "fsim vs onnxruntime (the accelerator may differ by 1 LSB on at most 0.1 % of elements):"
  "$tessera" compare "$out/y_fsim.npy" "$oracle" --max-diff 1 --max-fraction 0.001
else
  echo "onnxruntime is not installed (scripts/setup.sh installs it with npm); skipped that check" >&2
fi
echo
echo "artifacts (model, program, listing, outputs, JSON stats) in $out"
