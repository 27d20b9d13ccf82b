#!/usr/bin/env bash
# Yosys synthesis of tessera_top for Xilinx 7-series (synth_xilinx, no IO buffers): writes LUT/FF/DSP/
# BRAM/LUTRAM figures, run time and peak memory as JSON and markdown; --check also fails on figures
# that cannot be right for the config (DSPs below the MAC count, no block RAM, no logic).
#
# usage: scripts/synth.sh [--check] [--quick] --out DIR [--name NAME] PKG_AND_RTL_FILES...
#   --quick stops after DSP and block-RAM mapping (minutes less for big configs): DSP/BRAM figures
#   only, LUT/FF figures are reported as 0.
#   The files are tessera_rtl_sources(<cfg>) in order (generated packages first). For a config by
#   name from a configured build tree:  scripts/synth.sh --config default [--build build] --out DIR
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
check=0 quick=0 out="" name="" cfg="" build="$root/build"
files=()
while [ $# -gt 0 ]; do
  case "$1" in
    --check) check=1; shift ;;
    --quick) quick=1; shift ;;
    --out) out="$2"; shift 2 ;;
    --name) name="$2"; shift 2 ;;
    --config) cfg="$2"; shift 2 ;;
    --build) build="$2"; shift 2 ;;
    -*) echo "synth.sh: unknown option $1" >&2; exit 2 ;;
    *) files+=("$1"); shift ;;
  esac
done
if [ -n "$cfg" ]; then
  gen="$build/gen/$cfg"
  [ -f "$gen/tessera_params_pkg.sv" ] || { echo "synth.sh: no generated packages in $gen (configure $build first)" >&2; exit 2; }
  files=("$gen/tessera_params_pkg.sv" "$gen/tessera_isa_pkg.sv" "$gen/tessera_regs_pkg.sv")
  # the hand-written list, in the order hw/CMakeLists.txt gives it
  while read -r f; do files+=("$root/hw/$f"); done < <(sed -n 's#.*{CMAKE_CURRENT_SOURCE_DIR}/\(\(prim\|rtl\)/[a-z0-9_]*\.sv\)$#\1#p' "$root/hw/CMakeLists.txt")
  name="${name:-$cfg}"
fi
[ -n "$out" ] && [ ${#files[@]} -gt 0 ] || { sed -n '2,/^set -euo/p' "$0" | grep '^#' >&2; exit 2; }
name="${name:-tessera}"
mkdir -p "$out"
params="${files[0]}"
param() { sed -n "s/.*localparam int $1 = \([0-9]*\);.*/\1/p" "$params"; }

log="$out/yosys.log"
run=""
[ $quick = 1 ] && run="-run begin:fine"
start=$(date +%s.%N)
/usr/bin/time -f "%M" -o "$out/rss_kb" yosys -q -l "$log" -p "read_verilog -sv -I$root/hw/prim ${files[*]}; \
  hierarchy -check -top tessera_top; synth_xilinx -family xc7 -top tessera_top -flatten -noiopad $run; \
  tee -o $out/stat.txt stat -tech xilinx" >"$out/yosys.out" 2>&1 ||
  { tail -5 "$out/yosys.out" >&2; echo "synth.sh: yosys failed, see $log" >&2; exit 1; }
secs=$(echo "$(date +%s.%N) - $start" | bc)
rss_mb=$(( $(cat "$out/rss_kb") / 1024 ))

cells() { awk -v re="^($1)\$" '$1 ~ re {n += $2} END {print n + 0}' "$out/stat.txt"; }
luts=$(cells "LUT[1-6]")
ffs=$(cells "FD[A-Z]*")
dsps=$(cells "DSP48E1")
bram36=$(cells "RAMB36E1")
bram18=$(cells "RAMB18E1")
lutram=$(cells "RAM[0-9]+[A-Z0-9]*")
carry=$(cells "CARRY4")
lcs=$(sed -n 's/.*Estimated number of LCs: *\([0-9]*\).*/\1/p' "$out/stat.txt" | tail -1)
macs=$(( $(param BATCH) * $(param BLOCK_IN) * $(param BLOCK_OUT) ))

cat > "$out/area.json" <<JSON
{"config": "$name", "macs": $macs, "luts": $luts, "ffs": $ffs, "dsp48e1": $dsps, "ramb36e1": $bram36,
 "ramb18e1": $bram18, "lutram_cells": $lutram, "carry4": $carry, "estimated_lcs": ${lcs:-0},
 "yosys_seconds": $secs, "yosys_peak_rss_mb": $rss_mb, "quick": $([ $quick = 1 ] && echo true || echo false)}
JSON
cat > "$out/area.md" <<MD
| config | MACs | LUTs | FFs | DSP48E1 | RAMB36E1 | RAMB18E1 | LUTRAM cells | est. LCs | Yosys time | peak RSS |
|---|---|---|---|---|---|---|---|---|---|---|
| $name | $macs | $luts | $ffs | $dsps | $bram36 | $bram18 | $lutram | ${lcs:-?} | $(printf %.0f "$secs") s | $rss_mb MB |
MD
cat "$out/area.md"

if [ $check = 1 ]; then
  fail() { echo "synth.sh: implausible figures for $name: $1" >&2; exit 1; }
  [ "$dsps" -ge "$macs" ] || fail "$dsps DSP48E1 for $macs int8 MACs (each MAC should map to a DSP)"
  [ $(( bram36 + bram18 )) -gt 0 ] || fail "no block RAM inferred for the SRAMs"
  [ $quick = 1 ] || { [ "$luts" -gt 0 ] && [ "$ffs" -gt 0 ]; } || fail "no logic left ($luts LUTs, $ffs FFs)"
fi
