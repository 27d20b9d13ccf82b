#!/bin/sh
# The instruction header is handled in one place (issue #14): every unit sequences its commands through
# tessera_unit_seq, and no other RTL file registers a queue head, decodes the token flags or keeps
# token bookkeeping of its own. usage: one_sequencer.sh HW_RTL_DIR
set -u
dir=$1
status=0
for unit in tessera_load tessera_store tessera_compute; do
  grep -q '^ *tessera_unit_seq ' "$dir/$unit.sv" || { echo "$unit.sv does not use tessera_unit_seq"; status=1; }
done
for pattern in '<= *cmd_insn_i' '\[tessera_isa_pkg::FINISH_P\(OP\|USH\)_\(PREV\|NEXT\)_LSB' '^ *tessera_token_ctrl '; do
  others=$(grep -l "$pattern" "$dir"/*.sv | grep -v '/tessera_unit_seq\.sv$')
  [ -z "$others" ] || { echo "'$pattern' outside tessera_unit_seq.sv: $(echo $others | xargs -n1 basename)"; status=1; }
done
[ $status = 0 ] && echo "one sequencer: load, store and compute share tessera_unit_seq"
exit $status
