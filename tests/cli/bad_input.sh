#!/usr/bin/env bash
# Bad user input gets a clear error naming the file and the problem, and a non-zero exit, never a crash.
set -uo pipefail
tessera=$1 root=$2 out=$3
mkdir -p "$out"
fail=0
expect() {  # expect <substring> <command...>: the command must fail cleanly with the substring on stderr
  local want=$1; shift
  local err rc
  err=$("$@" 2>&1 >/dev/null); rc=$?
  if [ $rc -eq 0 ] || [ $rc -ge 128 ] || [[ "$err" != *"$want"* ]]; then
    echo "FAIL: '$*' rc=$rc, wanted '$want' in: $err"; fail=1
  fi
}
printf '{"name": "x"}' > "$out/cfg.json"
expect "cfg.json: /description: missing required key" "$tessera" config show "$out/cfg.json"
printf 'GEMM uop_bgn=99999\nFINISH\n' > "$out/bad.s"
expect "bad.s:1:" "$tessera" asm "$out/bad.s" -c "$root/configs/default.json" -o "$out/bad.tsp"
head -c 40 /dev/urandom > "$out/junk.tsp"
expect "junk.tsp" "$tessera" run -p "$out/junk.tsp"
head -c 20 /dev/zero > "$out/raw.bin"
expect "raw.bin" "$tessera" disasm --raw "$out/raw.bin"
"$tessera" asm "$root/examples/dense_relu.s" -c "$root/configs/default.json" -o "$out/ok.tsp" 2>/dev/null
expect "not of the form NAME=FILE.npy" "$tessera" run -p "$out/ok.tsp" -i x
expect "no output named 'q'" "$tessera" run -p "$out/ok.tsp" -i x="$root/examples/dense_relu_x.npy" -o q=/tmp/q.npy
expect "unknown or unavailable backend 'gpu'" "$tessera" run -b gpu -p "$out/ok.tsp" -i x="$root/examples/dense_relu_x.npy"
expect "compiled for config 'default'" "$tessera" run -p "$out/ok.tsp" -c "$root/configs/tiny.json" -i x="$root/examples/dense_relu_x.npy"
expect "differ beyond --max-diff 0" "$tessera" compare "$root/examples/dense_relu_x.npy" "$root/examples/dense_relu_expected.npy"
"$tessera" compare "$root/examples/dense_relu_x.npy" "$root/examples/dense_relu_x.npy" >/dev/null || { echo "FAIL: identical arrays differ"; fail=1; }
[ $fail -eq 0 ] && echo "all bad inputs rejected cleanly"
exit $fail
