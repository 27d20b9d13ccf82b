#!/usr/bin/env bash
# Checks of `tessera regress` itself (label regress). usage: regress_checks.sh TESSERA SRC_DIR WORK_DIR CHECK
#   suite_errors   malformed suites are refused naming the JSON path
#   slowdown       a bubble injected into one layer of ResNet-18 (64x64) on the RTL fails the run naming that layer
#   wrong_result   a corrupted weight fails the run naming the first differing tensor (fsim and RTL)
#   golden_edit    a golden edited to fewer cycles fails (WORSE), to more cycles shows an improvement and passes
#   update         --update rewrites a copy of the goldens, one line per changed metric, with a summary
#   reports        JUnit XML parses and carries the failure; the Markdown summary names it
set -uo pipefail
tessera=$1 src=$2 work=$3 check=$4
suite=$src/tests/regress/quick.json
goldens=$src/tests/regress/quick.goldens.json
mkdir -p "$work" && cd "$work" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
expect_fail() {  # expect_fail LOG PATTERN...: the last command failed and LOG matches every pattern
  local log=$1; shift
  for p in "$@"; do grep -qF -- "$p" "$log" || { cat "$log"; fail "missing '$p'"; }; done
}

case $check in
suite_errors)
  bad() {  # bad NAME JSON PATTERN: the suite is refused with PATTERN in the message
    printf '%s\n' "$2" > "$1.json"
    if "$tessera" regress "$1.json" > "$1.log" 2>&1; then cat "$1.log"; fail "$1: accepted"; fi
    expect_fail "$1.log" "$3"
  }
  root="\"root\": \"$src\", \"goldens\": \"g.json\""
  e='"id": "a", "configs": ["default"], "backends": ["fsim"]'
  bad unknown_key "{\"name\": \"t\", $root, \"entries\": [{$e, \"layer\": {\"c\": 16, \"k\": 16, \"hw\": 8, \"kernel\": 3, \"kernal\": 3}}]}" \
    "\$.entries[0].layer: unknown key 'kernal'"
  bad top_key "{\"name\": \"t\", $root, \"tolerance\": 1, \"entries\": [{$e, \"layer\": {\"c\": 16, \"k\": 16, \"hw\": 8, \"kernel\": 3}}]}" \
    "\$: unknown key 'tolerance'"
  bad wrong_type "{\"name\": \"t\", $root, \"entries\": [{$e, \"layer\": {\"c\": \"16\", \"k\": 16, \"hw\": 8, \"kernel\": 3}}]}" \
    "\$.entries[0].layer.c: expected an integer"
  bad range "{\"name\": \"t\", $root, \"entries\": [{$e, \"layer\": {\"c\": 0, \"k\": 16, \"hw\": 8, \"kernel\": 3}}]}" \
    "\$.entries[0].layer.c: 0 is outside 1..65536"
  bad config "{\"name\": \"t\", $root, \"entries\": [{\"id\": \"a\", \"configs\": [\"nope\"], \"backends\": [\"fsim\"], \"layer\": {\"c\": 16, \"k\": 16, \"hw\": 8, \"kernel\": 3}}]}" \
    "\$.entries[0].configs[0]: no config 'nope'"
  bad backend "{\"name\": \"t\", $root, \"entries\": [{\"id\": \"a\", \"configs\": [\"default\"], \"backends\": [\"xrt\"], \"layer\": {\"c\": 16, \"k\": 16, \"hw\": 8, \"kernel\": 3}}]}" \
    "\$.entries[0].backends[0]: 'xrt' is not one of fsim, rtl, systemc"
  bad no_workload "{\"name\": \"t\", $root, \"entries\": [{$e}]}" "\$.entries[0]: needs exactly one workload"
  bad two_workloads "{\"name\": \"t\", $root, \"entries\": [{$e, \"layer\": {\"c\": 16, \"k\": 16, \"hw\": 8, \"kernel\": 3}, \"cosim\": {}}]}" \
    "\$.entries[0]: needs exactly one workload"
  l='"layer": {"c": 16, "k": 16, "hw": 8, "kernel": 3}'
  bad duplicate "{\"name\": \"t\", $root, \"entries\": [{$e, $l}, {$e, $l}]}" "\$.entries[1].id: duplicate id 'a'"
  bad cosim_backend "{\"name\": \"t\", $root, \"entries\": [{$e, \"cosim\": {\"count\": 2}}]}" "\$.entries[0].backends: a cosim entry"
  bad figure_run "{\"name\": \"t\", $root, \"entries\": [{$e, \"layer\": {\"c\": 16, \"k\": 16, \"hw\": 8, \"kernel\": 3}}], \"figures\": [{\"figure\": \"x\", \"run\": \"b/default/rtl\", \"metric\": \"cycles\", \"value\": 1}]}" \
    "\$.figures[0].run: 'b/default/rtl' is not a run"
  bad syntax "{\"name\": \"t\", $root, \"entries\": [}" "not valid JSON at byte"
  bad asm_file "{\"name\": \"t\", $root, \"entries\": [{$e, \"asm\": {\"program\": \"examples/none.s\"}}]}" "\$.entries[0].asm.program: no file"
  echo "every malformed suite refused with its JSON path"
  ;;
