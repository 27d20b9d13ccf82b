#!/usr/bin/env bash
# How Yosys maps one tessera_sram to block RAM: synth_xilinx -family xc7 of the SRAM alone (up to the
# memory mapping, -run begin:fine) for each width x depth, printing "width depth RAMB36 RAMB18 LUTRAM
# cells". tests/sweep/bram_grid.inc holds its output as recorded (Yosys 0.23); the area model's block-RAM
# rule (sweep/area_model.cc, map_memory) is checked against it (test SweepArea.BramRuleMatchesYosysOnSramGrid).
# A few seconds per memory; hold the build lock on a shared machine:
#   flock /tmp/tessera-build.lock bench/sweep/bram_grid.sh [WIDTHS] [DEPTHS] > grid.txt
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
widths=${1:-"8 9 16 18 32 36"} depths=${2:-"16 32 64 128 256 512 1024 2048 4096 8192 16384"}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for w in $widths; do
  for d in $depths; do
    yosys -q -p "read_verilog -sv -I$root/hw/prim $root/hw/rtl/tessera_sram.sv; chparam -set Width $w -set Depth $d tessera_sram; \
      hierarchy -top tessera_sram; synth_xilinx -family xc7 -top tessera_sram -flatten -noiopad -run begin:fine; \
      tee -q -o $tmp/stat.txt stat" > /dev/null 2>&1
    c() { awk -v re="^($1)\$" '$1 ~ re {n += $2} END {print n + 0}' "$tmp/stat.txt"; }
    echo "$w $d $(c 'RAMB36E1|\$__XILINX_RAMB36.*') $(c 'RAMB18E1|\$__XILINX_RAMB18.*') $(c 'RAM[0-9]+[A-Z0-9]*|\$__XILINX_LUTRAM.*')"
  done
done
