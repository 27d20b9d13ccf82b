#!/bin/sh
# MobileNetV2 (1.0, random calibrated weights: depthwise convs, ReLU6 as Clip, inverted residuals
# without ReLU) at small input sizes, compiled for a config (default: configs/default.json), run on a
# backend, against onnxruntime with the network criterion (arg-max identical, >= 99% within 1 LSB, none
# more than 3 away).
# usage: network_mobilenet.sh TESSERA RANDOM_NETWORK SOURCE_DIR WORK_DIR BACKEND [--config NAME] [--dump] CASE...
#   CASE = form:type:size; --dump also compares every intermediate tensor of the first case with onnxruntime's
set -eu
tessera=$1 gen=$2 src=$3 work=$4 backend=$5
shift 5
dump=0 config=default
if [ "${1:-}" = --config ]; then config=$2; shift 2; fi
if [ "${1:-}" = --dump ]; then dump=1; shift; fi
rm -rf "$work" && mkdir -p "$work" && cd "$work"
cfg="$src/configs/$config.json"
ort="node $src/tests/onnx/run_onnx.js"
lsb() { node -e "const v = Object.values(require('./$1.q.json')); console.log(v[v.length - 1].scale)"; }

for case in "$@"; do
  IFS=: read -r form type size <<EOF2
$case
EOF2
  n="mobilenetv2_${form}_${type}_${size}"
  "$gen" --arch mobilenetv2 --form "$form" --type "$type" --input-size "$size" --classes 16 --seed 12 \
    -o "$n.onnx" --input "$n.x.npy" --quant-params "$n.q.json"
  "$tessera" compile --config "$cfg" --model "$n.onnx" -o "$n.tsp" --listing "$n.s" > "$n.compile.txt"
  # every conv (17 depthwise among them) and the residual adds (fused) are on the accelerator
  test "$(grep -c ' Conv  *accelerator\| QLinearConv  *accelerator' "$n.compile.txt")" -eq 52
  # with the GEMM core's depthwise mode, the searcher picks it for some of the 13 stride-1 depthwise convs
  if grep -q '"depthwise": 1' "$cfg"; then
    dw=$(grep 'depthwise multiply-accumulate' "$n.s" | sed "s/.*layer '\([^']*\)'.*/\1/" | sort -u | wc -l)
    echo "$n: $dw depthwise convs in the depthwise mode"
    test "$dw" -gt 0
  fi
  "$tessera" asm "$n.s" --config "$cfg" -o "$n.re.tsp"
  cmp "$n.tsp" "$n.re.tsp"
  "$tessera" run --backend "$backend" --program "$n.tsp" --input input="$n.x.npy" --output output="$n.y.npy" \
    --stats-json "$n.stats.json" > "$n.run.txt"
  $ort "$n.onnx" "$n.x.npy" "$n.ort.npy"
  printf '%s: ' "$n"
  "$tessera" compare "$n.y.npy" "$n.ort.npy" --lsb "$(lsb "$n")" --network
done

if [ $dump = 1 ]; then
  IFS=: read -r form type size <<EOF2
$1
EOF2
  n=dump
  "$gen" --arch mobilenetv2 --form "$form" --type "$type" --input-size "$size" --classes 16 --seed 5 -o $n.onnx \
    --input $n.x.npy --all-outputs
  "$gen" --arch mobilenetv2 --form "$form" --type "$type" --input-size "$size" --classes 16 --seed 5 -o $n.plain.onnx \
    --input $n.x.npy
  "$tessera" compile --config "$cfg" --model $n.plain.onnx -o $n.tsp > /dev/null
  "$tessera" run --backend "$backend" --program $n.tsp --input input=$n.x.npy --dump-activations ours > /dev/null
  $ort --dump-dir theirs $n.onnx $n.x.npy $n.ort.npy
  "$tessera" compare ours theirs --max-diff 1 --max-fraction 0.01
fi
echo "network_mobilenet: all cases pass"
