#!/bin/sh
# tessera sweep --verify: the spec's chosen points on the RTL model. Two points, default's config
# (whose Verilator model is built) and one with a bigger INP SRAM (not built): the first runs the
# whole ResNet-18 on fsim and RTL, the model within 3% of the RTL cycles and the RTL outputs equal to
# the fsim's; the second is reported with the reason it could not run (on-demand model builds and
# synthesis are off here: sweep_verify_on_demand tests them).
# usage: sweep_verify.sh TESSERA SOURCE_DIR WORK_DIR
set -eu
tessera=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work"
cat > spec.json <<JSON
{"name": "verify", "base": "$src/configs/default.json", "space": {"sram_bytes.inp": [32768, 65536]},
 "workloads": [{"builtin": "resnet18"}], "objectives": ["latency"], "verify": {"top": 2}}
JSON
"$tessera" sweep spec.json -o out --verify --no-model-build --no-synth > verify.log
cat verify.log
python3 - out/verify/results.jsonl <<'PY'
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
assert len(rs) == 2, rs
ran = [r for r in rs if r["status"] == "ok"]
skipped = [r for r in rs if r["status"] != "ok"]
assert len(ran) == 1 and len(skipped) == 1, rs
assert "no Verilator model" in skipped[0]["reason"]
w = ran[0]["workloads"][0]
assert w["status"] == "ran" and w["rtl_equals_fsim"], w
assert abs(w["model_error"]) < 0.03, w
print("verified: model %+.2f%% vs RTL, outputs equal fsim" % (100 * w["model_error"]))
PY
