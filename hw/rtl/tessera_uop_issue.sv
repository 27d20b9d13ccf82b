// Micro-op loop issuer of the compute unit: walks for o < iter_out, i < iter_in, k in [bgn, end)
// and emits one pipeline op per cycle with the loop offsets o*f_out + i*f_in of the destination,
// source and weight indices (kept as running sums, no multipliers). A vector ALU micro-op takes two
// slots (slot 0 fetches the source operand, slot 1 executes), except in a one-micro-op loop whose
// source does not move with i (a per-channel vector such as a bias): there the operand is fetched
// once per outer iteration and every inner iteration takes one slot; the compute unit keeps the
// fetched operand current when the loop writes over its source. A new instruction may start in the
// cycle the previous one issues its last op, so consecutive GEMMs run without a bubble.
//
// Depthwise GEMM (Dw, the GEMM pipe of a config with DEPTHWISE; R = BLOCK_OUT): per loop iteration
// (a group) one tap slot per micro-op k (op_tap_o, op_first_o on the group's first), then R drain
// slots q = 0..R-1 (op_drain_o, op_q_o) that write the group's R accumulators; the last drain of the
// last group is the last op. A depthwise GEMM issues groups * (uop_end - uop_bgn + R) slots.
module tessera_uop_issue #(
  parameter int TagBits = 8,
  parameter int SrcBits = 11,
  parameter bit Dw      = 1'b0
) (
  input  logic                                       clk_i,
  input  logic                                       rst_ni,
  input  logic                                       start_i,    // only for non-empty loops
  input  logic                                       two_slot_i,
  input  logic                                       dw_i,       // a depthwise GEMM (only with Dw)
  input  logic [tessera_params_pkg::UOP_IDX_BITS-1:0] uop_bgn_i,
  input  logic [tessera_params_pkg::UOP_IDX_BITS:0]   uop_end_i,
  input  logic [13:0]                                iter_out_i,
  input  logic [13:0]                                iter_in_i,
  input  logic [tessera_params_pkg::ACC_IDX_BITS-1:0] dst_fo_i,
  input  logic [tessera_params_pkg::ACC_IDX_BITS-1:0] dst_fi_i,
  input  logic [SrcBits-1:0]                         src_fo_i,
  input  logic [SrcBits-1:0]                         src_fi_i,
  input  logic [tessera_params_pkg::WGT_IDX_BITS-1:0] wgt_fo_i,
  input  logic [tessera_params_pkg::WGT_IDX_BITS-1:0] wgt_fi_i,
  input  logic [TagBits-1:0]                         tag_i,
  output logic                                       active_o,
  output logic                                       op_valid_o,
  output logic [tessera_params_pkg::UOP_IDX_BITS-1:0] op_uop_o,
  output logic [tessera_params_pkg::ACC_IDX_BITS-1:0] op_dst_off_o,
  output logic [SrcBits-1:0]                         op_src_off_o,
  output logic [tessera_params_pkg::WGT_IDX_BITS-1:0] op_wgt_off_o,
  output logic                                       op_exec_o,  // 0: source-fetch slot
  output logic                                       op_last_o,
  output logic [TagBits-1:0]                         op_tag_o,
  output logic                                       op_tap_o,   // depthwise tap slot
  output logic                                       op_first_o, // ... the first of its group
  output logic                                       op_drain_o, // depthwise drain slot
  output logic [$clog2(tessera_params_pkg::BLOCK_OUT)-1:0] op_q_o // ... its accumulator row
);
  localparam int UopBits = tessera_params_pkg::UOP_IDX_BITS;
  localparam int AccBits = tessera_params_pkg::ACC_IDX_BITS;
  localparam int WgtBits = tessera_params_pkg::WGT_IDX_BITS;

  logic active_q, two_slot_q, reuse_q, exec_q;
  logic [UopBits-1:0] k_q, bgn_q;
  logic [UopBits:0] end_q;
  logic [13:0] o_q, i_q, iter_out_q, iter_in_q;
  logic [AccBits-1:0] dst_fo_q, dst_fi_q, dst_o_q, dst_q;
  logic [SrcBits-1:0] src_fo_q, src_fi_q, src_o_q, src_q;
  logic [WgtBits-1:0] wgt_fo_q, wgt_fi_q, wgt_o_q, wgt_q;
  logic [TagBits-1:0] tag_q;
  logic k_last, i_last, o_last, step, next_group, drain;

  assign k_last = (UopBits+1)'(k_q) + 1'b1 == end_q;
  assign i_last = i_q + 14'd1 == iter_in_q;
  assign o_last = o_q + 14'd1 == iter_out_q;
  assign step   = active_q && exec_q && !drain;  // the exec slot completes a micro-op (or a tap)

  if (Dw) begin : g_dw
    localparam int QBits = $clog2(tessera_params_pkg::BLOCK_OUT);
    logic dw_q, drain_q, first_q, q_last;
    logic [QBits-1:0] q_q;

    assign q_last     = q_q == QBits'(tessera_params_pkg::BLOCK_OUT - 1);
    assign drain      = drain_q;
    assign next_group = dw_q ? drain_q && q_last : step && k_last;
    assign op_tap_o   = active_q && dw_q && !drain_q;
    assign op_first_o = first_q;
    assign op_drain_o = active_q && drain_q;
    assign op_q_o     = q_q;

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        dw_q    <= 1'b0;
        drain_q <= 1'b0;
        first_q <= 1'b1;
        q_q     <= '0;
      end else if (start_i) begin
        dw_q    <= dw_i;
        drain_q <= 1'b0;
        first_q <= 1'b1;
        q_q     <= '0;
      end else if (active_q && dw_q) begin
        if (step) first_q <= 1'b0;
        if (step && k_last) drain_q <= 1'b1;
        if (drain_q) begin
          q_q <= q_q + 1'b1;
          if (q_last) begin
            drain_q <= 1'b0;
            first_q <= 1'b1;
          end
        end
      end
    end
  end else begin : g_plain
    assign drain      = 1'b0;
    assign next_group = step && k_last;
    assign op_tap_o   = 1'b0;
    assign op_first_o = 1'b0;
    assign op_drain_o = 1'b0;
    assign op_q_o     = '0;
    logic unused_dw;
    assign unused_dw = dw_i;
  end

  assign active_o     = active_q;
  assign op_valid_o   = active_q;
  assign op_uop_o     = k_q;
  assign op_dst_off_o = dst_q;
  assign op_src_off_o = src_q;
  assign op_wgt_off_o = wgt_q;
  assign op_exec_o    = exec_q;
  assign op_last_o    = next_group && i_last && o_last;
  assign op_tag_o     = tag_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      active_q <= 1'b0;
      two_slot_q <= 1'b0;
      reuse_q <= 1'b0;
      exec_q <= 1'b1;
      k_q <= '0;
      bgn_q <= '0;
      end_q <= '0;
      o_q <= '0;
      i_q <= '0;
      iter_out_q <= '0;
      iter_in_q <= '0;
      {dst_fo_q, dst_fi_q, dst_o_q, dst_q} <= '0;
      {src_fo_q, src_fi_q, src_o_q, src_q} <= '0;
      {wgt_fo_q, wgt_fi_q, wgt_o_q, wgt_q} <= '0;
      tag_q <= '0;
    end else if (start_i) begin
      active_q   <= 1'b1;
      two_slot_q <= two_slot_i;
      reuse_q    <= uop_end_i == (UopBits+1)'(uop_bgn_i) + 1'b1 && src_fi_i == '0;
      exec_q     <= !two_slot_i;
      k_q        <= uop_bgn_i;
      bgn_q      <= uop_bgn_i;
      end_q      <= uop_end_i;
      o_q        <= '0;
      i_q        <= '0;
      iter_out_q <= iter_out_i;
      iter_in_q  <= iter_in_i;
      dst_fo_q <= dst_fo_i;
      dst_fi_q <= dst_fi_i;
      src_fo_q <= src_fo_i;
      src_fi_q <= src_fi_i;
      wgt_fo_q <= wgt_fo_i;
      wgt_fi_q <= wgt_fi_i;
      {dst_o_q, dst_q} <= '0;
      {src_o_q, src_q} <= '0;
      {wgt_o_q, wgt_q} <= '0;
      tag_q <= tag_i;
    end else if (active_q) begin
      // Fetch again after every micro-op, or with reuse only before the next outer iteration.
      exec_q <= !two_slot_q || !exec_q || (reuse_q && !(k_last && i_last));
      if (step && !k_last) begin
        k_q <= k_q + 1'b1;
      end else if (next_group) begin
        k_q <= bgn_q;
        if (!i_last) begin
          i_q   <= i_q + 14'd1;
          dst_q <= dst_q + dst_fi_q;
          src_q <= src_q + src_fi_q;
          wgt_q <= wgt_q + wgt_fi_q;
        end else begin
          i_q     <= '0;
          o_q     <= o_q + 14'd1;
          dst_o_q <= dst_o_q + dst_fo_q;
          src_o_q <= src_o_q + src_fo_q;
          wgt_o_q <= wgt_o_q + wgt_fo_q;
          dst_q   <= dst_o_q + dst_fo_q;
          src_q   <= src_o_q + src_fo_q;
          wgt_q   <= wgt_o_q + wgt_fo_q;
          if (o_last) active_q <= 1'b0;
        end
      end
    end
  end
endmodule
