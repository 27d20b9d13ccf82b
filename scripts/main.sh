#!/usr/bin/env bash
# The main job on the built-in default: set up, build, make a quantized ResNet-18-architecture ONNX
# model at 224x224 (random weights, calibrated, onnxruntime's QOperator format, uint8), compile the
# whole network for configs/default.json (every layer's schedule searched), run it on the functional
# and the cycle-accurate simulators, check both against onnxruntime, and print the per-layer report.
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
"$root/build/compiler/import/tessera_random_network" --arch resnet18 --form qoperator --type uint8 --input-size 224 \
  --classes 1000 --seed 2026 -o "$out/resnet18.onnx" --input "$out/image.npy" --quant-params "$out/quant.json"
echo "example network: $out/resnet18.onnx (ResNet-18, 224x224, QOperator uint8, per-channel int8 weights)"
echo
"$tessera" compile --config "$cfg" --model "$out/resnet18.onnx" -o "$out/resnet18.tsp" --listing "$out/resnet18.s"

oracle=""
if command -v node >/dev/null && [ -d "$root/node_modules/onnxruntime-node" ]; then
  node "$root/tests/onnx/run_onnx.js" "$out/resnet18.onnx" "$out/image.npy" "$out/logits_onnxruntime.npy"
  oracle="$out/logits_onnxruntime.npy"
fi
for backend in fsim rtl; do
  echo
  echo "== $backend"
  "$tessera" run --backend "$backend" --program "$out/resnet18.tsp" --input input="$out/image.npy" \
    --output output="$out/logits_$backend.npy" --stats-json "$out/stats_$backend.json"
done
echo
echo "fsim vs rtl:"
"$tessera" compare "$out/logits_fsim.npy" "$out/logits_rtl.npy" --lsb 1e-30
if [ -n "$oracle" ]; then
  lsb=$(node -e "const v = Object.values(require('$out/quant.json')); console.log(v[v.length - 1].scale)")
  echo "fsim vs onnxruntime (network criterion: arg-max identical, >= 99 % within 1 LSB, none more than 3 away):"
  "$tessera" compare "$out/logits_fsim.npy" "$oracle" --lsb "$lsb" --network
else
  echo "onnxruntime is not installed (scripts/setup.sh installs it with npm); skipped that check" >&2
fi
echo
echo "VTA's published ResNet-18 figure: 7.73 M cycles for its 19 offloaded convs only (the rest on the CPU)."
echo "artifacts (model, program, listing, logits, JSON stats) in $out"
