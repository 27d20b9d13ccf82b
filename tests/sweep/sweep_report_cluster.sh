#!/bin/sh
# tessera sweep reports and cluster path: a small sweep writes results.csv, pareto.json and a
# self-contained report.html, which headless Chromium opens (as a user would) and sorts by clicking
# a column; `sweep plan` splits the same spec into shards, GNU parallel runs the job list for real,
# `sweep merge` combines the shards, and the merged results equal the single run's. The Slurm
# script is checked with bash -n and for its array line here; sweep_slurm runs it on a real
# single-node Slurm cluster.
# Chromium or GNU parallel missing (scripts/packages.txt) skips that part with a message.
# usage: sweep_report_cluster.sh TESSERA SOURCE_DIR WORK_DIR
set -eu
tessera=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work"
cat > spec.json <<JSON
{
  "name": "report",
  "base": "$src/configs/default.json",
  "space": {"gemm.block_in": [8, 16, 32], "gemm.block_out": [8, 16, 32], "sram_bytes.inp": [16384, 65536]},
  "constraints": ["gemm.block_in == gemm.block_out"],
  "workloads": [{"table": "$src/../shared/workloads/resnet18.csv"}],
  "objectives": ["latency", "lut", "dsp"]
}
JSON
[ -f "$src/../shared/workloads/resnet18.csv" ] || sed -i 's#{"table": "[^"]*"}#{"builtin": "resnet18"}#' spec.json
"$tessera" sweep spec.json -o single --jobs 2 > single.log
cat single.log
[ "$(tail -n +2 single/results.csv | wc -l)" -eq 6 ] || { echo "expected 6 CSV rows"; cat single/results.csv; exit 1; }
python3 - single <<'PY'
import json, sys
d = sys.argv[1]
p = json.load(open(d + "/pareto.json"))
assert p["front"], "empty Pareto front"
pts = {j["id"]: j for j in map(json.loads, open(d + "/results.jsonl"))}
front = [pts[i] for i in p["front"]]
for a in front:  # nobody dominates a front point
    for b in pts.values():
        if b["status"] != "ok": continue
        le = b["cycles"] <= a["cycles"] and b["area"]["luts"] <= a["area"]["luts"] and b["area"]["dsp48e1"] <= a["area"]["dsp48e1"]
        lt = b["cycles"] < a["cycles"] or b["area"]["luts"] < a["area"]["luts"] or b["area"]["dsp48e1"] < a["area"]["dsp48e1"]
        assert not (le and lt), ("dominated front point", a["id"], b["id"])
html = open(d + "/report.html").read()
assert "http://" not in html.replace("http://www.w3.org/2000/svg", "") and "https://" not in html, "external reference"
print("pareto ok:", len(front), "front points")
PY
if command -v chromium > /dev/null; then
  # Click the "cycles" header twice (descending) in a real headless browser and read the DOM back.
  col=$(python3 -c "import re;h=open('single/report.html').read();t=re.search(r'<table id=.points.><thead><tr>(.*?)</tr>',h).group(1);print([re.sub('<.*?>','',x) for x in t.split('</th>')].index('cycles'))")
  sed "s#</body>#<script>var h=document.querySelectorAll('\#points th')[$col];h.click();h.click();</script></body>#" single/report.html > click.html
  timeout 120 chromium --headless --no-sandbox --disable-gpu --dump-dom "file://$work/click.html" 2> chromium.log > dom.html ||
    { tail -5 chromium.log; exit 1; }
  python3 - dom.html "$col" <<'PY'
import re, sys
dom = open(sys.argv[1]).read(); col = int(sys.argv[2])
assert 'data-sorted="%dd"' % col in dom, "the click did not sort"
body = re.search(r"<tbody>(.*)</tbody>", dom, re.S).group(1)
rows = [re.findall(r"<td>(.*?)</td>", r) for r in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]
vals = [float(r[col]) for r in rows]
assert vals == sorted(vals, reverse=True), vals
svgs = dom.count("<svg")
assert svgs >= 4, svgs
print("chromium: table sorted by cycles (descending) after two clicks,", svgs, "inline SVG plots")
PY
else
  echo "chromium not installed (apt-get install chromium): browser check skipped"
fi
"$tessera" sweep plan spec.json -o jobs --shards 3 --jobs 1 > plan.log
cat plan.log
[ "$(wc -l < jobs/jobs.txt)" -eq 3 ] || { echo "expected 3 jobs"; exit 1; }
bash -n jobs/slurm.sh
grep -q '^#SBATCH --array=0-2$' jobs/slurm.sh || { echo "no array line"; cat jobs/slurm.sh; exit 1; }
if command -v parallel > /dev/null; then
  parallel --will-cite --jobs 2 < jobs/jobs.txt > parallel.log
  "$tessera" sweep merge -o merged jobs/shard_* > merge.log
  cat merge.log
  python3 "$(dirname "$0")/same_results.py" single/results.jsonl merged/results.jsonl "GNU parallel"
  if "$tessera" sweep merge -o merged2 jobs/shard_0000 single > bad.log 2>&1; then :; fi
else
  echo "GNU parallel not installed (apt-get install parallel): cluster run skipped"
fi
echo ok
