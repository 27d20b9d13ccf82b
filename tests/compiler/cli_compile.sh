#!/bin/sh
# End to end: random layers -> tessera compile -> tessera run -> compared with onnxruntime; bad inputs fail clearly.
# usage: cli_compile.sh TESSERA RANDOM_LAYER SOURCE_DIR WORK_DIR BACKEND
set -eu
tessera=$1 random_layer=$2 src=$3 work=$4 backend=$5
rm -rf "$work" && mkdir -p "$work" && cd "$work"
cfg=$src/configs/default.json

# Elements differing by more than one LSB, or by one on more than 0.1%, fail.
compare() {
  python3 - "$1" "$2" <<'PY'
import sys
def body(p):
    b = open(p, 'rb').read()
    n = int.from_bytes(b[8:10], 'little')
    return b[10 + n:]
a, b = body(sys.argv[1]), body(sys.argv[2])
assert len(a) == len(b), "sizes differ"
d = [abs(x - y) for x, y in zip(a, b)]
ones = sum(1 for x in d if x == 1)
if max(d) > 1 or ones * 1000 > len(d):
    sys.exit(f"{sys.argv[1]}: {sum(1 for x in d if x)} of {len(d)} elements differ, max {max(d)}")
PY
}

i=0
for spec in "conv2d --type uint8 --shape 1 19 13 15 --out-channels 21 --kernel 3 --stride 2 --pad 1 --per-channel --relu" \
            "conv2d --type int8 --shape 1 5 9 9 --out-channels 17 --kernel 5 --stride 1 --pad 2" \
            "dense --type int8 --shape 2 70 --out-channels 10 --per-channel"; do
  i=$((i + 1))
  # shellcheck disable=SC2086
  "$random_layer" --kind $spec --seed $i -o l$i.onnx --inputs-dir in$i
  "$tessera" compile --config "$cfg" --model l$i.onnx -o p$i.tsp --listing p$i.s
  "$tessera" asm p$i.s --config "$cfg" -o again$i.tsp  # the listing is valid assembly
  cmp p$i.tsp again$i.tsp
  "$tessera" run --backend "$backend" --program p$i.tsp --input x=in$i/x.npy --output y=y$i.npy > /dev/null
  node "$src/tests/onnx/run_onnx.js" l$i.onnx in$i/x.npy ort$i.npy
  compare y$i.npy ort$i.npy
done

# JSON layer descriptions compile the same way.
"$random_layer" --kind max_pool --type uint8 --shape 1 20 11 12 --kernel 3 --stride 2 --pad 1 --seed 7 -o pool.json --inputs-dir inp
"$tessera" compile --config "$cfg" --model pool.json -o pool.tsp
"$tessera" run --backend "$backend" --program pool.tsp --input x=inp/x.npy --output y=ypool.npy > /dev/null
"$random_layer" --kind max_pool --type uint8 --shape 1 20 11 12 --kernel 3 --stride 2 --pad 1 --seed 7 -o pool.onnx
node "$src/tests/onnx/run_onnx.js" pool.onnx inp/x.npy ortpool.npy
compare ypool.npy ortpool.npy

# An explicit schedule is honoured; an illegal one names the limit it breaks.
printf '{"tile_b":1,"tile_h":2,"tile_w":3,"tile_ci":1,"tile_co":1,"oc_nthread":2,"h_nthread":1,"loop_order":["h","w","co"]}' > s.json
"$tessera" compile --config "$cfg" --model l1.onnx --schedule s.json -o ps.tsp
"$tessera" run --backend "$backend" --program ps.tsp --input x=in1/x.npy --output y=ys.npy > /dev/null
compare ys.npy ort1.npy
printf '{"tile_b":1,"tile_h":7,"tile_w":8,"tile_ci":2,"tile_co":2,"oc_nthread":2,"h_nthread":2,"loop_order":["h","w","co"]}' > big.json
sed 's/"tile_h":7/"tile_h":70/' big.json > bad.json
if "$tessera" compile --config "$cfg" --model l1.onnx --schedule bad.json -o x.tsp 2> err.txt; then exit 1; fi
grep -q "tile_h = 70 exceeds the layer's 7" err.txt
printf '{"tile_b":1,"tile_h":1}' > short.json
if "$tessera" compile --config "$cfg" --model l1.onnx --schedule short.json -o x.tsp 2> err.txt; then exit 1; fi
grep -q "short.json: missing key 'tile_w'" err.txt
if "$tessera" compile --config "$cfg" --model l1.onnx --isa vta -o x.tsp 2> err.txt; then exit 1; fi
grep -q "power of two" err.txt
echo "cli_compile: ok"
