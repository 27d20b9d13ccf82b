// One micro-op pipeline of the compute unit: the GEMM pipe (Alu = 0) or the ALU pipe (Alu = 1).
// Each has its own issuer and stages, so an ALU instruction can run beside a GEMM when the program
// sets the overlap flag (hw/rtl/README.md: pipeline, forwarding, banks).
//
//   I  issuer emits (k, offsets); uop SRAM read of k
//   R  d/s/w = micro-op fields + offsets; INP and WGT SRAM reads (GEMM)
//   M  GEMM dot products (registered); ACC read of d (or of s for a vector ALU source slot)
//   W  ACC result written to acc[d] (and, truncated, to out[d] by the caller)
// The ACC read of an op happens in the cycle the op ahead of it (in either pipe) writes, so W forwards
// the previous cycle's writes of both pipes when the addresses match.
//
// Depthwise GEMM (the GEMM pipe with DEPTHWISE; R = BLOCK_IN = BLOCK_OUT): a tap slot reads R input
// elements from s and the weight row w, and at M the core's local sums (R x BATCH x R, ACC_BITS,
// wrapping) become products + (first tap ? 0 : local); a tap neither reads nor writes ACC. Drain slot
// q reads acc[d + q] at M like any op (d latched from the taps' destination at R) and writes
// acc[d + q] + local[q] at W, with the usual forwarding; the next group's first tap may be at M then,
// and overwrites the local sums only at the end of that cycle.
module tessera_compute_pipe #(
  parameter bit Alu     = 1'b0,
  parameter int TagBits = 8,
  parameter int SrcBits = 11
) (
  input  logic                                                 clk_i,
  input  logic                                                 rst_ni,
  // instruction start (a non-empty loop)
  input  logic                                                 start_i,
  input  logic                                                 two_slot_i,
  input  logic                                                 dw_i,       // depthwise GEMM
  input  logic [tessera_params_pkg::UOP_IDX_BITS-1:0]          uop_bgn_i,
  input  logic [tessera_params_pkg::UOP_IDX_BITS:0]            uop_end_i,
  input  logic [13:0]                                          iter_out_i,
  input  logic [13:0]                                          iter_in_i,
  input  logic [tessera_params_pkg::ACC_IDX_BITS-1:0]          dst_fo_i,
  input  logic [tessera_params_pkg::ACC_IDX_BITS-1:0]          dst_fi_i,
  input  logic [SrcBits-1:0]                                   src_fo_i,
  input  logic [SrcBits-1:0]                                   src_fi_i,
  input  logic [tessera_params_pkg::WGT_IDX_BITS-1:0]          wgt_fo_i,
  input  logic [tessera_params_pkg::WGT_IDX_BITS-1:0]          wgt_fi_i,
  input  logic [TagBits-1:0]                                   tag_i,
  output logic                                                 issuing_o,  // issuer active
  output logic                                                 last_o,     // last op issues now
  output logic                                                 empty_o,    // nothing issuing or in a stage
  // micro-op SRAM read
  output logic [tessera_params_pkg::UOP_IDX_BITS-1:0]          uop_raddr_o,
  input  logic [tessera_params_pkg::UOP_BITS-1:0]              uop_rdata_i,
  // INP/WGT reads (GEMM pipe)
  output logic [tessera_params_pkg::INP_IDX_BITS-1:0]          inp_raddr_o,
  input  logic [(tessera_params_pkg::DEPTHWISE != 0 ? tessera_params_pkg::BLOCK_OUT : 1) *
                tessera_params_pkg::INP_ELEM_BYTES*8-1:0]      inp_rdata_i,  // wide: tessera_inp_sram
  output logic [tessera_params_pkg::WGT_IDX_BITS-1:0]          wgt_raddr_o,
  input  logic [tessera_params_pkg::WGT_ELEM_BYTES*8-1:0]      wgt_rdata_i,
  // ACC read (stage M address, stage W data) and write (stage W)
  output logic                                                 acc_re_o,
  output logic [tessera_params_pkg::ACC_IDX_BITS-1:0]          acc_raddr_o,
  input  logic [tessera_params_pkg::ACC_ELEM_BYTES*8-1:0]      acc_rdata_i,
  output logic                                                 acc_we_o,
  output logic [tessera_params_pkg::ACC_IDX_BITS-1:0]          acc_waddr_o,
  output logic [tessera_params_pkg::ACC_ELEM_BYTES*8-1:0]      acc_wdata_o,
  // the other pipe's stage-W write, for forwarding
  input  logic                                                 other_we_i,
  input  logic [tessera_params_pkg::ACC_IDX_BITS-1:0]          other_waddr_i,
  input  logic [tessera_params_pkg::ACC_ELEM_BYTES*8-1:0]      other_wdata_i,
  // the tail: an instruction's last op leaves stage W
  output logic                                                 tail_o,
  output logic [TagBits-1:0]                                   tail_tag_o,
  output logic                                                 uop_o       // a computing op in W
);
  localparam int Lanes   = tessera_params_pkg::BATCH * tessera_params_pkg::BLOCK_OUT;
  localparam int AccBits = tessera_params_pkg::ACC_BITS;
  localparam int AccW    = Lanes * AccBits;
  localparam int AccIdx  = tessera_params_pkg::ACC_IDX_BITS;
  localparam int InpIdx  = tessera_params_pkg::INP_IDX_BITS;
  localparam int WgtIdx  = tessera_params_pkg::WGT_IDX_BITS;
  localparam int ImmW    = tessera_isa_pkg::ALU_IMM_W;
  localparam bit Dw      = !Alu && tessera_params_pkg::DEPTHWISE != 0;
  localparam int QBits   = $clog2(tessera_params_pkg::BLOCK_OUT);

  // ---- issuer ----------------------------------------------------------------------------------
  logic op_valid, op_exec, op_last;
  logic [AccIdx-1:0] op_dst_off;
  logic [SrcBits-1:0] op_src_off;
  logic [WgtIdx-1:0] op_wgt_off;
  logic [TagBits-1:0] op_tag;
  logic op_tap, op_first, op_drain;
  logic [QBits-1:0] op_q;

  tessera_uop_issue #(.TagBits(TagBits), .SrcBits(SrcBits), .Dw(Dw)) u_issue (
    .clk_i, .rst_ni,
    .start_i, .two_slot_i, .dw_i,
    .uop_bgn_i, .uop_end_i, .iter_out_i, .iter_in_i,
    .dst_fo_i, .dst_fi_i, .src_fo_i, .src_fi_i, .wgt_fo_i, .wgt_fi_i,
    .tag_i,
    .active_o    (issuing_o),
    .op_valid_o  (op_valid),
    .op_uop_o    (uop_raddr_o),
    .op_dst_off_o(op_dst_off),
    .op_src_off_o(op_src_off),
    .op_wgt_off_o(op_wgt_off),
    .op_exec_o   (op_exec),
    .op_last_o   (op_last),
    .op_tag_o    (op_tag),
    .op_tap_o    (op_tap),
    .op_first_o  (op_first),
    .op_drain_o  (op_drain),
    .op_q_o      (op_q)
  );
  assign last_o = op_last;

  // ---- stage R ---------------------------------------------------------------------------------
  logic r_valid_q, r_exec_q, r_last_q;
  logic [AccIdx-1:0] r_dst_off_q;
  logic [SrcBits-1:0] r_src_off_q;
  logic [WgtIdx-1:0] r_wgt_off_q;
  logic [TagBits-1:0] r_tag_q;
  logic [AccIdx-1:0] r_dst, r_uop_dst;
  logic [SrcBits-1:0] r_src;
  logic [WgtIdx-1:0] r_wgt;
  // depthwise slot kinds per stage (constant 0 without Dw)
  logic m_tap, m_first, m_drain, w_tap, w_drain;
  logic [QBits-1:0] w_q, m_wrow;

  // A micro-op is padded to UOP_BITS; the padding bits carry nothing.
  logic unused_uop_padding;
  assign unused_uop_padding = ^uop_rdata_i;

  assign r_uop_dst = uop_rdata_i[tessera_isa_pkg::UOP_DST_LSB +: AccIdx] + r_dst_off_q;
  assign r_src = uop_rdata_i[tessera_isa_pkg::UOP_SRC_LSB +: SrcBits] + r_src_off_q;
  assign r_wgt = uop_rdata_i[tessera_isa_pkg::UOP_WGT_LSB +: WgtIdx] + r_wgt_off_q;
  assign inp_raddr_o = InpIdx'(r_src);

  // ---- stage M ---------------------------------------------------------------------------------
  logic m_valid_q, m_exec_q, m_last_q;
  logic [AccIdx-1:0] m_dst_q, m_src_q;
  logic [TagBits-1:0] m_tag_q;

  assign acc_re_o    = m_valid_q && !m_tap;
  assign acc_raddr_o = m_exec_q ? m_dst_q : m_src_q;

  // ---- stage W ---------------------------------------------------------------------------------
  logic w_valid_q, w_exec_q, w_last_q, w_reset, w_is_alu, w_write;
  logic [AccIdx-1:0] w_dst_q, w_rd_addr_q;
  logic [TagBits-1:0] w_tag_q;
  logic [AccW-1:0] acc_fwd, w_result;
  logic own_we_q, other_we_q;
  logic [AccIdx-1:0] own_waddr_q, other_waddr_q;
  logic [AccW-1:0] own_wdata_q, other_wdata_q;

  // tag: {..., reset, is_alu} in the low bits; the rest belongs to the caller (and the ALU below)
  assign w_is_alu = w_tag_q[0];
  assign w_reset  = w_tag_q[1];
  assign acc_fwd = (own_we_q && own_waddr_q == w_rd_addr_q)     ? own_wdata_q :
                   (other_we_q && other_waddr_q == w_rd_addr_q) ? other_wdata_q : acc_rdata_i;
  assign w_write = w_valid_q && w_exec_q && !w_tap;

  if (Dw) begin : g_dw_stages
    logic r_tap_q, r_first_q, r_drain_q, m_tap_q, m_first_q, m_drain_q, w_tap_q, w_drain_q;
    logic [QBits-1:0] r_q_q, m_q_q, w_q_q;
    logic [AccIdx-1:0] d_q;

    logic [QBits-1:0] m_wrow_q;
    // a drain's row: d (the group's destination, from its taps) + q
    assign r_dst = r_drain_q ? d_q + AccIdx'(r_q_q) : r_uop_dst;
    // a tap's weight index counts rows: element w / R, row w % R (registered for the read data)
    assign wgt_raddr_o = r_tap_q ? WgtIdx'(r_wgt >> QBits) : r_wgt;
    always_ff @(posedge clk_i) m_wrow_q <= r_wgt[QBits-1:0];
    assign m_wrow = m_wrow_q;
    always_ff @(posedge clk_i) begin
      if (r_valid_q && r_tap_q) d_q <= r_uop_dst;
    end
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        {r_tap_q, m_tap_q, w_tap_q, r_drain_q, m_drain_q, w_drain_q} <= '0;
      end else begin
        r_tap_q   <= op_tap;
        m_tap_q   <= r_tap_q;
        w_tap_q   <= m_tap_q;
        r_drain_q <= op_drain;
        m_drain_q <= r_drain_q;
        w_drain_q <= m_drain_q;
      end
    end
    always_ff @(posedge clk_i) begin
      r_first_q <= op_first;
      m_first_q <= r_first_q;
      r_q_q     <= op_q;
      m_q_q     <= r_q_q;
      w_q_q     <= m_q_q;
    end
    assign m_tap   = m_tap_q;
    assign m_first = m_first_q;
    assign m_drain = m_drain_q;
    assign w_tap   = w_tap_q;
    assign w_drain = w_drain_q;
    assign w_q     = w_q_q;
  end else begin : g_stages
    assign r_dst   = r_uop_dst;
    assign wgt_raddr_o = r_wgt;
    assign m_wrow  = '0;
    assign m_tap   = 1'b0;
    assign m_first = 1'b0;
    assign m_drain = 1'b0;
    assign w_tap   = 1'b0;
    assign w_drain = 1'b0;
    assign w_q     = '0;
    logic unused_dw;
    assign unused_dw = ^{dw_i, op_tap, op_first, op_drain, op_q};
  end

  if (Alu) begin : g_alu
    // ALU tag above {reset, is_alu}: {..., use_imm, imm, alu_op}
    logic [2:0] w_alu_op;
    logic [ImmW-1:0] w_imm;
    logic w_use_imm;
    logic [5:0] mulhr_shift;
    logic [AccW-1:0] alu_b, alu_y, src_operand_q;
    logic [AccIdx-1:0] src_addr_q;

    assign w_alu_op  = w_tag_q[2 +: 3];
    assign w_imm     = w_tag_q[5 +: ImmW];
    assign w_use_imm = w_tag_q[5 + ImmW];
    assign alu_b     = w_use_imm ? {Lanes{AccBits'($signed(w_imm))}} : src_operand_q;
    // MULHR shifts by 15 for a Q15 immediate, else by 31 + imm (imm 0..31; larger values are illegal);
    // REQ (vector operand only) shifts by 31 + imm[4:0] and takes ReLU and zero point from imm[5],
    // imm[15:8]; imm[7:6] is its mode: 0 fixed point, 1 float (binary32 scale operand), 2/3 packed add
    // of int8/uint8 (binary32 constants in the operand's lanes 0..2); imm[4:0] is unused in modes 1..3
    // (the golden model requires them 0).
    assign mulhr_shift = w_use_imm ? 6'd15 : 6'd31 + 6'(w_imm[4:0]);

    tessera_alu_core u_alu (
      .en_i(w_valid_q),
      .op_i(w_alu_op),
      .mulhr_shift_i(mulhr_shift),
      .req_zp_i(w_imm[ImmW-1 -: 8]),
      .req_relu_i(w_imm[5]),
      .req_mode_i(w_imm[7:6]),
      .a_i (acc_fwd),
      .b_i (alu_b),
      .y_o (alu_y)
    );
    assign w_result = w_reset ? '0 : alu_y;

    // The fetched operand follows writes to its row, so a reused operand is never stale.
    always_ff @(posedge clk_i) begin
      if (w_valid_q && !w_exec_q) begin
        src_operand_q <= acc_fwd;
        src_addr_q    <= w_rd_addr_q;
      end else if (w_write && w_dst_q == src_addr_q) begin
        src_operand_q <= w_result;
      end
    end
    logic unused_gemm;
    assign unused_gemm = ^{inp_rdata_i, wgt_rdata_i, w_is_alu, m_first, m_drain, w_drain, w_q, m_wrow};
  end else begin : g_gemm
    // The dot products of the op at M are the stage-W sum (only ops that accumulate compute them).
    // With Dw, w_add is a drain's local row instead.
    logic [AccW-1:0] w_sum, w_add;
    logic [(Dw ? tessera_params_pkg::BLOCK_OUT * AccW : AccW)-1:0] w_local;
    tessera_gemm_core u_gemm (
      .clk_i,
      .en_i   (m_valid_q && !m_tag_q[1] && !m_drain),
      .dw_i   (m_tap),
      .acc_i  (!m_first),
      .wrow_i (m_wrow),
      .inp_i  (inp_rdata_i),
      .wgt_i  (wgt_rdata_i),
      .sum_o  (w_sum),
      .local_o(w_local)
    );
    if (Dw) begin : g_local
      assign w_add = w_drain ? w_local[w_q*AccW +: AccW] : w_sum;
    end else begin : g_sum
      assign w_add = w_sum;
      logic unused_local;
      assign unused_local = ^{w_local, w_q};
    end
    always_comb begin
      if (w_reset) w_result = '0;
      else begin
        for (int l = 0; l < Lanes; l++) begin
          w_result[l*AccBits +: AccBits] = acc_fwd[l*AccBits +: AccBits] + w_add[l*AccBits +: AccBits];
        end
      end
    end
    logic unused_alu;
    assign unused_alu = w_is_alu;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      r_valid_q  <= 1'b0;
      m_valid_q  <= 1'b0;
      w_valid_q  <= 1'b0;
      own_we_q   <= 1'b0;
      other_we_q <= 1'b0;
    end else begin
      r_valid_q  <= op_valid;
      m_valid_q  <= r_valid_q;
      w_valid_q  <= m_valid_q;
      own_we_q   <= w_write;
      other_we_q <= other_we_i;
    end
  end

  always_ff @(posedge clk_i) begin
    r_exec_q      <= op_exec;
    r_last_q      <= op_last;
    r_dst_off_q   <= op_dst_off;
    r_src_off_q   <= op_src_off;
    r_wgt_off_q   <= op_wgt_off;
    r_tag_q       <= op_tag;
    m_exec_q      <= r_exec_q;
    m_last_q      <= r_last_q;
    m_dst_q       <= r_dst;
    m_src_q       <= AccIdx'(r_src);
    m_tag_q       <= r_tag_q;
    w_exec_q      <= m_exec_q;
    w_last_q      <= m_last_q;
    w_dst_q       <= m_dst_q;
    w_rd_addr_q   <= acc_raddr_o;
    w_tag_q       <= m_tag_q;
    own_waddr_q   <= w_dst_q;
    own_wdata_q   <= w_result;
    other_waddr_q <= other_waddr_i;
    other_wdata_q <= other_wdata_i;
  end

  assign acc_we_o    = w_write;
  assign acc_waddr_o = w_dst_q;
  assign acc_wdata_o = w_result;
  assign tail_o      = w_valid_q && w_last_q;
  assign tail_tag_o  = w_tag_q;
  // ALU: resets count, fetch slots not; GEMM: depthwise taps count, drains not
  assign uop_o       = Alu ? w_write : w_valid_q && !w_reset && !w_drain;
  assign empty_o     = !issuing_o && !r_valid_q && !m_valid_q && !w_valid_q;
endmodule
