#!/usr/bin/env bash
# Design-space sweep (docs/sweep.md): builds tessera and runs `tessera sweep SPEC` into BUILD/sweep/<spec
# name>/ (results.jsonl, results.csv, pareto.json, report.html), then verifies the points the spec's
# /verify chooses on the RTL models built into the binary. Extra arguments go to `tessera sweep`
# (e.g. --resume, --jobs 4, --no-layer-details).
# usage: scripts/sweep.sh [--build DIR] [SPEC.json] [tessera sweep options]   (default: docs/sweep/example.json)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build" spec="$root/docs/sweep/example.json"
if [[ "${1:-}" == "--build" ]]; then build="$2"; shift 2; fi
if [[ $# -gt 0 && "$1" != -* ]]; then spec="$1"; shift; fi
[[ -f "$spec" ]] || { echo "sweep.sh: no spec $spec" >&2; exit 2; }
if [[ ! -f "$build/build.ninja" ]]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
fi
cmake --build "$build" --target tessera -j2 >/dev/null
name=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1])).get('name', 'sweep'))" "$spec")
"$build/cli/tessera" sweep "$spec" -o "$build/sweep/$name" --jobs 2 --verify "$@"
