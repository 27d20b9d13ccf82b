#!/bin/sh
# tessera sweep --verify on a config with no Verilator model in the binary: the sweep builds one on
# demand (a shared library, cached per config hash in BUILD/sweep/rtl/<hash>/), runs the network on it
# in tessera_sweep_rtl_runner, and reports measured cycles beside the model's with the error and
# whether the RTL outputs equal the fsim's; it also synthesizes the point (Yosys, cached in
# BUILD/sweep/area/<hash>/) and reports the area model against Yosys (block RAM exact, LUT and DSP
# within 10%). A second run finds both in the caches. The spec: tiny's 1x8x8 array with a 32 KiB
# accumulator SRAM (no model of it is built into tessera), a 32x32 random quantized network.
# Heavy steps hold TESSERA_SWEEP_LOCK (default BUILD/sweep/heavy.lock) one at a time.
# usage: sweep_verify_on_demand.sh TESSERA RANDOM_NETWORK SOURCE_DIR WORK_DIR
set -eu
tessera=$1 randnet=$2 src=$3 work=$4
rm -rf "$work" && mkdir -p "$work" && cd "$work"
"$randnet" --arch tiny --form qoperator --type int8 --input-size 32 -o net.onnx --input x.npy > /dev/null
cat > spec.json <<JSON
{"name": "ondemand", "base": "$src/configs/tiny.json", "space": {"sram_bytes.acc": [32768, 65536]},
 "workloads": [{"onnx": "net.onnx"}], "objectives": ["latency"], "verify": {"top": 1}}
JSON
start=$(date +%s)
"$tessera" sweep spec.json -o out --verify > verify.log
echo "first run: $(( $(date +%s) - start )) s"
cat verify.log
check() {
python3 - "$1" "$2" <<'PY'
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1] + "/verify/results.jsonl")]
assert len(rs) == 1, rs
r = rs[0]
assert r["status"] == "ok", r
m = r["rtl_model"]
assert m["source"] == "on-demand", m
assert m["cached"] == (sys.argv[2] == "cached"), m
w = r["workloads"][0]
assert w["status"] == "ran" and w["rtl_equals_fsim"], w
# tiny's array on a 32x32 network: measured -3.6% (small layers, fixed costs); the issue's 3% is for
# whole ResNet-18 runs (sweep_verify_rtl: -0.07% on default)
assert abs(w["model_error"]) < 0.05, w
s = r["synth"]
assert s["status"] == "ok", s
assert s["bram_exact"], s
assert abs(s["model_error"]["luts"]) < 0.10 and abs(s["model_error"]["dsp48e1"]) < 0.10, s
print("on-demand model (%s, build %.0f s): predicted %.0f, RTL %.0f cycles (%+.2f%%), outputs equal fsim; "
      "Yosys %.0f LUT (model %+.1f%%), %.0f DSP (%+.1f%%), %d RAMB36 + %d RAMB18 (model exact)" %
      ("cached" if m["cached"] else "built", m["build_seconds"], w["predicted_cycles"], w["rtl_cycles"],
       100 * w["model_error"], s["yosys"]["luts"], 100 * s["model_error"]["luts"], s["yosys"]["dsp48e1"],
       100 * s["model_error"]["dsp48e1"], s["yosys"]["ramb36e1"], s["yosys"]["ramb18e1"]))
PY
}
cached=$(grep -c "built on demand (cached)" verify.log || true)
[ "$cached" -eq 1 ] && check out cached || check out built
# the second run finds the model and the synthesis in the caches
start=$(date +%s)
"$tessera" sweep spec.json -o out2 --verify > verify2.log
cat verify2.log
grep -q "built on demand (cached)" verify2.log || { echo "model not reused"; exit 1; }
grep -q "Yosys (cached)" verify2.log || { echo "synthesis not reused"; exit 1; }
check out2 cached
echo "second run: $(( $(date +%s) - start )) s"
