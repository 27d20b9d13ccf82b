// Compute unit: LOAD of UOP/ACC/ACC_8BIT, GEMM, ALU and FINISH, with the micro-op, accumulator and
// output SRAMs. See hw/rtl/README.md for the two pipelines, the overlap rule and the hazard policy.
//
// GEMMs run in one pipeline (tessera_compute_pipe), ALU instructions in another, both one op per cycle
// and never stalled once issued. An instruction starts when the instruction before it has issued its
// last op (back to back, forwarding covers the ops still in flight in either pipe), or, with the
// overlap flag, as soon as its own pipe is free while the other pipe still runs: the program promises
// the two touch different accumulator banks (tessera_sram_banks) and push different token queues.
// Token pushes of GEMM/ALU instructions happen when their last op has written (per pipe).
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
  input  logic [(tessera_params_pkg::DEPTHWISE != 0 ? tessera_params_pkg::BLOCK_OUT : 1) *
                tessera_params_pkg::INP_ELEM_BYTES*8-1:0]       inp_rdata_i,  // wide: tessera_inp_sram
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
  // op tag: {idx, push_prev, push_next, use_imm, imm, alu_op, reset, is_alu}
  localparam int TagBits  = 32 + 2 + 1 + ImmW + 3 + 1 + 1;

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
  //   PLdWait  LOAD of UOP/ACC/ACC_8BIT waiting for both pipes to retire, PLoad its engine running,
  //   PLoop    GEMM/ALU micro-ops issuing (the next queued GEMM/ALU may start), PDrain waiting for
  //            both pipes before FINISH or an empty loop retires
  typedef enum logic [1:0] {PLdWait, PLoad, PLoop, PDrain} phase_e;
  phase_e phase_q, phase_d;
  logic [InsnBits-1:0] cur_insn_q, dec_insn;
  logic [31:0] cur_idx_q, dec_idx;
  logic from_head;
  logic seq_start, seq_exec, seq_done, seq_end, seq_chain, seq_head_ready, seq_bus_wait;
  logic [1:0] seq_head_pushes, seq_pushes, dec_push_flags;
  logic seq_retire, seq_stall, seq_idle, seq_start_ok, seq_push_prev, seq_push_next;

  tessera_unit_seq u_seq (
    .clk_i, .rst_ni,
    .cmd_valid_i, .cmd_insn_i, .cmd_idx_i, .cmd_pop_o,
    .prev_avail_i, .next_avail_i, .prev_space_i, .next_space_i,
    .pop_prev_o, .pop_next_o, .push_prev_o(seq_push_prev), .push_next_o(seq_push_next),
    .start_o(seq_start), .exec_o(seq_exec), .insn_o(cur_insn_q), .done_i(seq_done), .end_i(seq_end),
    .chain_i(seq_chain), .start_ok_i(seq_start_ok), .head_pops_ready_o(seq_head_ready),
    .head_pushes_o(seq_head_pushes), .pushes_o(seq_pushes), .bus_wait_i(seq_bus_wait),
    .busy_o(), .stall_o(seq_stall), .retire_o(seq_retire), .retire_idx_o(cur_idx_q), .wait_o, .idle_o(seq_idle)
  );

  // ---- instruction decode (current instruction, or the queue head for back-to-back issue) -------
  assign from_head = seq_exec && phase_q == PLoop;
  assign dec_insn  = from_head ? cmd_insn_i : cur_insn_q;
  assign dec_idx   = from_head ? cmd_idx_i : cur_idx_q;

  logic [2:0] dec_opcode, dec_alu_op;
  logic dec_is_alu, dec_dw, dec_is_loop, dec_reset, dec_use_imm, dec_empty, dec_pushes, dec_overlap;
  logic [UopIdx-1:0] dec_bgn;
  logic [UopIdx:0] dec_end;
  logic [13:0] dec_iter_out, dec_iter_in;
  logic [AccIdx-1:0] dec_dst_fo, dec_dst_fi;
  logic [SrcBits-1:0] dec_src_fo, dec_src_fi;
  logic [WgtIdx-1:0] dec_wgt_fo, dec_wgt_fi;
  logic [ImmW-1:0] dec_imm;

  assign dec_opcode  = dec_insn[tessera_isa_pkg::FINISH_OPCODE_LSB +: tessera_isa_pkg::FINISH_OPCODE_W];
  assign dec_is_alu  = dec_opcode == tessera_isa_pkg::OPC_ALU;
  assign dec_is_loop = dec_is_alu || dec_opcode == tessera_isa_pkg::OPC_GEMM || dec_dw;
  assign dec_push_flags = from_head ? seq_head_pushes : seq_pushes;
  assign dec_pushes     = dec_push_flags != 2'b00;
  always_comb begin
    if (dec_is_alu) begin
      dec_reset    = dec_insn[tessera_isa_pkg::ALU_RESET_LSB];
      dec_overlap  = dec_insn[tessera_isa_pkg::ALU_OVERLAP_LSB];
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
      dec_overlap  = dec_insn[tessera_isa_pkg::GEMM_OVERLAP_LSB];
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

  // A depthwise GEMM is opcode GEMM_DW (GEMM's format), which exists only with the mode.
  if (tessera_params_pkg::DEPTHWISE != 0) begin : g_dec_dw
    `TESSERA_STATIC_ASSERT(g_dw_square, tessera_params_pkg::BLOCK_IN == tessera_params_pkg::BLOCK_OUT,
                           "tessera_compute: DEPTHWISE needs BLOCK_IN == BLOCK_OUT")
    assign dec_dw = dec_opcode == tessera_isa_pkg::OPC_GEMM_DW;
  end else begin : g_no_dw
    assign dec_dw = 1'b0;
  end

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

  // ---- the two pipelines: p = 0 GEMM, p = 1 ALU --------------------------------------------------
  logic [1:0] pipe_start, pipe_issuing, pipe_last, pipe_empty, pipe_tail, pipe_uop;
  logic [2*TagBits-1:0] pipe_tail_tag;
  logic [1:0] pipe_acc_re, pipe_acc_we;
  logic [2*AccIdx-1:0] pipe_acc_raddr, pipe_acc_waddr;
  logic [2*AccW-1:0] pipe_acc_rdata, pipe_acc_wdata;
  logic [2*UopIdx-1:0] pipe_uop_raddr;
  logic [2*tessera_params_pkg::UOP_BITS-1:0] pipe_uop_rdata;
  logic [TagBits-1:0] dec_tag;
  logic issue_start;
  logic [2*InpIdx-1:0] pipe_inp_raddr;
  logic [2*WgtIdx-1:0] pipe_wgt_raddr;

  assign dec_tag = {dec_idx, dec_push_flags, dec_use_imm, dec_imm, dec_alu_op, dec_reset, dec_is_alu};
  assign pipe_start = issue_start ? (dec_is_alu ? 2'b10 : 2'b01) : 2'b00;

  for (genvar p = 0; p < 2; p++) begin : g_pipe
    tessera_compute_pipe #(.Alu(p == 1), .TagBits(TagBits), .SrcBits(SrcBits)) u_pipe (
      .clk_i, .rst_ni,
      .start_i      (pipe_start[p]),
      .two_slot_i   (dec_is_alu && !dec_use_imm && !dec_reset),
      .dw_i         (dec_dw),
      .uop_bgn_i    (dec_bgn),
      .uop_end_i    (dec_end),
      .iter_out_i   (dec_iter_out),
      .iter_in_i    (dec_iter_in),
      .dst_fo_i     (dec_dst_fo),
      .dst_fi_i     (dec_dst_fi),
      .src_fo_i     (dec_src_fo),
      .src_fi_i     (dec_src_fi),
      .wgt_fo_i     (dec_wgt_fo),
      .wgt_fi_i     (dec_wgt_fi),
      .tag_i        (dec_tag),
      .issuing_o    (pipe_issuing[p]),
      .last_o       (pipe_last[p]),
      .empty_o      (pipe_empty[p]),
      .uop_raddr_o  (pipe_uop_raddr[p*UopIdx +: UopIdx]),
      .uop_rdata_i  (pipe_uop_rdata[p*tessera_params_pkg::UOP_BITS +: tessera_params_pkg::UOP_BITS]),
      .inp_raddr_o  (pipe_inp_raddr[p*InpIdx +: InpIdx]),
      .inp_rdata_i,
      .wgt_raddr_o  (pipe_wgt_raddr[p*WgtIdx +: WgtIdx]),
      .wgt_rdata_i,
      .acc_re_o     (pipe_acc_re[p]),
      .acc_raddr_o  (pipe_acc_raddr[p*AccIdx +: AccIdx]),
      .acc_rdata_i  (pipe_acc_rdata[p*AccW +: AccW]),
      .acc_we_o     (pipe_acc_we[p]),
      .acc_waddr_o  (pipe_acc_waddr[p*AccIdx +: AccIdx]),
      .acc_wdata_o  (pipe_acc_wdata[p*AccW +: AccW]),
      .other_we_i   (pipe_acc_we[1-p]),
      .other_waddr_i(pipe_acc_waddr[(1-p)*AccIdx +: AccIdx]),
      .other_wdata_i(pipe_acc_wdata[(1-p)*AccW +: AccW]),
      .tail_o       (pipe_tail[p]),
      .tail_tag_o   (pipe_tail_tag[p*TagBits +: TagBits]),
      .uop_o        (pipe_uop[p])
    );
  end
  assign inp_raddr_o = pipe_inp_raddr[0 +: InpIdx];
  assign wgt_raddr_o = pipe_wgt_raddr[0 +: WgtIdx];
  logic unused_alu_reads;  // the ALU pipe reads neither INP nor WGT
  assign unused_alu_reads = ^{pipe_inp_raddr[InpIdx +: InpIdx], pipe_wgt_raddr[WgtIdx +: WgtIdx]};

  // ---- SRAMs -----------------------------------------------------------------------------------
  // Write port 0: the GEMM pipe; port 1: the ALU pipe or a LOAD engine (a LOAD waits for the ALU pipe,
  // and with the overlap flag only for it: a LOAD of ACC/ACC_8BIT counts as ALU work).
  logic [1:0] acc_we;
  logic [2*AccIdx-1:0] acc_waddr;
  logic [2*AccW-1:0] acc_wdata;
  logic [2*OutW-1:0] out_wdata;
  logic [2*OutW-1:0] out_rdata;

  always_comb begin
    acc_we    = pipe_acc_we;
    acc_waddr = pipe_acc_waddr;
    acc_wdata = pipe_acc_wdata;
    if (ld_we[1]) begin
      acc_we[1]                  = 1'b1;
      acc_waddr[AccIdx +: AccIdx] = acc_ld_waddr;
      acc_wdata[AccW +: AccW]     = acc_ld_wdata;
    end else if (ld_we[2]) begin
      acc_we[1]                  = 1'b1;
      acc_waddr[AccIdx +: AccIdx] = acc8_ld_waddr;
      for (int l = 0; l < Lanes; l++) begin
        acc_wdata[AccW + l*AccBits +: AccBits] = AccBits'($signed(acc8_ld_wdata[l*8 +: 8]));
      end
    end
    for (int p = 0; p < 2; p++) begin
      for (int l = 0; l < Lanes; l++) begin
        out_wdata[p*OutW + l*OutBits +: OutBits] = acc_wdata[p*AccW + l*AccBits +: OutBits];
      end
    end
  end

  // One copy of the micro-ops per pipe, both written by the UOP load.
  tessera_sram #(.Width(tessera_params_pkg::UOP_BITS), .Depth(tessera_params_pkg::UOP_DEPTH)) u_uop_sram (
    .clk_i,
    .we_i   (ld_we[0]),
    .waddr_i(uop_ld_waddr),
    .wdata_i(uop_ld_wdata),
    .re_i   (1'b1),
    .raddr_i(pipe_uop_raddr[0 +: UopIdx]),
    .rdata_o(pipe_uop_rdata[0 +: tessera_params_pkg::UOP_BITS])
  );

  tessera_sram #(.Width(tessera_params_pkg::UOP_BITS), .Depth(tessera_params_pkg::UOP_DEPTH)) u_uop_sram_alu (
    .clk_i,
    .we_i   (ld_we[0]),
    .waddr_i(uop_ld_waddr),
    .wdata_i(uop_ld_wdata),
    .re_i   (1'b1),
    .raddr_i(pipe_uop_raddr[UopIdx +: UopIdx]),
    .rdata_o(pipe_uop_rdata[tessera_params_pkg::UOP_BITS +: tessera_params_pkg::UOP_BITS])
  );

  tessera_sram_banks #(.Width(AccW), .Depth(tessera_params_pkg::ACC_DEPTH)) u_acc_sram (
    .clk_i, .rst_ni,
    .we_i   (acc_we),
    .waddr_i(acc_waddr),
    .wdata_i(acc_wdata),
    .re_i   (pipe_acc_re),
    .raddr_i(pipe_acc_raddr),
    .rdata_o(pipe_acc_rdata)
  );

  // The store unit reads truncated accumulators from this copy, so it never contends with the
  // compute pipelines for the accumulator read ports.
  tessera_sram_banks #(.Width(OutW), .Depth(tessera_params_pkg::ACC_DEPTH)) u_out_sram (
    .clk_i, .rst_ni,
    .we_i   (acc_we),
    .waddr_i(acc_waddr),
    .wdata_i(out_wdata),
    .re_i   (2'b01),
    .raddr_i({AccIdx'(0), out_raddr_i}),
    .rdata_o(out_rdata)
  );
  assign out_rdata_o = out_rdata[0 +: OutW];
  logic unused_out_port1;
  assign unused_out_port1 = ^out_rdata[OutW +: OutW];

  // ---- dispatch: when an instruction may start -------------------------------------------------
  // pend_q[p]: an instruction with pushes runs in pipe p and has not pushed yet; one at a time, so
  // its push can wait for room in the token queue without holding up later ones.
  logic [1:0] pend_q, pipe_free, pipe_retired;
  logic can_start, all_retired, dec_pipe;
  logic rq_valid;

  assign pipe_free    = ~pipe_issuing | pipe_last;
  assign pipe_retired = pipe_empty & ~pend_q;
  assign all_retired  = &pipe_retired && !rq_valid;
  assign dec_pipe     = dec_is_alu;
  // Without the overlap flag the other pipe must have issued its last op and pushed (forwarding
  // covers its ops still in flight); with it, only the instruction's own pipe must be free.
  assign can_start = dec_is_loop && !dec_empty && pipe_free[dec_pipe] && !pend_q[dec_pipe] &&
                     (dec_overlap || (pipe_free[!dec_pipe] && !pend_q[!dec_pipe]));
  assign seq_start_ok = !(dec_is_loop && !dec_empty) || can_start;
  assign seq_bus_wait = phase_q == PLoad && ld_bus_wait != 3'b000;

  logic cur_pipe_q, ld_overlap;
  assign ld_overlap = cur_insn_q[tessera_isa_pkg::MEM_OVERLAP_LSB] && (ld_sel[1] || ld_sel[2]);
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
        PLdWait: if (ld_overlap ? pipe_retired[1] : all_retired) begin
          ld_start_any = 1'b1;
          phase_d      = PLoad;
        end
        PLoad: seq_done = ld_done != 3'b000;
        // The queue head starts as soon as it may (with the overlap flag, before the current
        // instruction's last op); otherwise the sequencer lets go once the last op has issued.
        PLoop: if (cmd_valid_i && seq_head_ready && can_start) begin
          seq_chain   = 1'b1;
          issue_start = 1'b1;
        end else if (pipe_last[cur_pipe_q]) begin
          seq_end = 1'b1;
        end
        PDrain: seq_done = all_retired;
        default: phase_d = PDrain;
      endcase
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      phase_q   <= PDrain;
      cur_pipe_q <= 1'b0;
    end else begin
      phase_q <= phase_d;
      if (issue_start) cur_pipe_q <= dec_pipe;
    end
  end

  // ---- pushes and retires of GEMM/ALU instructions, from the pipe tails ------------------------
  // tag bits above the pipe's own: [TagBits-33] push_prev, [TagBits-34] push_next, idx at the top
  logic [1:0] want_prev_q, want_next_q, emit, tail_retire;
  logic [63:0] want_idx_q;
  logic [1:0] tail_push_prev, tail_push_next;
  logic pipe_push_prev, pipe_push_next;

  for (genvar p = 0; p < 2; p++) begin : g_push
    assign tail_push_prev[p] = pipe_tail[p] && pipe_tail_tag[p*TagBits + TagBits - 33];
    assign tail_push_next[p] = pipe_tail[p] && pipe_tail_tag[p*TagBits + TagBits - 34];
    assign tail_retire[p]    = pipe_tail[p] && !tail_push_prev[p] && !tail_push_next[p];
  end
  // Pipe 0 first; the overlap rule keeps two pending pushes off one queue, but never push twice at once.
  logic emit_gemm, emit_alu;
  assign emit_gemm = (want_prev_q[0] || want_next_q[0]) && (!want_prev_q[0] || prev_space_i) &&
                     (!want_next_q[0] || next_space_i);
  assign emit_alu  = (want_prev_q[1] || want_next_q[1]) && (!want_prev_q[1] || prev_space_i) &&
                     (!want_next_q[1] || next_space_i) &&
                     !(emit_gemm && ((want_prev_q[0] && want_prev_q[1]) || (want_next_q[0] && want_next_q[1])));
  assign emit = {emit_alu, emit_gemm};
  assign pipe_push_prev = (emit[0] && want_prev_q[0]) || (emit[1] && want_prev_q[1]);
  assign pipe_push_next = (emit[0] && want_next_q[0]) || (emit[1] && want_next_q[1]);
  assign push_prev_o = seq_push_prev || pipe_push_prev;
  assign push_next_o = seq_push_next || pipe_push_next;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      pend_q      <= '0;
      want_prev_q <= '0;
      want_next_q <= '0;
      want_idx_q  <= '0;
    end else begin
      for (int p = 0; p < 2; p++) begin
        if (emit[p]) begin
          want_prev_q[p] <= 1'b0;
          want_next_q[p] <= 1'b0;
          pend_q[p]      <= 1'b0;
        end
        if (tail_push_prev[p] || tail_push_next[p]) begin
          want_prev_q[p]          <= tail_push_prev[p];
          want_next_q[p]          <= tail_push_next[p];
          want_idx_q[p*32 +: 32]  <= pipe_tail_tag[p*TagBits + TagBits - 32 +: 32];
        end
        if (pipe_start[p] && dec_pushes) pend_q[p] <= 1'b1;
      end
    end
  end

  // Retire events: one per pipe per cycle at most (the tail of an instruction without pushes, or the
  // push of one with them), and the sequencer's (LOAD, FINISH, empty loops), which never coincide with
  // the ALU pipe's; those two wait in a small queue when the GEMM pipe's takes the port.
  logic [1:0] ev;
  logic [63:0] ev_idx;
  logic rq_push, rq_pop, rq_full, ev_alu_seq;
  logic [31:0] rq_idx, ev_alu_seq_idx;
  for (genvar p = 0; p < 2; p++) begin : g_event
    assign ev[p] = tail_retire[p] || emit[p];
    assign ev_idx[p*32 +: 32] = emit[p] ? want_idx_q[p*32 +: 32] : pipe_tail_tag[p*TagBits + TagBits - 32 +: 32];
  end
  assign ev_alu_seq     = ev[1] || seq_retire;
  assign ev_alu_seq_idx = seq_retire ? cur_idx_q : ev_idx[32 +: 32];
  assign rq_push = ev_alu_seq && (ev[0] || rq_valid);
  assign rq_pop  = rq_valid && !ev[0];

  tessera_fifo #(.Width(32), .Depth(4)) u_retire_queue (
    .clk_i, .rst_ni,
    .push_i (rq_push),
    .wdata_i(ev_alu_seq_idx),
    .full_o (rq_full),
    .pop_i  (rq_pop),
    .rdata_o(rq_idx),
    .valid_o(rq_valid),
    .count_o()
  );

  // ---- retire and observation ------------------------------------------------------------------
  assign retire_o     = ev[0] || rq_valid || ev_alu_seq;
  assign retire_idx_o = ev[0] ? ev_idx[0 +: 32] : rq_valid ? rq_idx : ev_alu_seq_idx;
  assign finish_o = seq_retire && cur_opcode == tessera_isa_pkg::OPC_FINISH;
  assign stall_o = seq_stall;
  assign busy_o  = (!seq_idle || !all_retired) && !stall_o;
  assign idle_o  = seq_idle && all_retired;
  assign gemm_uop_o = pipe_uop[0];
  assign alu_uop_o  = pipe_uop[1];

  `TESSERA_ASSERT(a_one_retire, !(ev[1] && seq_retire), clk_i, rst_ni)
  `TESSERA_ASSERT(a_retire_queue, !(rq_push && rq_full), clk_i, rst_ni)
endmodule
