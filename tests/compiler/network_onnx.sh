#!/bin/sh
# Whole quantized networks from ONNX, compiled for a config and run on a backend, against onnxruntime
# with the network criterion (arg-max identical, >= 99% of outputs within 1 LSB, none more than 3 away).
# usage: network_onnx.sh TESSERA RANDOM_NETWORK SOURCE_DIR WORK_DIR BACKEND CASE...
#   CASE = arch:form:type:size[:softmax]
set -eu
tessera=$1 gen=$2 src=$3 work=$4 backend=$5
shift 5
rm -rf "$work" && mkdir -p "$work" && cd "$work"
cfg="$src/configs/default.json"
# QDQ with a float Softmax after the final DequantizeLinear (Gemm -> Q -> DQ -> Softmax), on fsim
if [ "$backend" = fsim ]; then set -- "$@" tiny:qdq:int8:16:softmax; fi
ort="node $src/tests/onnx/run_onnx.js"
# The quantized logits' scale is one LSB of the float output (the last tensor of --quant-params).
lsb() { node -e "const v = Object.values(require('./$1.q.json')); console.log(v[v.length - 1].scale)"; }

for case in "$@"; do
  IFS=: read -r arch form type size extra <<EOF2
$case
EOF2
  n="${arch}_${form}_${type}_${size}${extra:+_$extra}"
  "$gen" --arch "$arch" --form "$form" --type "$type" --input-size "$size" --classes 16 --seed 11 \
    ${extra:+--softmax} -o "$n.onnx" --input "$n.x.npy" --quant-params "$n.q.json"
  "$tessera" compile --config "$cfg" --model "$n.onnx" -o "$n.tsp" --listing "$n.s" > "$n.compile.txt"
  grep -q "accelerator" "$n.compile.txt"
  # the listing re-assembles to the identical program
  "$tessera" asm "$n.s" --config "$cfg" -o "$n.re.tsp"
  cmp "$n.tsp" "$n.re.tsp"
  "$tessera" run --backend "$backend" --program "$n.tsp" --input input="$n.x.npy" --output output="$n.y.npy" \
    --stats-json "$n.stats.json" > "$n.run.txt"
  grep -q '"steps"' "$n.stats.json"
  # Every accelerator step reports its roofline; a measured step never beats it.
  node -e '
    const j = require(process.argv[1]), timed = process.argv[2] !== "fsim";
    for (const s of j.steps) {
      if (s.where !== "accel") continue;
      if (!(s.roofline_cycles > 0) || !["compute", "memory"].includes(s.bound)) throw new Error(s.step + ": no roofline");
      if (timed && s.cycles < s.roofline_cycles) throw new Error(s.step + ": " + s.cycles + " cycles beat the roofline " + s.roofline_cycles);
    }' "$PWD/$n.stats.json" "$backend"
  $ort "$n.onnx" "$n.x.npy" "$n.ort.npy"
  if [ -n "$extra" ]; then unit=0.002; else unit=$(lsb "$n"); fi
  printf '%s: ' "$n"
  "$tessera" compare "$n.y.npy" "$n.ort.npy" --lsb "$unit" --network
done

# Dump and compare: every intermediate tensor against onnxruntime's, and a wrong input is refused.
n=dump
"$gen" --arch resnet_odd --form qoperator --type uint8 --input-size 24 --classes 16 --seed 5 -o $n.onnx --input $n.x.npy \
  --quant-params $n.q.json --all-outputs
"$gen" --arch resnet_odd --form qoperator --type uint8 --input-size 24 --classes 16 --seed 5 -o $n.plain.onnx --input $n.x.npy
"$tessera" compile --config "$cfg" --model $n.plain.onnx -o $n.tsp > /dev/null
"$tessera" run --backend "$backend" --program $n.tsp --input input=$n.x.npy --dump-activations ours > /dev/null
test -s ours/tensors.txt
$ort --dump-dir theirs $n.onnx $n.x.npy $n.ort.npy
"$tessera" compare ours theirs --max-diff 1 --max-fraction 0.01
if "$tessera" run --backend "$backend" --program $n.tsp --input image=$n.x.npy > wrong.txt 2>&1; then
  echo "an input of the wrong name was accepted"; exit 1
fi
grep -q "no input named 'image'" wrong.txt
"$gen" --arch resnet_odd --form qoperator --type uint8 --input-size 28 --classes 16 -o other.onnx --input other.x.npy
if "$tessera" run --backend "$backend" --program $n.tsp --input input=other.x.npy > wrong.txt 2>&1; then
  echo "an input of the wrong shape was accepted"; exit 1
fi
grep -q "array shape (1,3,28,28), the program wants (1,3,24,24)" wrong.txt
echo "network_onnx: all cases pass"
