#!/usr/bin/env bash
# Runs N constrained-random programs (default 10000) through RTL-vs-fsim lockstep co-simulation on
# each config given (default: default tiny vta_4x8x8), from seed S. Needs a build with tessera_cosim_random.
# Usage: scripts/cosim_random.sh [N] [SEED] [CONFIG...]     env BUILD_DIR (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
seed=${2:-1}
shift $(( $# > 2 ? 2 : $# ))
configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(default tiny vta_4x8x8)
build=${BUILD_DIR:-build}
cmake --build "$build" --target tessera_cosim_random >/dev/null
status=0
for cfg in "${configs[@]}"; do
  "$build/sim/cosim/tessera_cosim_random" --config "$cfg" --seed "$seed" --count "$n" --keep-going || status=1
done
exit $status
