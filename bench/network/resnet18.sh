#!/bin/sh
# ResNet-18 at 224x224 (the main job's model) through bench_network: compile times, fsim, RTL and
# SystemC wall time and cycles. usage: bench/network/resnet18.sh [BUILD_DIR] [runs]
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build} runs=${2:-5}
work="$build/bench/network/resnet18"
mkdir -p "$work"
"$build/compiler/import/tessera_random_network" --arch resnet18 --form qoperator --type uint8 --input-size 224 \
  --classes 1000 --seed 2026 -o "$work/resnet18.onnx" --input "$work/image.npy"
backends="fsim rtl"
"$build/cli/tessera" run --help | grep -q systemc && backends="$backends systemc"
"$build/bench/network/bench_network" "$root/configs/default.json" "$work/resnet18.onnx" "$work/image.npy" "$runs" $backends
