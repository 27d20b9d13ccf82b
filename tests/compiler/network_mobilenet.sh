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
  # layer by layer: every conv (17 depthwise among them) and the residual adds (fused) are on the accelerator
  "$tessera" compile --config "$cfg" --model "$n.onnx" -o "$n.layers.tsp" --block-fusion never > "$n.layers.txt"
  test "$(grep -c ' Conv  *accelerator\| QLinearConv  *accelerator' "$n.layers.txt")" -eq 52
  "$tessera" compile --config "$cfg" --model "$n.onnx" -o "$n.tsp" --listing "$n.s" > "$n.compile.txt"
  fusion=auto
  if grep -q '"depthwise": 1' "$cfg"; then
    # the searcher picks the GEMM core's depthwise mode for some of the 17 depthwise convs, in
    # layers or in fused inverted-residual blocks; forced, all 17 blocks fuse
    dw=$(grep 'depthwise multiply-accumulate' "$n.s" | sed "s/.*\(layer\|block\) '\([^']*\)'.*/\2/" | sort -u | wc -l)
    echo "$n: $dw depthwise convs or blocks in the depthwise mode, $(grep -cE ' block(\+add)? \(' "$n.compile.txt") blocks fused by cost"
    test "$dw" -gt 0
    fusion=always
    "$tessera" compile --config "$cfg" --model "$n.onnx" -o "$n.always.tsp" --block-fusion always > "$n.always.txt"
    test "$(grep -cE ' block(\+add)? \(' "$n.always.txt")" -eq 17
  fi
  "$tessera" asm "$n.s" --config "$cfg" -o "$n.re.tsp"
  cmp "$n.tsp" "$n.re.tsp"
  $ort "$n.onnx" "$n.x.npy" "$n.ort.npy"
  for p in "$n" "$n.layers" $( [ $fusion = always ] && echo "$n.always" ); do
    "$tessera" run --backend "$backend" --program "$p.tsp" --input input="$n.x.npy" --output output="$p.y.npy" \
      --stats-json "$p.stats.json" > "$p.run.txt"
    printf '%s: ' "$p"
    "$tessera" compare "$p.y.npy" "$n.ort.npy" --lsb "$(lsb "$n")" --network
  done
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
  # every block fused where the config allows, so the dump also checks the tensors that stay between blocks
  "$tessera" compile --config "$cfg" --model $n.plain.onnx -o $n.tsp --block-fusion always > /dev/null
  "$tessera" run --backend "$backend" --program $n.tsp --input input=$n.x.npy --dump-activations ours > /dev/null
  $ort --dump-dir theirs $n.onnx $n.x.npy $n.ort.npy
  "$tessera" compare ours theirs --max-diff 1 --max-fraction 0.01
fi
echo "network_mobilenet: all cases pass"
