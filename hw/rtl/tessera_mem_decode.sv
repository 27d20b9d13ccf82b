// Field extraction of the LOAD/STORE (MEM) instruction format, positions from tessera_isa_pkg.
module tessera_mem_decode (
  input  logic [tessera_params_pkg::INSN_BITS-1:0]          insn_i,
  output logic [tessera_isa_pkg::MEM_MEMORY_TYPE_W-1:0]     mem_type_o,
  output logic [tessera_isa_pkg::MEM_SRAM_BASE_W-1:0]       sram_base_o,
  output logic [tessera_isa_pkg::MEM_DRAM_BASE_W-1:0]       dram_base_o,
  output logic [tessera_isa_pkg::MEM_Y_SIZE_W-1:0]          y_size_o,
  output logic [tessera_isa_pkg::MEM_X_SIZE_W-1:0]          x_size_o,
  output logic [tessera_isa_pkg::MEM_X_STRIDE_W-1:0]        x_stride_o,
  output logic [tessera_isa_pkg::MEM_Y_PAD_0_W-1:0]         y_pad_0_o,
  output logic [tessera_isa_pkg::MEM_Y_PAD_1_W-1:0]         y_pad_1_o,
  output logic [tessera_isa_pkg::MEM_X_PAD_0_W-1:0]         x_pad_0_o,
  output logic [tessera_isa_pkg::MEM_X_PAD_1_W-1:0]         x_pad_1_o
);
  // The header is decoded by the sequencers and spare bits are reserved; only the fields matter here.
  logic unused_insn;
  assign unused_insn = ^insn_i;

  assign mem_type_o  = insn_i[tessera_isa_pkg::MEM_MEMORY_TYPE_LSB +: tessera_isa_pkg::MEM_MEMORY_TYPE_W];
  assign sram_base_o = insn_i[tessera_isa_pkg::MEM_SRAM_BASE_LSB +: tessera_isa_pkg::MEM_SRAM_BASE_W];
  assign dram_base_o = insn_i[tessera_isa_pkg::MEM_DRAM_BASE_LSB +: tessera_isa_pkg::MEM_DRAM_BASE_W];
  assign y_size_o    = insn_i[tessera_isa_pkg::MEM_Y_SIZE_LSB +: tessera_isa_pkg::MEM_Y_SIZE_W];
  assign x_size_o    = insn_i[tessera_isa_pkg::MEM_X_SIZE_LSB +: tessera_isa_pkg::MEM_X_SIZE_W];
  assign x_stride_o  = insn_i[tessera_isa_pkg::MEM_X_STRIDE_LSB +: tessera_isa_pkg::MEM_X_STRIDE_W];
  assign y_pad_0_o   = insn_i[tessera_isa_pkg::MEM_Y_PAD_0_LSB +: tessera_isa_pkg::MEM_Y_PAD_0_W];
  assign y_pad_1_o   = insn_i[tessera_isa_pkg::MEM_Y_PAD_1_LSB +: tessera_isa_pkg::MEM_Y_PAD_1_W];
  assign x_pad_0_o   = insn_i[tessera_isa_pkg::MEM_X_PAD_0_LSB +: tessera_isa_pkg::MEM_X_PAD_0_W];
  assign x_pad_1_o   = insn_i[tessera_isa_pkg::MEM_X_PAD_1_LSB +: tessera_isa_pkg::MEM_X_PAD_1_W];
endmodule
