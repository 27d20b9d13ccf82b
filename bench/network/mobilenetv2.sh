#!/bin/sh
# MobileNetV2 (1.0) at 224x224, random calibrated weights, QOperator uint8, on a config (default:
# configs/default.json, which has the GEMM core's depthwise mode), through bench_network: compile
# time, fsim and RTL wall time and cycles, the per-step table (predicted vs RTL cycles, MAC utilization,
# bound), then the network criterion against onnxruntime for both.
# usage: bench/network/mobilenetv2.sh [BUILD_DIR] [runs] [CONFIG]      (tables in docs/mobilenet.md)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build} runs=${2:-1} config=${3:-default}
work="$build/bench/network/mobilenetv2_$config"
mkdir -p "$work"
cd "$work"
"$build/compiler/import/tessera_random_network" --arch mobilenetv2 --form qoperator --type uint8 --input-size 224 \
  --classes 1000 --seed 2026 -o mobilenetv2.onnx --input image.npy --quant-params mobilenetv2.q.json
"$build/bench/network/bench_network" "$root/configs/$config.json" mobilenetv2.onnx image.npy "$runs" fsim rtl
# The same program on the RTL through the CLI (per-step table: cycles, utilization, DRAM, bound), both
# backends' outputs against onnxruntime with the network criterion.
"$build/cli/tessera" compile --config "$root/configs/$config.json" --model mobilenetv2.onnx -o mobilenetv2.tsp > compile.txt
"$build/cli/tessera" run --backend rtl --program mobilenetv2.tsp --input input=image.npy --output output=y_rtl.npy
"$build/cli/tessera" run --backend fsim --program mobilenetv2.tsp --input input=image.npy --output output=y_fsim.npy > /dev/null
node "$root/tests/onnx/run_onnx.js" mobilenetv2.onnx image.npy y_ort.npy
lsb=$(node -e "const v = Object.values(require('./mobilenetv2.q.json')); console.log(v[v.length - 1].scale)")
cmp y_rtl.npy y_fsim.npy && echo "RTL output = fsim output"
"$build/cli/tessera" compare y_rtl.npy y_ort.npy --lsb "$lsb" --network || echo "(network criterion not met at 224: docs/mobilenet.md)"
