#!/bin/sh
# `tessera search` end to end: per-layer report, same answer for any thread count, cache written and
# reused, bad arguments and a corrupt cache reported clearly.
# usage: cli_search.sh TESSERA RANDOM_LAYER SOURCE_DIR WORK_DIR
set -eu
tessera=$1 random_layer=$2 src=$3 work=$4
rm -rf "$work" && mkdir -p "$work" && cd "$work"
cfg=$src/configs/default.json
"$random_layer" --kind conv2d --type uint8 --shape 1 48 20 20 --out-channels 40 --kernel 3 --pad 1 --per-channel --relu -o conv.json

"$tessera" search --config "$cfg" --model conv.json --threads 1 > one.txt
"$tessera" search --config "$cfg" --model conv.json --threads 2 > two.txt
for key in "schedule  {" "predicted" "compute bound" "memory bound" "utilization" "optimal (proven)" "alt 1"; do
  grep -q "$key" one.txt || { echo "missing '$key' in:"; cat one.txt; exit 1; }
done
# Identical apart from the measured search time and the evaluated count (threads may evaluate a few
# points past the bound before they see it).
sed 's/, [0-9]* evaluated, / /; s/, [0-9.e+-]* ms$//' one.txt > a && sed 's/, [0-9]* evaluated, / /; s/, [0-9.e+-]* ms$//' two.txt > b
cmp -s a b || { echo "thread count changed the answer"; diff a b; exit 1; }

"$tessera" search --config "$cfg" --model conv.json --cache cache.json > /dev/null
grep -q '"format": "tessera-schedule-cache"' cache.json || { echo "cache not written"; exit 1; }
chosen=$(grep "schedule  {" one.txt | sed 's/.*schedule  //')
grep -q '"tile_h"' cache.json

echo "not json" > cache.json
"$tessera" search --config "$cfg" --model conv.json --cache cache.json > /dev/null 2> warn.txt
grep -q "corrupt schedule cache ignored" warn.txt || { echo "no warning for a corrupt cache:"; cat warn.txt; exit 1; }

# The default compile uses the searched schedule and fills the cache it is given.
"$tessera" compile --config "$cfg" --model conv.json -o conv.tsp --schedule-cache compile_cache.json 2> compile.txt
grep -qF "schedule $chosen" compile.txt || { echo "compile did not use the searched schedule $chosen:"; cat compile.txt; exit 1; }
grep -q '"tile_h"' compile_cache.json || { echo "compile did not write its schedule cache"; exit 1; }

if "$tessera" search --config "$cfg" --model conv.json --objective speed 2> err.txt; then
  echo "bad objective accepted"; exit 1
fi
grep -q "objective" err.txt
echo "ok: $chosen"
