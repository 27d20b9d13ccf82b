// Maps DerivedConfig onto the exported parameter names; formulas describe config.cc's derivation.
#include "isa/gen/derived_params.h"

namespace tessera::gen {

std::vector<DerivedParam> derived_params(const DerivedConfig& d) {
  const HwConfig& c = d.hw;
  return {
      {"BATCH", c.batch, "gemm.batch"},
      {"BLOCK_IN", c.block_in, "gemm.block_in"},
      {"BLOCK_OUT", c.block_out, "gemm.block_out"},
      {"DEPTHWISE", c.depthwise, "gemm.depthwise (1: the GEMM core's depthwise mode and the wide input read exist)"},
      {"INP_BITS", c.inp_bits, "datatypes.inp_bits"},
      {"WGT_BITS", c.wgt_bits, "datatypes.wgt_bits"},
      {"ACC_BITS", c.acc_bits, "datatypes.acc_bits"},
      {"OUT_BITS", d.out_bits, "INP_BITS (the output view truncates accumulators to the input width, as VTA)"},
      {"UOP_DEPTH", d.uop.depth, "sram_bytes.uop / UOP_ELEM_BYTES"},
      {"INP_DEPTH", d.inp.depth, "sram_bytes.inp / INP_ELEM_BYTES"},
      {"WGT_DEPTH", d.wgt.depth, "sram_bytes.wgt / WGT_ELEM_BYTES"},
      {"ACC_DEPTH", d.acc.depth, "sram_bytes.acc / ACC_ELEM_BYTES"},
      {"UOP_IDX_BITS", d.uop.idx_bits, "log2(UOP_DEPTH)"},
      {"INP_IDX_BITS", d.inp.idx_bits, "log2(INP_DEPTH)"},
      {"WGT_IDX_BITS", d.wgt.idx_bits, "log2(WGT_DEPTH)"},
      {"ACC_IDX_BITS", d.acc.idx_bits, "log2(ACC_DEPTH)"},
      {"INP_ELEM_BYTES", d.inp.elem_bytes, "BATCH * BLOCK_IN * INP_BITS / 8"},
      {"WGT_ELEM_BYTES", d.wgt.elem_bytes, "BLOCK_OUT * BLOCK_IN * WGT_BITS / 8"},
      {"ACC_ELEM_BYTES", d.acc.elem_bytes, "BATCH * BLOCK_OUT * ACC_BITS / 8"},
      {"OUT_ELEM_BYTES", d.out.elem_bytes, "BATCH * BLOCK_OUT * OUT_BITS / 8 (STORE's DRAM element)"},
      {"ACC8_ELEM_BYTES", d.acc8.elem_bytes, "BATCH * BLOCK_OUT (ACC_8BIT loads: one int8 per accumulator)"},
      {"UOP_ELEM_BYTES", d.uop.elem_bytes, "UOP_BITS / 8"},
      {"INSN_BITS", d.layout.insn_bits, "widest instruction format rounded up to 64 bits, at least 128 (VTA's size)"},
      {"UOP_BITS", d.layout.uop_bits, "sum of the micro-op field widths rounded up to 32 bits"},
      {"SRAM_ADDR_BITS", d.layout.sram_addr_bits, "max(16, largest *_IDX_BITS): the width of sram_base"},
      {"AXI_DATA_BITS", c.dram_bus_bits, "dram.bus_bits"},
      {"AXI_ADDR_BITS", kAxiAddrBits, "64 (full-width DRAM byte addresses)"},
      {"AXI_MAX_BURST_BEATS", c.dram_max_burst_beats, "dram.max_burst_beats"},
      {"AXI_MAX_OUTSTANDING", c.dram_max_outstanding, "dram.max_outstanding"},
      {"CMD_QUEUE_DEPTH", c.command_queue_depth, "queues.command_depth"},
      {"TOKEN_QUEUE_DEPTH", c.token_queue_depth, "queues.token_depth"},
  };
}

}  // namespace tessera::gen
