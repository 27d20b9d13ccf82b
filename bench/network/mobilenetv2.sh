#!/bin/sh
# MobileNetV2 (1.0) at 224x224, random calibrated weights, on a config (default: configs/default.json,
# which has the GEMM core's depthwise mode): all four forms (QOperator and QDQ, uint8 and int8) on fsim
# and the RTL against onnxruntime with the network criterion; QOperator uint8 through bench_network
# (compile time, fsim and RTL wall time and cycles, per-step predicted vs RTL cycles) and its per-step
# table (utilization, DRAM, bound); then what int8 QDQ gives against onnxruntime's x86 default and
# onnxruntime against itself.
# usage: bench/network/mobilenetv2.sh [BUILD_DIR] [runs] [CONFIG]      (tables in docs/mobilenet.md)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build} runs=${2:-1} config=${3:-default}
work="$build/bench/network/mobilenetv2_$config"
tessera="$build/cli/tessera" ort="node $root/tests/onnx/run_onnx.js"
mkdir -p "$work"
cd "$work"
generate() {  # NAME FORM TYPE
  "$build/compiler/import/tessera_random_network" --arch mobilenetv2 --form "$2" --type "$3" --input-size 224 \
    --classes 1000 --seed 2026 -o "$1.onnx" --input image.npy --quant-params "$1.q.json"
}
lsb() { node -e "const v = Object.values(require('./$1.q.json')); console.log(v[v.length - 1].scale)"; }
# Every form on fsim and the RTL against onnxruntime (int8 QDQ on its integer kernels, as run_onnx.js
# runs it).
fail=0
for form in qoperator qdq; do
  for type in uint8 int8; do
    n="${form}_$type"
    generate "$n" "$form" "$type"
    "$tessera" compile --config "$root/configs/$config.json" --model "$n.onnx" -o "$n.tsp" > "$n.compile.txt"
    $ort "$n.onnx" image.npy "$n.ort.npy"
    for backend in fsim rtl; do
      "$tessera" run --backend $backend --program "$n.tsp" --input input=image.npy --output output="$n.$backend.npy" \
        > "$n.$backend.txt"
      printf '%s %s vs onnxruntime: ' "$n" $backend
      "$tessera" compare "$n.$backend.npy" "$n.ort.npy" --lsb "$(lsb "$n")" --network || fail=1
    done
    cmp "$n.rtl.npy" "$n.fsim.npy" || fail=1
  done
done
"$build/bench/network/bench_network" "$root/configs/$config.json" qoperator_uint8.onnx image.npy "$runs" fsim rtl
# QOperator uint8's RTL run: the per-step table (cycles, utilization, DRAM, bound).
cat qoperator_uint8.rtl.txt
# onnxruntime's x86 default runs 15 of int8 QDQ's convs and its 10 adds in float32 (docs/mobilenet.md):
# ours against it, and onnxruntime's float32 evaluation (level basic) against it.
$ort --x86-int8-qdq qdq_int8.onnx image.npy x86.npy
$ort --x86-int8-qdq --level basic qdq_int8.onnx image.npy basic.npy
printf 'qdq_int8 fsim vs onnxruntime x86 default: '
"$tessera" compare qdq_int8.fsim.npy x86.npy --lsb "$(lsb qdq_int8)" --network || true
printf 'onnxruntime level basic vs its x86 default: '
"$tessera" compare basic.npy x86.npy --lsb "$(lsb qdq_int8)" --network || true
exit $fail
