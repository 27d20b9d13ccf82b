#!/bin/sh
# `tessera run --backend systemc`: a single layer and whole networks (several accelerator segments in one
# SystemC simulation, host steps between them) give the fsim's bytes and the rtl backend's counters;
# errors (deadlock, cycle limit, no model for the config, unsupported option) stop with the cause named.
# usage: network_systemc.sh TESSERA RANDOM_NETWORK SOURCE_DIR WORK_DIR WAVES(ON|OFF)
set -eu
tessera=$1 gen=$2 src=$3 work=$4 waves=$5
rm -rf "$work" && mkdir -p "$work" && cd "$work"
cfg="$src/configs/default.json"
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
run() { timeout 60 "$tessera" run "$@"; }
# The stats JSON without what legitimately differs (backend name, wall time).
counters() { grep -v '"wall_seconds"' "$1" | sed 's/"backend": "[a-z]*"/"backend": ""/'; }
cycles() { grep -m1 '"cycles"' "$1" | tr -dc 0-9; }

# Single layer: the example's expected output, and every counter of the rtl backend.
"$tessera" asm "$src/examples/dense_relu.s" -c "$cfg" -o layer.tsp 2> /dev/null
for b in rtl systemc; do
  run -b $b -p layer.tsp -i x="$src/examples/dense_relu_x.npy" -o y=layer.$b.npy --stats-json layer.$b.json > layer.$b.txt
done
cmp layer.systemc.npy "$src/examples/dense_relu_expected.npy"
counters layer.rtl.json > a.json && counters layer.systemc.json > b.json && diff a.json b.json
echo "layer: output as expected; systemc $(cycles layer.systemc.json) cycles = rtl $(cycles layer.rtl.json)"

# Networks: outputs and every intermediate tensor byte-identical to the fsim's; total and per-step
# cycles, unit busy/stall, micro-ops and DRAM bytes identical to the rtl backend's.
for case in tiny:qoperator:uint8:16 resnet_odd:qdq:int8:20; do
  IFS=: read -r arch form type size <<EOF2
$case
EOF2
  n="${arch}_${form}_${type}_${size}"
  "$gen" --arch "$arch" --form "$form" --type "$type" --input-size "$size" --classes 16 --seed 11 -o "$n.onnx" \
    --input "$n.x.npy"
  "$tessera" compile --config "$cfg" --model "$n.onnx" -o "$n.tsp" > "$n.compile.txt"
  for b in fsim rtl systemc; do
    run -b $b -p "$n.tsp" -i input="$n.x.npy" -o output="$n.$b.npy" --stats-json "$n.$b.json" \
      --dump-activations "$n.$b.dump" > "$n.$b.txt"
  done
  cmp "$n.fsim.npy" "$n.systemc.npy"
  cmp "$n.fsim.dump/tensors.txt" "$n.systemc.dump/tensors.txt"
  for f in "$n.fsim.dump"/*.npy; do cmp "$f" "$n.systemc.dump/${f##*/}"; done
  segments=$(grep -c '"where": "accel"' "$n.systemc.json")
  test "$segments" -ge 5
  grep -q '"where": "host"' "$n.systemc.json"
  counters "$n.rtl.json" > a.json && counters "$n.systemc.json" > b.json && diff a.json b.json
  echo "$n: $segments accelerator segments, output and $(wc -l < "$n.fsim.dump/tensors.txt") tensors = fsim;" \
    "systemc $(cycles "$n.systemc.json") cycles = rtl $(cycles "$n.rtl.json")"
done

# One waveform spans every segment of the network: its last time stamp (half cycles) covers all their cycles.
if [ "$waves" = ON ]; then
  n=tiny_qoperator_uint8_16
  run -b systemc -p "$n.tsp" -i input="$n.x.npy" --vcd "$n.vcd" > /dev/null
  last=$(grep '^#' "$n.vcd" | tail -n 1 | tr -dc 0-9)
  test "$last" -ge $((2 * $(cycles "$n.systemc.json")))
  echo "waveform: $n.vcd ends at half-cycle $last"
fi

# Errors name their cause and end the run (timeout guards against a hang).
expect_error() {  # expect_error PATTERN ARGS...
  pattern=$1
  shift
  if run "$@" > err.txt 2>&1; then echo "accepted: $*"; exit 1; fi
  grep -q "$pattern" err.txt || { echo "expected '$pattern' from: $*"; cat err.txt; exit 1; }
}
printf 'GEMM uop_end=1 iter_out=1 iter_in=1 pop_prev\nFINISH\n' > deadlock.s
"$tessera" asm deadlock.s -c "$cfg" -o deadlock.tsp --no-token-check 2> /dev/null
expect_error "systemc backend: TesseraTlm watchdog" -b systemc -p deadlock.tsp
grep -q "compute: stalled waiting on token queue l2g" err.txt
expect_error "did not finish within 1000 cycles of ap_start" -b systemc -p tiny_qoperator_uint8_16.tsp \
  -i input=tiny_qoperator_uint8_16.x.npy --max-cycles 1000
# a config no RTL model was built for (the default's with a smaller micro-op SRAM)
sed 's/"default"/"unbuilt"/; s/"uop": 32768/"uop": 16384/' "$cfg" > unbuilt.json
expect_error "no RTL model for config 'unbuilt'" -b systemc -p layer.tsp --config unbuilt.json \
  -i x="$src/examples/dense_relu_x.npy"
expect_error "(--trace) is not available on the TLM model" -b systemc -p layer.tsp -i x="$src/examples/dense_relu_x.npy" \
  --trace t.json
echo "network_systemc: all checks pass"
