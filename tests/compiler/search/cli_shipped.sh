#!/bin/sh
# The shipped schedule database end to end: `tessera compile` and `tessera search` take a ResNet-18
# layer's schedule from configs/schedules/ and say so; --fresh searches; a corrupt copy next to a
# copied config is ignored with a warning and the layer searched.
# usage: cli_shipped.sh TESSERA RANDOM_LAYER SOURCE_DIR WORK_DIR
set -eu
tessera=$1 random_layer=$2 src=$3 work=$4
rm -rf "$work" && mkdir -p "$work/copy/schedules" && cd "$work"
cfg=$src/configs/default.json
# ResNet-18 layer2.0.downsample
"$random_layer" --kind conv2d --type uint8 --shape 1 64 56 56 --out-channels 128 --kernel 1 --stride 2 --per-channel --relu -o conv.json
fail() { echo "$1"; shift; cat "$@"; exit 1; }

"$tessera" compile --config "$cfg" --model conv.json -o a.tsp 2> shipped.txt
grep -qF "(from the shipped database $src/configs/schedules/default.json)" shipped.txt || fail "compile did not use the shipped database:" shipped.txt
"$tessera" compile --config "$cfg" --model conv.json -o b.tsp --no-shipped-schedules 2> searched.txt
grep -q "(searched)" searched.txt || fail "--no-shipped-schedules did not search:" searched.txt
# Same schedule either way (the shipped one is what the search returns).
[ "$(sed -n 's/.*schedule \({.*}\).*/\1/p' shipped.txt)" = "$(sed -n 's/.*schedule \({.*}\).*/\1/p' searched.txt)" ] ||
  fail "shipped and searched schedules differ:" shipped.txt searched.txt
cmp -s a.tsp b.tsp || fail "shipped and searched programs differ" /dev/null

"$tessera" search --config "$cfg" --model conv.json > report.txt
grep -qF "from      the shipped database $src/configs/schedules/default.json (not searched" report.txt || fail "search did not report the shipped database:" report.txt
"$tessera" search --config "$cfg" --model conv.json --fresh > fresh.txt
grep -q "optimal (proven)" fresh.txt && grep -q "alt 1" fresh.txt || fail "--fresh did not search:" fresh.txt

cp "$cfg" copy/default.json
head -c 300 "$src/configs/schedules/default.json" > copy/schedules/default.json
"$tessera" compile --config copy/default.json --model conv.json -o c.tsp 2> corrupt.txt
grep -q "warning: .*copy/schedules/default.json: corrupt shipped database ignored" corrupt.txt || fail "no warning for a corrupt shipped database:" corrupt.txt
grep -q "(searched)" corrupt.txt || fail "a corrupt shipped database was not replaced by a search:" corrupt.txt
cmp -s a.tsp c.tsp || fail "the searched program differs from the shipped one" /dev/null
echo ok
