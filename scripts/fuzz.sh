#!/usr/bin/env bash
# Runs the libFuzzer targets: scripts/fuzz.sh [seconds per target, default 300] [target ...] (default: all).
# Env: BUILD_DIR (default <repo>/build), TESSERA_FUZZ_BIN (directory of fuzz_* binaries, default
# $BUILD_DIR/tests/fuzz/build), TESSERA_FUZZ_WORK (growing corpora, logs and crash artifacts),
# TESSERA_FUZZ_SEED (fixed seed and a fresh corpus: what ctest -L fuzz uses; default random, corpus kept).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
secs="${1:-300}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(config asm program npy onnx_network)
build="${BUILD_DIR:-$root/build}"
bin="${TESSERA_FUZZ_BIN:-$build/tests/fuzz/build}"
work="${TESSERA_FUZZ_WORK:-$build/tests/fuzz/work}"

if [ -z "${TESSERA_FUZZ_BIN:-}" ]; then
  cmake --build "$build" --target tessera_fuzzers >/dev/null
fi

status=0
for t in "${targets[@]}"; do
  exe="$bin/fuzz_$t"
  if [ ! -x "$exe" ]; then
    echo "fuzz.sh: $exe not found (build the tessera_fuzzers target)" >&2
    exit 2
  fi
  seeds=("$root/tests/fuzz/corpus/$t")
  [ "$t" = config ] && seeds+=("$root/configs")
  args=(-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$work/$t/artifacts/")
  if [ -n "${TESSERA_FUZZ_SEED:-}" ]; then
    args+=(-seed="$TESSERA_FUZZ_SEED")
    rm -rf "$work/$t/corpus"  # a fixed seed is only reproducible from the checked-in seeds alone
  fi
  mkdir -p "$work/$t/corpus" "$work/$t/artifacts"
  log="$work/$t/log"
  if "$exe" "${args[@]}" "$work/$t/corpus" "${seeds[@]}" >"$log" 2>&1; then
    echo "fuzz_$t: ok, $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$') runs in ${secs}s, corpus $(ls "$work/$t/corpus" | wc -l) new units"
  else
    echo "fuzz_$t: FAILED (log $log; reproducer in $work/$t/artifacts/)" >&2
    grep -E -A40 'ERROR: |runtime error|==[0-9]+==|deadly signal|Test unit written' "$log" | head -80 >&2 || tail -60 "$log" >&2
    status=1
  fi
done
exit $status
