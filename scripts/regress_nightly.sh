#!/usr/bin/env bash
# The full regression tier (issue #13), for nightly CI: tests/regress/nightly.json against its goldens:
# ResNet-18 at 224x224 as one network on fsim, RTL and SystemC (default) and on the RTL of vta_4x8x8,
# ResNet-18 at 64x64, MobileNetV2 at 96 and 224 (QOperator uint8; QDQ int8 at 224) on default, every
# ResNet-18 and MobileNetV2 layer at full size on default, tiny and vta_4x8x8
# (fsim and RTL), examples/dense_relu.s, and 10,000 lockstep RTL-vs-fsim random programs per config.
# Writes BUILD/regress/nightly.junit.xml and nightly.md; exits non-zero on any failure.
# usage: scripts/regress_nightly.sh [tessera regress options, e.g. --update or --filter X]
#        env BUILD_DIR (default build), JOBS (default: the machine's cores), NO_BUILD=1 to skip the build
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
jobs=${JOBS:-$(nproc)}
[ -n "${NO_BUILD:-}" ] || cmake --build "$build" --target tessera >/dev/null
mkdir -p "$build/regress"
start=$(date +%s)
status=0
"$build/cli/tessera" regress tests/regress/nightly.json --jobs "$jobs" \
  --junit "$build/regress/nightly.junit.xml" --markdown "$build/regress/nightly.md" "$@" || status=$?
echo "nightly tier: $(( $(date +%s) - start )) s wall with --jobs $jobs, exit status $status"
exit $status