slowdown)
  step=/layer3/layer3.0/conv2/Conv_quant
  if "$tessera" regress "$suite" --filter resnet18_64/default/rtl --inject-slowdown "$step:10000" -q > slow.log 2>&1; then
    cat slow.log; fail "the injected slowdown passed"
  fi
  expect_fail slow.log "step $step cycles" "WORSE" "FAIL resnet18_64/default/rtl: " "worse than the tolerance"
  # Only that layer (and the total) moved.
  moved=$(grep -c '^resnet18_64/default/rtl ' slow.log)
  [ "$moved" = 2 ] || { cat slow.log; fail "expected the layer and the total to move, $moved lines moved"; }
  cat slow.log
  ;;
wrong_result)
  step=/layer2/layer2.1/conv1/Conv_quant
  if "$tessera" regress "$suite" --filter resnet18_64/default/ --inject-wrong "$step" -q > wrong.log 2>&1; then
    cat wrong.log; fail "the injected wrong result passed"
  fi
  msg="wrong output: first differing tensor '/layer2/layer2.1/relu/Relu_output_0_quantized', written by step '$step'"
  expect_fail wrong.log "FAIL resnet18_64/default/fsim: $msg" "FAIL resnet18_64/default/rtl: $msg"
  # A single layer: its output hash.
  if "$tessera" regress "$suite" --filter resnet18.layer3.0.conv2/default/rtl --inject-wrong '*' -q > wrong1.log 2>&1; then
    cat wrong1.log; fail "the injected wrong result (layer) passed"
  fi
  expect_fail wrong1.log "FAIL resnet18.layer3.0.conv2/default/rtl: wrong output: output_hash differs"
  cat wrong.log
  ;;
golden_edit)
  run=resnet18.layer3.0.conv2/default/rtl
  python3 - "$goldens" fewer.json more.json "$run" <<'PY'
import json, sys
g = json.load(open(sys.argv[1]))
run = sys.argv[4]
for path, factor in ((sys.argv[2], 0.95), (sys.argv[3], 1.05)):
    h = json.loads(json.dumps(g))
    h[run]["cycles"] = int(h[run]["cycles"] * factor)
    json.dump(h, open(path, "w"), indent=1)
PY
  if "$tessera" regress "$suite" --goldens fewer.json --filter "$run" -q > fewer.log 2>&1; then cat fewer.log; fail "5 % slower passed"; fi
  expect_fail fewer.log "WORSE" "FAIL $run: 1 metric(s) worse than the tolerance 0.50%: cycles +5.26%"
  "$tessera" regress "$suite" --goldens more.json --filter "$run" -q > more.log 2>&1 || { cat more.log; fail "an improvement failed"; }
  expect_fail more.log "improved" "-4.76%"
  cat fewer.log more.log
  ;;
update)
  run=resnet18.layer3.0.conv2/default/rtl
  cp "$goldens" upd.json
  sed -i "/\"$(echo "$run" | sed 's/[./]/\\&/g')\"/,/}/ s/\"cycles\": [0-9]*/\"cycles\": 1/" upd.json
  grep -q '"cycles": 1,' upd.json || fail "could not edit the copy"
  "$tessera" regress "$suite" --goldens upd.json --filter "$run" --update -q > upd.log 2>&1 || { cat upd.log; fail "--update failed"; }
  expect_fail upd.log "rewrote 1 of 1 runs' goldens" "$run" "cycles" "(goldens rewritten)"
  diff "$goldens" upd.json > upd.diff && true
  [ ! -s upd.diff ] || { cat upd.diff; fail "--update did not restore the golden exactly"; }
  cat upd.log
  ;;
reports)
  run=resnet18.layer3.0.conv2/default/rtl
  python3 -c "
import json,sys; g=json.load(open('$goldens')); g['$run']['cycles']=int(g['$run']['cycles']*0.9); json.dump(g,open('r.json','w'))"
  "$tessera" regress "$suite" --goldens r.json --filter "$run" --junit r.xml --markdown r.md -q > r.log 2>&1 && fail "passed"
  python3 - <<'PY' || fail "JUnit XML"
import xml.etree.ElementTree as ET
t = ET.parse("r.xml").getroot()
assert t.tag == "testsuites" and t.get("failures") == "1", t.attrib
cases = [c for c in t.findall("./testsuite/testcase") if not c.get("classname").endswith(".figures")]
assert len(cases) == 1 and cases[0].get("classname") == "regress.quick.resnet18.layer3.0.conv2", cases[0].attrib
assert cases[0].get("name") == "default/rtl"
f = cases[0].find("failure")
assert f is not None and "worse than the tolerance" in f.get("message"), f
PY
  grep -q "failure(s)" r.md && grep -q "| \`$run\` | cycles |" r.md || { cat r.md; fail "Markdown"; }
  cat r.md
  ;;
*) fail "unknown check $check" ;;
esac
