// Compute unit: LOAD of UOP/ACC/ACC_8BIT, GEMM, ALU and FINISH, with the micro-op, accumulator and
// output SRAMs. See hw/rtl/README.md for the pipeline and the hazard policy.
//
// Pipeline, one op per cycle, never stalled once issued:
//   I  issuer emits (k, offsets); uop SRAM read of k
//   R  d/s/w = micro-op fields + offsets; INP and WGT SRAM reads
//   M  GEMM dot products (registered); ACC read of d (or of s for a vector ALU source slot)
//   W  ACC result written to acc[d] and, truncated, to out[d]
// The ACC read of an op happens in the cycle the op ahead of it writes, so W forwards the previous
// cycle's write when the addresses match: every micro-op stream is exact without stalls.
`include "tessera_assert.svh"

module tessera_compute (
  input  logic                                                  clk_i,
  input  logic                                                  rst_ni,
  input  logic [63:0]                                           data_addr_i,
  // command queue head
  input  logic                                                  cmd_valid_i,
  input  logic [tessera_params_pkg::INSN_BITS-1:0]              cmd_insn_i,
  input  logic [31:0]                                           cmd_idx_i,
  output logic                                                  cmd_pop_o,
  // tokens: prev = load (l2g in, g2l out), next = store (s2g in, g2s out)
  input  logic                                                  prev_avail_i,
  input  logic                                                  next_avail_i,
  input  logic                                                  prev_space_i,
  input  logic                                                  next_space_i,
  output logic                                                  pop_prev_o,
  output logic                                                  pop_next_o,
  output logic                                                  push_prev_o,
  output logic                                                  push_next_o,
  // AXI read
  output logic                                                  ar_valid_o,
  input  logic                                                  ar_ready_i,
  output logic [63:0]                                           ar_addr_o,
  output logic [7:0]                                            ar_len_o,
  input  logic                                                  r_valid_i,
  input  logic [tessera_params_pkg::AXI_DATA_BITS-1:0]          r_data_i,
  output logic                                                  r_ready_o,
  // INP/WGT SRAM read ports (the SRAMs live in the load unit)
  output logic [tessera_params_pkg::INP_IDX_BITS-1:0]           inp_raddr_o,
  input  logic [tessera_params_pkg::INP_ELEM_BYTES*8-1:0]       inp_rdata_i,
  output logic [tessera_params_pkg::WGT_IDX_BITS-1:0]           wgt_raddr_o,
  input  logic [tessera_params_pkg::WGT_ELEM_BYTES*8-1:0]       wgt_rdata_i,
  // OUT SRAM read port (for the store unit)
  input  logic [tessera_params_pkg::ACC_IDX_BITS-1:0]           out_raddr_i,
  output logic [tessera_params_pkg::OUT_ELEM_BYTES*8-1:0]       out_rdata_o,
  // observation
  output logic                                                  busy_o,
  output logic                                                  stall_o,
  output logic                                                  retire_o,
  output logic [31:0]                                           retire_idx_o,
  output logic [3:0]                                            wait_o,
  output logic                                                  idle_o,
  output logic                                                  finish_o,
  output logic                                                  gemm_uop_o,
  output logic                                                  alu_uop_o
);
  localparam int InsnBits = tessera_params_pkg::INSN_BITS;
  localparam int Lanes    = tessera_params_pkg::BATCH * tessera_params_pkg::BLOCK_OUT;
  localparam int AccBits  = tessera_params_pkg::ACC_BITS;
  localparam int OutBits  = tessera_params_pkg::OUT_BITS;
  localparam int AccW     = Lanes * AccBits;
  localparam int OutW     = Lanes * OutBits;
  localparam int AccIdx   = tessera_params_pkg::ACC_IDX_BITS;
  localparam int InpIdx   = tessera_params_pkg::INP_IDX_BITS;
  localparam int WgtIdx   = tessera_params_pkg::WGT_IDX_BITS;
  localparam int UopIdx   = tessera_params_pkg::UOP_IDX_BITS;
  localparam int SrcBits  = tessera_isa_pkg::UOP_SRC_W;
  localparam int ImmW     = tessera_isa_pkg::ALU_IMM_W;
  // op tag: {idx, tail_retire, use_imm, imm, alu_op, reset, is_alu}
  localparam int TagBits  = 32 + 1 + 1 + ImmW + 3 + 1 + 1;

  `TESSERA_STATIC_ASSERT(g_acc_elem, tessera_params_pkg::ACC_ELEM_BYTES * 8 == AccW,
                         "tessera_compute: ACC element size disagrees with BATCH*BLOCK_OUT*ACC_BITS")
  `TESSERA_STATIC_ASSERT(g_acc8_elem, tessera_params_pkg::ACC8_ELEM_BYTES == Lanes,
                         "tessera_compute: an ACC_8BIT element must hold one byte per lane")
  `TESSERA_STATIC_ASSERT(g_uop_elem, tessera_params_pkg::UOP_ELEM_BYTES * 8 == tessera_params_pkg::UOP_BITS,
                         "tessera_compute: UOP element size disagrees with UOP_BITS")
  `TESSERA_STATIC_ASSERT(g_uop_fields, tessera_isa_pkg::UOP_DST_W == AccIdx &&
                         tessera_isa_pkg::UOP_WGT_W == WgtIdx && SrcBits >= InpIdx && SrcBits >= AccIdx,
                         "tessera_compute: micro-op field widths disagree with the SRAM index widths")

  // ---- sequencer (tessera_unit_seq, shared with load and store) and the phases of its SExec ------
  //   PLdWait  LOAD of UOP/ACC/ACC_8BIT waiting for the pipeline to drain, PLoad its engine running,
  //   PLoop    GEMM/ALU micro-ops issuing (the next queued GEMM/ALU may chain in), PDrain waiting for
  //            the pipeline before the push phase (FINISH, empty loops, pushing GEMM/ALU)
  typedef enum logic [1:0] {PLdWait, PLoad, PLoop, PDrain} phase_e;
  phase_e phase_q, phase_d;
  logic [InsnBits-1:0] cur_insn_q, dec_insn;
  logic [31:0] cur_idx_q, dec_idx;
  logic from_head;
  logic seq_start, seq_exec, seq_done, seq_end, seq_chain, seq_head_ready, seq_head_pushes, seq_pushes, seq_bus_wait;
  logic seq_retire, seq_stall, seq_idle;

  tessera_unit_seq u_seq (
    .clk_i, .rst_ni,
    .cmd_valid_i, .cmd_insn_i, .cmd_idx_i, .cmd_pop_o,
    .prev_avail_i, .next_avail_i, .prev_space_i, .next_space_i,
    .pop_prev_o, .pop_next_o, .push_prev_o, .push_next_o,
    .start_o(seq_start), .exec_o(seq_exec), .insn_o(cur_insn_q), .done_i(seq_done), .end_i(seq_end),
    .chain_i(seq_chain), .head_pops_ready_o(seq_head_ready), .head_pushes_o(seq_head_pushes),
    .pushes_o(seq_pushes), .bus_wait_i(seq_bus_wait),
    .busy_o(), .stall_o(seq_stall), .retire_o(seq_retire), .retire_idx_o(cur_idx_q), .wait_o, .idle_o(seq_idle)
  );

  // ---- instruction decode (current instruction, or the queue head for back-to-back issue) -------
  assign from_head = seq_exec && phase_q == PLoop;
  assign dec_insn  = from_head ? cmd_insn_i : cur_insn_q;
  assign dec_idx   = from_head ? cmd_idx_i : cur_idx_q;

  logic [2:0] dec_opcode, dec_alu_op;
  logic dec_is_alu, dec_is_loop, dec_reset, dec_use_imm, dec_empty, dec_pushes;
  logic [UopIdx-1:0] dec_bgn;
  logic [UopIdx:0] dec_end;
  logic [13:0] dec_iter_out, dec_iter_in;
  logic [AccIdx-1:0] dec_dst_fo, dec_dst_fi;
  logic [SrcBits-1:0] dec_src_fo, dec_src_fi;
  logic [WgtIdx-1:0] dec_wgt_fo, dec_wgt_fi;
  logic [ImmW-1:0] dec_imm;

  assign dec_opcode  = dec_insn[tessera_isa_pkg::FINISH_OPCODE_LSB +: tessera_isa_pkg::FINISH_OPCODE_W];
  assign dec_is_alu  = dec_opcode == tessera_isa_pkg::OPC_ALU;
  assign dec_is_loop = dec_is_alu || dec_opcode == tessera_isa_pkg::OPC_GEMM;
  assign dec_pushes  = from_head ? seq_head_pushes : seq_pushes;
  always_comb begin
    if (dec_is_alu) begin
      dec_reset    = dec_insn[tessera_isa_pkg::ALU_RESET_LSB];
      dec_bgn      = dec_insn[tessera_isa_pkg::ALU_UOP_BGN_LSB +: UopIdx];
      dec_end      = dec_insn[tessera_isa_pkg::ALU_UOP_END_LSB +: UopIdx + 1];
      dec_iter_out = dec_insn[tessera_isa_pkg::ALU_ITER_OUT_LSB +: 14];
      dec_iter_in  = dec_insn[tessera_isa_pkg::ALU_ITER_IN_LSB +: 14];
      dec_dst_fo   = dec_insn[tessera_isa_pkg::ALU_DST_FACTOR_OUT_LSB +: AccIdx];
      dec_dst_fi   = dec_insn[tessera_isa_pkg::ALU_DST_FACTOR_IN_LSB +: AccIdx];
      dec_src_fo   = SrcBits'(dec_insn[tessera_isa_pkg::ALU_SRC_FACTOR_OUT_LSB +: AccIdx]);
      dec_src_fi   = SrcBits'(dec_insn[tessera_isa_pkg::ALU_SRC_FACTOR_IN_LSB +: AccIdx]);
      dec_wgt_fo   = '0;
      dec_wgt_fi   = '0;
    end else begin
      dec_reset    = dec_insn[tessera_isa_pkg::GEMM_RESET_LSB];
      dec_bgn      = dec_insn[tessera_isa_pkg::GEMM_UOP_BGN_LSB +: UopIdx];
      dec_end      = dec_insn[tessera_isa_pkg::GEMM_UOP_END_LSB +: UopIdx + 1];
      dec_iter_out = dec_insn[tessera_isa_pkg::GEMM_ITER_OUT_LSB +: 14];
      dec_iter_in  = dec_insn[tessera_isa_pkg::GEMM_ITER_IN_LSB +: 14];
      dec_dst_fo   = dec_insn[tessera_isa_pkg::GEMM_DST_FACTOR_OUT_LSB +: AccIdx];
      dec_dst_fi   = dec_insn[tessera_isa_pkg::GEMM_DST_FACTOR_IN_LSB +: AccIdx];
      dec_src_fo   = SrcBits'(dec_insn[tessera_isa_pkg::GEMM_SRC_FACTOR_OUT_LSB +: InpIdx]);
      dec_src_fi   = SrcBits'(dec_insn[tessera_isa_pkg::GEMM_SRC_FACTOR_IN_LSB +: InpIdx]);
      dec_wgt_fo   = dec_insn[tessera_isa_pkg::GEMM_WGT_FACTOR_OUT_LSB +: WgtIdx];
      dec_wgt_fi   = dec_insn[tessera_isa_pkg::GEMM_WGT_FACTOR_IN_LSB +: WgtIdx];
    end
  end
  assign dec_alu_op  = dec_insn[tessera_isa_pkg::ALU_ALU_OPCODE_LSB +: 3];
  assign dec_use_imm = dec_insn[tessera_isa_pkg::ALU_USE_IMM_LSB];
  assign dec_imm     = dec_insn[tessera_isa_pkg::ALU_IMM_LSB +: ImmW];
  assign dec_empty   = (UopIdx+1)'(dec_bgn) >= dec_end || dec_iter_out == '0 || dec_iter_in == '0;

  logic [2:0] cur_opcode;
  assign cur_opcode = cur_insn_q[tessera_isa_pkg::FINISH_OPCODE_LSB +: tessera_isa_pkg::FINISH_OPCODE_W];

  // ---- LOAD engines: UOP, ACC and ACC_8BIT -----------------------------------------------------
  logic [tessera_isa_pkg::MEM_MEMORY_TYPE_W-1:0] ld_mem_type;
  logic [tessera_isa_pkg::MEM_SRAM_BASE_W-1:0] ld_sram_base;
  logic [tessera_isa_pkg::MEM_DRAM_BASE_W-1:0] ld_dram_base;
  logic [tessera_isa_pkg::MEM_Y_SIZE_W-1:0] ld_y_size;
  logic [tessera_isa_pkg::MEM_X_SIZE_W-1:0] ld_x_size;
  logic [tessera_isa_pkg::MEM_X_STRIDE_W-1:0] ld_x_stride;
  logic [tessera_isa_pkg::MEM_Y_PAD_0_W-1:0] ld_y_pad_0;
  logic [tessera_isa_pkg::MEM_Y_PAD_1_W-1:0] ld_y_pad_1;
  logic [tessera_isa_pkg::MEM_X_PAD_0_W-1:0] ld_x_pad_0;
  logic [tessera_isa_pkg::MEM_X_PAD_1_W-1:0] ld_x_pad_1;

  tessera_mem_decode u_mem_decode (
    .insn_i     (cur_insn_q),
    .mem_type_o (ld_mem_type),
    .sram_base_o(ld_sram_base),
    .dram_base_o(ld_dram_base),
    .y_size_o   (ld_y_size),
    .x_size_o   (ld_x_size),
    .x_stride_o (ld_x_stride),
    .y_pad_0_o  (ld_y_pad_0),
    .y_pad_1_o  (ld_y_pad_1),
    .x_pad_0_o  (ld_x_pad_0),
    .x_pad_1_o  (ld_x_pad_1)
  );

  // engine e: 0 UOP, 1 ACC, 2 ACC_8BIT
  logic [2:0] ld_sel, ld_start, ld_done, ld_bus_wait, ld_ar_valid, ld_r_ready, ld_we;
  logic [3*64-1:0] ld_ar_addr;  // engine e at [64e +: 64]
  logic [3*8-1:0] ld_ar_len;
  logic [UopIdx-1:0] uop_ld_waddr;
  logic [AccIdx-1:0] acc_ld_waddr, acc8_ld_waddr;
  logic [tessera_params_pkg::UOP_BITS-1:0] uop_ld_wdata;
  logic [AccW-1:0] acc_ld_wdata;
  logic [Lanes*8-1:0] acc8_ld_wdata;
  logic ld_start_any;

  assign ld_sel = {ld_mem_type == tessera_isa_pkg::MEM_ACC_8BIT, ld_mem_type == tessera_isa_pkg::MEM_ACC,
                   ld_mem_type == tessera_isa_pkg::MEM_UOP};
  assign ld_start = ld_start_any ? ld_sel : 3'b000;

  tessera_load_2d #(.ElemBytes(tessera_params_pkg::UOP_ELEM_BYTES), .IdxBits(UopIdx)) u_uop_load (
    .clk_i, .rst_ni,
    .start_i(ld_start[0]), .data_addr_i,
    .sram_base_i(UopIdx'(ld_sram_base)), .dram_base_i(ld_dram_base), .y_size_i(ld_y_size),
    .x_size_i(ld_x_size), .x_stride_i(ld_x_stride), .y_pad_0_i(ld_y_pad_0), .y_pad_1_i(ld_y_pad_1),
    .x_pad_0_i(ld_x_pad_0), .x_pad_1_i(ld_x_pad_1),
    .done_o(ld_done[0]), .bus_wait_o(ld_bus_wait[0]),
    .ar_valid_o(ld_ar_valid[0]), .ar_ready_i(ar_ready_i && ld_sel[0]), .ar_addr_o(ld_ar_addr[0 +: 64]),
    .ar_len_o(ld_ar_len[0 +: 8]), .r_valid_i(r_valid_i && ld_sel[0]), .r_data_i, .r_ready_o(ld_r_ready[0]),
    .we_o(ld_we[0]), .waddr_o(uop_ld_waddr), .wdata_o(uop_ld_wdata)
  );

  tessera_load_2d #(.ElemBytes(tessera_params_pkg::ACC_ELEM_BYTES), .IdxBits(AccIdx)) u_acc_load (
    .clk_i, .rst_ni,
    .start_i(ld_start[1]), .data_addr_i,
    .sram_base_i(AccIdx'(ld_sram_base)), .dram_base_i(ld_dram_base), .y_size_i(ld_y_size),
    .x_size_i(ld_x_size), .x_stride_i(ld_x_stride), .y_pad_0_i(ld_y_pad_0), .y_pad_1_i(ld_y_pad_1),
    .x_pad_0_i(ld_x_pad_0), .x_pad_1_i(ld_x_pad_1),
    .done_o(ld_done[1]), .bus_wait_o(ld_bus_wait[1]),
    .ar_valid_o(ld_ar_valid[1]), .ar_ready_i(ar_ready_i && ld_sel[1]), .ar_addr_o(ld_ar_addr[64 +: 64]),
    .ar_len_o(ld_ar_len[8 +: 8]), .r_valid_i(r_valid_i && ld_sel[1]), .r_data_i, .r_ready_o(ld_r_ready[1]),
    .we_o(ld_we[1]), .waddr_o(acc_ld_waddr), .wdata_o(acc_ld_wdata)
  );

  tessera_load_2d #(.ElemBytes(tessera_params_pkg::ACC8_ELEM_BYTES), .IdxBits(AccIdx)) u_acc8_load (
    .clk_i, .rst_ni,
    .start_i(ld_start[2]), .data_addr_i,
    .sram_base_i(AccIdx'(ld_sram_base)), .dram_base_i(ld_dram_base), .y_size_i(ld_y_size),
    .x_size_i(ld_x_size), .x_stride_i(ld_x_stride), .y_pad_0_i(ld_y_pad_0), .y_pad_1_i(ld_y_pad_1),
    .x_pad_0_i(ld_x_pad_0), .x_pad_1_i(ld_x_pad_1),
    .done_o(ld_done[2]), .bus_wait_o(ld_bus_wait[2]),
    .ar_valid_o(ld_ar_valid[2]), .ar_ready_i(ar_ready_i && ld_sel[2]), .ar_addr_o(ld_ar_addr[128 +: 64]),
    .ar_len_o(ld_ar_len[16 +: 8]), .r_valid_i(r_valid_i && ld_sel[2]), .r_data_i, .r_ready_o(ld_r_ready[2]),
    .we_o(ld_we[2]), .waddr_o(acc8_ld_waddr), .wdata_o(acc8_ld_wdata)
  );

  always_comb begin
    ar_valid_o = 1'b0;
    ar_addr_o  = '0;
    ar_len_o   = '0;
    r_ready_o  = 1'b0;
    for (int e = 0; e < 3; e++) begin
      if (ld_sel[e]) begin
        ar_valid_o = ld_ar_valid[e];
        ar_addr_o  = ld_ar_addr[e*64 +: 64];
        ar_len_o   = ld_ar_len[e*8 +: 8];
        r_ready_o  = ld_r_ready[e];
      end
    end
  end

  // ---- micro-op issue and pipeline -------------------------------------------------------------
  logic issue_start, issue_active, op_valid, op_exec, op_last;
  logic [UopIdx-1:0] op_uop;
  logic [AccIdx-1:0] op_dst_off;
  logic [SrcBits-1:0] op_src_off;
  logic [WgtIdx-1:0] op_wgt_off;
  logic [TagBits-1:0] dec_tag, op_tag;

  assign dec_tag = {dec_idx, !dec_pushes, dec_use_imm, dec_imm, dec_alu_op, dec_reset, dec_is_alu};

  tessera_uop_issue #(.TagBits(TagBits), .SrcBits(SrcBits)) u_issue (
    .clk_i, .rst_ni,
    .start_i     (issue_start),
    .two_slot_i  (dec_is_alu && !dec_use_imm && !dec_reset),
    .uop_bgn_i   (dec_bgn),
    .uop_end_i   (dec_end),
    .iter_out_i  (dec_iter_out),
    .iter_in_i   (dec_iter_in),
    .dst_fo_i    (dec_dst_fo),
    .dst_fi_i    (dec_dst_fi),
    .src_fo_i    (dec_src_fo),
    .src_fi_i    (dec_src_fi),
    .wgt_fo_i    (dec_wgt_fo),
    .wgt_fi_i    (dec_wgt_fi),
    .tag_i       (dec_tag),
    .active_o    (issue_active),
    .op_valid_o  (op_valid),
    .op_uop_o    (op_uop),
    .op_dst_off_o(op_dst_off),
    .op_src_off_o(op_src_off),
    .op_wgt_off_o(op_wgt_off),
    .op_exec_o   (op_exec),
    .op_last_o   (op_last),
    .op_tag_o    (op_tag)
  );

  // Stage R registers
  logic r_valid_q, r_exec_q, r_last_q;
  logic [AccIdx-1:0] r_dst_off_q;
  logic [SrcBits-1:0] r_src_off_q;
  logic [WgtIdx-1:0] r_wgt_off_q;
  logic [TagBits-1:0] r_tag_q;
  logic [tessera_params_pkg::UOP_BITS-1:0] uop_rdata;
  logic [AccIdx-1:0] r_dst;
  logic [SrcBits-1:0] r_src;
  logic [WgtIdx-1:0] r_wgt;

  // A micro-op is padded to UOP_BITS; the padding bits carry nothing.
  logic unused_uop_padding;
  assign unused_uop_padding = ^uop_rdata;

  assign r_dst = uop_rdata[tessera_isa_pkg::UOP_DST_LSB +: AccIdx] + r_dst_off_q;
  assign r_src = uop_rdata[tessera_isa_pkg::UOP_SRC_LSB +: SrcBits] + r_src_off_q;
  assign r_wgt = uop_rdata[tessera_isa_pkg::UOP_WGT_LSB +: WgtIdx] + r_wgt_off_q;
  assign inp_raddr_o = InpIdx'(r_src);
  assign wgt_raddr_o = r_wgt;

  // Stage M registers
  logic m_valid_q, m_exec_q, m_last_q;
  logic [AccIdx-1:0] m_dst_q, m_src_q;
  logic [TagBits-1:0] m_tag_q;
  logic [AccIdx-1:0] acc_raddr;
  logic m_is_gemm;
  logic [AccW-1:0] w_sum_q;

  // The registered dot products are the stage-W sum (only GEMM ops that accumulate compute them).
  assign m_is_gemm = m_valid_q && !m_tag_q[0] && !m_tag_q[1];
  tessera_gemm_core u_gemm (
    .clk_i,
    .en_i (m_is_gemm),
    .inp_i(inp_rdata_i),
    .wgt_i(wgt_rdata_i),
    .sum_q(w_sum_q)
  );
  assign acc_raddr = m_exec_q ? m_dst_q : m_src_q;

  // Stage W registers
  logic w_valid_q, w_exec_q, w_last_q;
  logic [AccIdx-1:0] w_dst_q, w_rd_addr_q, src_addr_q;
  logic [TagBits-1:0] w_tag_q;
  logic [AccW-1:0] acc_rdata, acc_fwd, alu_b, alu_y, w_result, src_operand_q;
  logic w_is_alu, w_reset, w_use_imm, w_tail_retire, w_write;
  logic [2:0] w_alu_op;
  logic [ImmW-1:0] w_imm;
  logic [31:0] w_idx;
  logic last_we_q;
  logic [AccIdx-1:0] last_waddr_q;
  logic [AccW-1:0] last_wdata_q;

  assign {w_idx, w_tail_retire, w_use_imm, w_imm, w_alu_op, w_reset, w_is_alu} = w_tag_q;
  assign acc_fwd = (last_we_q && last_waddr_q == w_rd_addr_q) ? last_wdata_q : acc_rdata;
  assign alu_b   = w_use_imm ? {Lanes{AccBits'($signed(w_imm))}} : src_operand_q;

  // MULHR shifts by 15 for a Q15 immediate, else by 31 + imm (imm 0..31; larger values are illegal);
  // REQ (vector operand only) shifts by 31 + imm[4:0] and takes ReLU and zero point from imm[5], imm[15:8];
  // imm[7:6] is its mode: 0 fixed point, 1 float (binary32 scale operand), 2/3 packed add of int8/uint8
  // (binary32 constants in the operand's lanes 0..2); imm[4:0] is unused in modes 1..3 (the golden
  // model requires them 0).
  logic [5:0] mulhr_shift;
  assign mulhr_shift = w_use_imm ? 6'd15 : 6'd31 + 6'(w_imm[4:0]);

  tessera_alu_core u_alu (
    .en_i(w_is_alu),
    .op_i(w_alu_op),
    .mulhr_shift_i(mulhr_shift),
    .req_zp_i(w_imm[ImmW-1 -: 8]),
    .req_relu_i(w_imm[5]),
    .req_mode_i(w_imm[7:6]),
    .a_i (acc_fwd),
    .b_i (alu_b),
    .y_o (alu_y)
  );

  always_comb begin
    if (w_reset) w_result = '0;
    else if (w_is_alu) w_result = alu_y;
    else begin
      for (int l = 0; l < Lanes; l++) begin
        w_result[l*AccBits +: AccBits] = acc_fwd[l*AccBits +: AccBits] + w_sum_q[l*AccBits +: AccBits];
      end
    end
  end
  assign w_write = w_valid_q && w_exec_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      r_valid_q <= 1'b0;
      m_valid_q <= 1'b0;
      w_valid_q <= 1'b0;
      last_we_q <= 1'b0;
    end else begin
      r_valid_q <= op_valid;
      m_valid_q <= r_valid_q;
      w_valid_q <= m_valid_q;
      last_we_q <= w_write;
    end
  end

  always_ff @(posedge clk_i) begin
    r_exec_q    <= op_exec;
    r_last_q    <= op_last;
    r_dst_off_q <= op_dst_off;
    r_src_off_q <= op_src_off;
    r_wgt_off_q <= op_wgt_off;
    r_tag_q     <= op_tag;
    m_exec_q    <= r_exec_q;
    m_last_q    <= r_last_q;
    m_dst_q     <= r_dst;
    m_src_q     <= AccIdx'(r_src);
    m_tag_q     <= r_tag_q;
    w_exec_q    <= m_exec_q;
    w_last_q    <= m_last_q;
    w_dst_q     <= m_dst_q;
    w_rd_addr_q <= acc_raddr;
    w_tag_q     <= m_tag_q;
    last_waddr_q <= w_dst_q;
    last_wdata_q <= w_result;
    // The fetched operand follows writes to its row, so a reused operand is never stale.
    if (w_valid_q && !w_exec_q) begin
      src_operand_q <= acc_fwd;
      src_addr_q    <= w_rd_addr_q;
    end else if (w_write && w_dst_q == src_addr_q) begin
      src_operand_q <= w_result;
    end
  end

  // ---- SRAMs -----------------------------------------------------------------------------------
  logic acc_we;
  logic [AccIdx-1:0] acc_waddr;
  logic [AccW-1:0] acc_wdata;
  logic [OutW-1:0] out_wdata;

  always_comb begin
    acc_we    = w_write;
    acc_waddr = w_dst_q;
    acc_wdata = w_result;
    if (ld_we[1]) begin
      acc_we    = 1'b1;
      acc_waddr = acc_ld_waddr;
      acc_wdata = acc_ld_wdata;
    end else if (ld_we[2]) begin
      acc_we    = 1'b1;
      acc_waddr = acc8_ld_waddr;
      for (int l = 0; l < Lanes; l++) begin
        acc_wdata[l*AccBits +: AccBits] = AccBits'($signed(acc8_ld_wdata[l*8 +: 8]));
      end
    end
    for (int l = 0; l < Lanes; l++) begin
      out_wdata[l*OutBits +: OutBits] = acc_wdata[l*AccBits +: OutBits];
    end
  end

  tessera_sram #(.Width(tessera_params_pkg::UOP_BITS), .Depth(tessera_params_pkg::UOP_DEPTH)) u_uop_sram (
    .clk_i,
    .we_i   (ld_we[0]),
    .waddr_i(uop_ld_waddr),
    .wdata_i(uop_ld_wdata),
    .re_i   (1'b1),
    .raddr_i(op_uop),
    .rdata_o(uop_rdata)
  );

  tessera_sram #(.Width(AccW), .Depth(tessera_params_pkg::ACC_DEPTH)) u_acc_sram (
    .clk_i,
    .we_i   (acc_we),
    .waddr_i(acc_waddr),
    .wdata_i(acc_wdata),
    .re_i   (1'b1),
    .raddr_i(acc_raddr),
    .rdata_o(acc_rdata)
  );

  // The store unit reads truncated accumulators from this copy, so it never contends with the
  // compute pipeline for the accumulator read port.
  tessera_sram #(.Width(OutW), .Depth(tessera_params_pkg::ACC_DEPTH)) u_out_sram (
    .clk_i,
    .we_i   (acc_we),
    .waddr_i(acc_waddr),
    .wdata_i(out_wdata),
    .re_i   (1'b1),
    .raddr_i(out_raddr_i),
    .rdata_o(out_rdata_o)
  );

  // ---- sequencer phases ------------------------------------------------------------------------
  logic pipe_empty, fast_next;
  assign pipe_empty = !issue_active && !r_valid_q && !m_valid_q && !w_valid_q;
  // Back-to-back issue: the current loop retires from the pipeline tail, and the next instruction
  // is a non-empty GEMM/ALU whose tokens are available now.
  assign fast_next = op_last && !seq_pushes && cmd_valid_i && dec_is_loop && !dec_empty && seq_head_ready;
  assign seq_bus_wait = phase_q == PLoad && ld_bus_wait != 3'b000;

  always_comb begin
    phase_d      = phase_q;
    issue_start  = 1'b0;
    ld_start_any = 1'b0;
    seq_done     = 1'b0;
    seq_end      = 1'b0;
    seq_chain    = 1'b0;
    if (seq_start) begin
      if (dec_is_loop && !dec_empty) begin
        issue_start = 1'b1;
        phase_d     = PLoop;
      end else if (cur_opcode == tessera_isa_pkg::OPC_LOAD && ld_sel != 3'b000) begin
        phase_d = PLdWait;
      end else begin
        phase_d = PDrain;  // FINISH, empty loops, and instructions with no data effect
      end
    end else if (seq_exec) begin
      unique case (phase_q)
        PLdWait: if (pipe_empty) begin
          ld_start_any = 1'b1;
          phase_d      = PLoad;
        end
        PLoad: seq_done = ld_done != 3'b000;
        PLoop: if (op_last) begin
          if (seq_pushes) begin
            phase_d = PDrain;
          end else if (fast_next) begin
            seq_chain   = 1'b1;
            issue_start = 1'b1;
          end else begin
            seq_end = 1'b1;
          end
        end
        PDrain: seq_done = pipe_empty;
        default: phase_d = PDrain;
      endcase
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) phase_q <= PDrain;
    else phase_q <= phase_d;
  end

  // ---- retire and observation ------------------------------------------------------------------
  logic tail_retire, fsm_retire;
  assign tail_retire = w_valid_q && w_last_q && w_tail_retire;
  assign fsm_retire  = seq_retire;
  assign retire_o     = tail_retire || fsm_retire;
  assign retire_idx_o = tail_retire ? w_idx : cur_idx_q;
  assign finish_o = seq_retire && cur_opcode == tessera_isa_pkg::OPC_FINISH;
  assign stall_o = seq_stall;
  assign busy_o  = (!seq_idle || !pipe_empty) && !stall_o;
  assign idle_o  = seq_idle && pipe_empty;
  assign gemm_uop_o = w_valid_q && !w_is_alu && !w_reset;
  assign alu_uop_o  = w_write && w_is_alu;

  `TESSERA_ASSERT(a_one_retire, !(tail_retire && fsm_retire), clk_i, rst_ni)
endmodule
