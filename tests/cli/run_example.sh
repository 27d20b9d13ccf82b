#!/usr/bin/env bash
# Assembles examples/dense_relu.s, runs it on one backend and compares y with the NumPy reference.
set -euo pipefail
tessera=$1 root=$2 backend=$3 out=$4
mkdir -p "$out"
"$tessera" asm "$root/examples/dense_relu.s" -c "$root/configs/default.json" -o "$out/p.tsp"
"$tessera" run -b "$backend" -p "$out/p.tsp" -i x="$root/examples/dense_relu_x.npy" -o y="$out/y.npy" \
  --stats-json "$out/stats.json"
cmp "$out/y.npy" "$root/examples/dense_relu_expected.npy"
grep -q '"gemm_uops": 16' "$out/stats.json"
"$tessera" disasm "$out/p.tsp" > "$out/p.s"
"$tessera" asm "$out/p.s" -c "$root/configs/default.json" -o "$out/p2.tsp"
cmp "$out/p.tsp" "$out/p2.tsp"
echo "cli example on $backend: output matches the reference; disasm/asm round trip is exact"
