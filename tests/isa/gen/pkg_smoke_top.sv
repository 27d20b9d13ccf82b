// Smallest design that uses all three generated packages the way the RTL does (pkg::NAME, no import).
module pkg_smoke_top (
  input  logic [tessera_params_pkg::INSN_BITS-1:0]     insn_i,
  output logic [tessera_isa_pkg::OPCODE_W-1:0]         opcode_o,
  output logic                                         is_alu_o,
  output logic [tessera_isa_pkg::ALU_IMM_W-1:0]        imm_o,
  output logic                                         parity_o,
  output logic [63:0]                                  hash_o,
  output logic [tessera_regs_pkg::REGS_ADDR_BITS-1:0]  ctrl_addr_o
);
  assign opcode_o    = insn_i[tessera_isa_pkg::ALU_OPCODE_LSB +: tessera_isa_pkg::OPCODE_W];
  assign is_alu_o    = opcode_o == tessera_isa_pkg::OPC_ALU;
  assign imm_o       = insn_i[tessera_isa_pkg::ALU_IMM_LSB +: tessera_isa_pkg::ALU_IMM_W];
  assign parity_o    = ^insn_i;
  assign hash_o      = tessera_params_pkg::CONFIG_HASH;
  assign ctrl_addr_o = tessera_regs_pkg::REGS_ADDR_BITS'(tessera_regs_pkg::REG_CTRL_OFFSET);
endmodule
