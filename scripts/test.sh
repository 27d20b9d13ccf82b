#!/usr/bin/env bash
# The whole test suite from a fresh Debian 12 machine: set up, build, run every ctest test.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
ctest --test-dir "$root/build" --output-on-failure -j"$(nproc)" "$@"
