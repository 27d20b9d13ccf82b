#!/bin/sh
# Random quantized networks in every arch x form x type load and run in onnxruntime without degenerate tensors.
# usage: network_models.sh RANDOM_NETWORK SOURCE_DIR WORK_DIR
set -eu
gen=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work"
run="node $src/tests/onnx/run_onnx.js"

# Reads run_onnx.js --stats lines; prints one summary line and fails when a quantized tensor saturates
# (more than 2% and 2 elements at the type's min or max; the min counts only when it is not the zero
# point, as ReLU outputs sit there), collapses (over 90% at the zero point or under half of
# min(n, 64) levels used), or the logits barely vary.
check() {
  awk -v what="$1" '
    $1 == "tensor" {
      n = $5; at_min = $7; at_max = $9; at_zp = $11; levels = $13; tensors++
      allowed = (0.02 * n > 2) ? 0.02 * n : 2
      sat = at_max; if (at_min != at_zp && at_min > sat) sat = at_min
      if (sat > worst_sat) { worst_sat = sat; worst_sat_name = $2 }
      if (at_zp > worst_zp) { worst_zp = at_zp; worst_zp_name = $2 }
      if (sat * n > allowed) bad = bad "\n  " $2 " saturates: " $0
      want = (n < 64 ? n : 64) / 2
      if (at_zp > 0.9 || levels < want) bad = bad "\n  " $2 " collapses: " $0
    }
    $1 == "output" { distinct = $10; n_out = $4 }
    END {
      if (tensors == 0) bad = bad "\n  no quantized tensors reported"
      if (distinct * 2 < (n_out < 16 ? n_out : 16)) bad = bad "\n  the output has only " distinct " distinct values"
      printf "%s: %d quantized tensors, worst saturation %.4f (%s), worst at zero point %.4f (%s), output %d distinct of %d\n",
             what, tensors, worst_sat, worst_sat_name, worst_zp, worst_zp_name, distinct, n_out
      if (bad != "") { print what ": degenerate" bad; exit 1 }
    }'
}

for arch in resnet18 resnet_odd vgg_odd tiny; do
  size=32
  [ "$arch" = tiny ] && size=16
  for type in uint8 int8; do
    for form in qoperator qdq; do
      m=${arch}_${form}_${type}
      "$gen" --arch "$arch" --form "$form" --type "$type" --input-size $size --classes 100 --seed 7 \
             --all-outputs -o "$m.onnx" --input "$m.x.npy" --quant-params "$m.json"
      $run --stats "$m.json" "$m.onnx" "$m.x.npy" "$m.y.npy" | check "$m at $size"
    done
    # onnxruntime fuses QDQ groups into the QLinear kernels, so both forms compute the same output.
    cmp "${arch}_qoperator_$type.y.npy" "${arch}_qdq_$type.y.npy"
  done
done

# Full size once, with the float Softmax tail.
"$gen" --arch resnet18 --form qdq --type uint8 --input-size 224 --classes 1000 --softmax --all-outputs \
       -o r224.onnx --input r224.x.npy --quant-params r224.json
$run --stats r224.json r224.onnx r224.x.npy r224.y.npy | check "resnet18_qdq_uint8 at 224 + softmax"

# The --all-outputs variant computes the same output, and --dump-dir writes every tensor.
"$gen" --arch tiny --form qoperator --type int8 --input-size 16 --classes 100 --seed 7 -o plain.onnx --input plain.x.npy
cmp plain.x.npy tiny_qoperator_int8.x.npy
$run --dump-dir dump plain.onnx plain.x.npy plain.y.npy
cmp plain.y.npy tiny_qoperator_int8.y.npy
$run --dump-dir dump tiny_qoperator_int8.onnx plain.x.npy all.y.npy
cmp dump/output.npy plain.y.npy
test -f dump/_relu_Relu_output_0_quantized.npy && test -f dump/_maxpool_MaxPool_output_0_quantized.npy

# An input too small for the architecture fails clearly.
if "$gen" --arch vgg_odd --form qdq --type int8 --input-size 7 -o bad.onnx --input bad.npy 2> bad.err; then
  echo "an input of 7x7 for vgg_odd was accepted"; exit 1
fi
grep -q "input size 7 is too small" bad.err
echo "network models: all ok"
