#!/bin/sh
# A residual add fused into its conv's epilogue computes exactly what the separate add layer does:
# every case compiles with and without --no-fuse, and the outputs and every common intermediate
# tensor are byte-identical on fsim (and on the RTL model when BACKEND is rtl).
# usage: network_fusion.sh TESSERA RANDOM_NETWORK SOURCE_DIR WORK_DIR BACKEND CASE...   CASE = arch:form:type:size
set -eu
tessera=$1 gen=$2 src=$3 work=$4 backend=$5
shift 5
rm -rf "$work" && mkdir -p "$work" && cd "$work"
cfg="$src/configs/default.json"
for case in "$@"; do
  IFS=: read -r arch form type size <<EOF2
$case
EOF2
  n="${arch}_${form}_${type}_${size}"
  "$gen" --arch "$arch" --form "$form" --type "$type" --input-size "$size" --classes 16 --seed 13 -o "$n.onnx" --input "$n.x.npy"
  "$tessera" compile --config "$cfg" --model "$n.onnx" -o "$n.fused.tsp" > "$n.fused.txt"
  "$tessera" compile --config "$cfg" --model "$n.onnx" -o "$n.plain.tsp" --no-fuse > "$n.plain.txt"
  # Every add of these residual networks is fused: no add row is left, each shows in a conv's row.
  adds=$(grep -c "QLinearAdd\|^[^ ]*Add" "$n.plain.txt" || true)
  fused=$(grep -c "Add" "$n.fused.txt" || true)
  left=$(grep -c "QLinearAdd  \|  Add  " "$n.fused.txt" || true)
  if [ "$adds" -lt 1 ] || [ "$left" -ne 0 ] || [ "$fused" -lt "$adds" ]; then
    echo "$n: $adds adds without fusion, $left left as layers after fusion"; cat "$n.fused.txt"; exit 1
  fi
  for v in fused plain; do
    "$tessera" run --backend fsim --program "$n.$v.tsp" --input input="$n.x.npy" --output output="$n.$v.npy" \
      --dump-activations "$n.$v.dump" > /dev/null
  done
  cmp "$n.fused.npy" "$n.plain.npy"
  "$tessera" compare "$n.fused.dump" "$n.plain.dump" --max-diff 0
  if [ "$backend" = rtl ]; then
    "$tessera" run --backend rtl --program "$n.fused.tsp" --input input="$n.x.npy" --output output="$n.rtl.npy" > "$n.rtl.txt"
    cmp "$n.fused.npy" "$n.rtl.npy"
    grep -q "conv+add" "$n.rtl.txt"
  fi
  echo "$n: $adds adds fused, outputs identical"
done
