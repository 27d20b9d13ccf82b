#!/bin/sh
# tessera sweep under SIGKILL: kill the run at several moments, check that every complete line of
# results.jsonl parses and no finished point is lost, resume until done, and compare the final
# results with an uninterrupted run (same ids, same figures). Also: existing results without
# --resume are refused, and a spec error names the JSON path.
# usage: sweep_kill_resume.sh TESSERA SOURCE_DIR WORK_DIR
set -eu
tessera=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work"
cat > spec.json <<JSON
{
  "name": "kill",
  "base": "$src/configs/default.json",
  "space": {
    "gemm.block_in": [8, 16],
    "sram_bytes.inp": {"from": 8192, "to": 65536},
    "sram_bytes.wgt": {"from": 65536, "to": 262144},
    "sram_bytes.acc": [65536, 131072],
    "dram.bus_bits": [64, 128]
  },
  "constraints": ["gemm.block_in == gemm.block_out || gemm.block_out == 16"],
  "workloads": [{"builtin": "resnet18"}]
}
JSON
check_lines() {  # every complete line parses and has an id; ids unique
  python3 - "$1" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
lines = text.split("\n")
complete = lines[:-1]  # the text after the last newline is a cut-off line, if any
ids = [json.loads(l)["id"] for l in complete if l]
assert len(ids) == len(set(ids)), "duplicate ids"
print(len(ids), "complete", "(+ a cut-off tail)" if lines[-1] else "")
PY
}
"$tessera" sweep spec.json -o ref --jobs 2 > ref.log
total=$(grep -c . ref/results.jsonl)
[ "$total" -eq 96 ] || { echo "expected 96 points, got $total"; exit 1; }
before=0
for delay in 0.5 1.5 2.2 2.6 3; do
  "$tessera" sweep spec.json -o run --jobs 2 --resume > /dev/null 2>&1 &
  pid=$!
  sleep $delay
  kill -9 $pid 2>/dev/null || true
  wait $pid 2>/dev/null || true
  n=0
  [ -f run/results.jsonl ] && n=$(check_lines run/results.jsonl | cut -d' ' -f1)
  [ "$n" -ge "$before" ] || { echo "lost finished points: $before -> $n"; exit 1; }
  before=$n
  echo "killed after ${delay}s: $n complete lines"
done
"$tessera" sweep spec.json -o run --jobs 2 --resume > resume.log
cat resume.log
check_lines run/results.jsonl
python3 - ref/results.jsonl run/results.jsonl <<'PY'
import json, sys
def load(p):
    return {d["id"]: d for d in map(json.loads, filter(None, open(p).read().split("\n")))}
a, b = load(sys.argv[1]), load(sys.argv[2])
assert set(a) == set(b), "different points"
for k in a:
    for f in ("status", "cycles", "dram_bytes", "util"):
        assert a[k].get(f) == b[k].get(f), (k, f, a[k].get(f), b[k].get(f))
print("resumed results equal the uninterrupted run:", len(a), "points")
PY
if "$tessera" sweep spec.json -o ref > again.log 2>&1; then echo "existing results not refused"; exit 1; fi
grep -q "already holds sweep results" again.log || { cat again.log; exit 1; }
sed 's/"workloads"/"workload"/' spec.json > bad.json
if "$tessera" sweep bad.json -o bad > bad.log 2>&1; then echo "bad spec accepted"; exit 1; fi
grep -q 'bad.json: /workload: unknown key' bad.log || { cat bad.log; exit 1; }
echo ok
