#!/bin/sh
# Config sweep smoke test (--quick workload): a table row and a CSV row per config, model utilization
# in (0, 1], and on every config with an RTL model the measured cycles within 10% of the prediction
# and the output equal to fsim's.
# usage: sweep_smoke.sh CONFIG_SWEEP SOURCE_DIR WORK_DIR
set -eu
sweep=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work"
"$sweep" --quick --csv sweep.csv --json sweep.json "$src"/configs/*.json > table.md
configs=$(ls "$src"/configs/*.json | wc -l)
[ "$(grep -c '^| [a-z]' table.md)" -eq $((configs + 1)) ] || { echo "not one table row per config:"; cat table.md; exit 1; }
[ "$(tail -n +2 sweep.csv | wc -l)" -eq "$configs" ] || { echo "not one CSV row per config:"; cat sweep.csv; exit 1; }
for f in "$src"/configs/*.json; do
  grep -q "^| $(basename "$f" .json) |" table.md || { echo "no row for $f"; cat table.md; exit 1; }
done
# columns: 1 config, 5 predicted_cycles, 6 util_model, 8 rtl_cycles, 10 model_error, 11 rtl_matches_fsim
awk -F, 'NR > 1 {
  if ($5 <= 0 || $6 <= 0 || $6 > 1) { print "implausible model figures: " $0; bad = 1 }
  if ($8 != "") {
    rtl++
    if ($10 > 0.10 || $10 < -0.10) { print "model vs RTL beyond 10%: " $0; bad = 1 }
    if ($11 != "true") { print "RTL output differs from fsim: " $0; bad = 1 }
  }
} END {
  if (rtl == 0) { print "no config ran on the RTL model"; bad = 1 }
  exit bad
}' sweep.csv
echo "ok: $configs configs"
