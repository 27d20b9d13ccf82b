// GEMM datapath of one micro-op: BATCH x BLOCK_OUT dot products over BLOCK_IN signed int8 pairs,
// accumulated in ACC_BITS (two's-complement wrap, as int32 arithmetic in the golden model). sum_o
// holds the products of the op enabled (en_i) in the cycle before, until the next one. Element
// layouts are the DRAM/SRAM ones: inp [b][i], wgt [o][i], result [b][o], lane 0 lowest.
//
// Without DEPTHWISE each dot product is one chain of multiply-adds, registered at its end: Yosys
// maps a chain onto cascaded DSP48E1s (PCOUT -> PCIN), so the sums cost no fabric adders.
//
// With DEPTHWISE (R = BLOCK_IN = BLOCK_OUT) inp_i holds R consecutive input elements (element r at
// [r*BATCH*BLOCK_IN*INP_BITS +: ...], from tessera_inp_sram) and every multiplier (o, b, i) keeps its
// product in its own ACC_BITS register, which is the DSP48E1's P register used as an accumulator
// (P = (acc ? P : 0) + A*B packs into one DSP; a fabric accumulator per lane would cost R x R adders).
// A normal op (dw_i = 0) multiplies element 0 by weight row o and starts the registers; sum_o adds them
// up in the fabric (a cascade cannot also expose each product). A depthwise tap (dw_i) multiplies
// element o by weight row wrow_i (the tap of R channels, broadcast to every row) and starts (acc_i = 0)
// or adds to the registers: local_o lane (r*BATCH + b)*R + n holds the sum over the taps of
// inp_r[b][n] * wgt[wrow][n], what a drain adds to output vector r.
`include "tessera_assert.svh"

module tessera_gemm_core (
  input  logic clk_i,
  input  logic en_i,
  input  logic dw_i,
  input  logic acc_i,
  input  logic [$clog2(tessera_params_pkg::BLOCK_OUT)-1:0] wrow_i,
  input  logic [(tessera_params_pkg::DEPTHWISE != 0 ? tessera_params_pkg::BLOCK_OUT : 1) *
                tessera_params_pkg::BATCH*tessera_params_pkg::BLOCK_IN*tessera_params_pkg::INP_BITS-1:0]
               inp_i,
  input  logic [tessera_params_pkg::BLOCK_OUT*tessera_params_pkg::BLOCK_IN*tessera_params_pkg::WGT_BITS-1:0]
               wgt_i,
  output logic [tessera_params_pkg::BATCH*tessera_params_pkg::BLOCK_OUT*tessera_params_pkg::ACC_BITS-1:0]
               sum_o,
  output logic [(tessera_params_pkg::DEPTHWISE != 0 ? tessera_params_pkg::BLOCK_OUT : 1) *
                tessera_params_pkg::BATCH*tessera_params_pkg::BLOCK_OUT*tessera_params_pkg::ACC_BITS-1:0]
               local_o
);
  localparam int Batch    = tessera_params_pkg::BATCH;
  localparam int BlockIn  = tessera_params_pkg::BLOCK_IN;
  localparam int BlockOut = tessera_params_pkg::BLOCK_OUT;
  localparam int InpBits  = tessera_params_pkg::INP_BITS;
  localparam int WgtBits  = tessera_params_pkg::WGT_BITS;
  localparam int AccBits  = tessera_params_pkg::ACC_BITS;
  localparam int ProdBits = InpBits + WgtBits;

  if (tessera_params_pkg::DEPTHWISE == 0) begin : g_chain
    logic [Batch*BlockOut*AccBits-1:0] sum_d;

    // Products only in cycles that register them: the same hardware (a register enable), but a
    // cycle-based simulator skips the array while GEMM is idle.
    always_comb begin : dot
      logic signed [AccBits-1:0] acc;
      acc = '0;
      sum_d = '0;
      if (en_i) begin
        for (int b = 0; b < Batch; b++) begin
          for (int o = 0; o < BlockOut; o++) begin
            acc = '0;
            for (int i = 0; i < BlockIn; i++) begin
              acc = acc + AccBits'($signed(inp_i[(b*BlockIn+i)*InpBits +: InpBits]) *
                                   $signed(wgt_i[(o*BlockIn+i)*WgtBits +: WgtBits]));
            end
            sum_d[(b*BlockOut+o)*AccBits +: AccBits] = acc;
          end
        end
      end
    end

    always_ff @(posedge clk_i) begin
      if (en_i) sum_o <= sum_d;
    end
    assign local_o = '0;
    logic unused_dw;
    assign unused_dw = ^{dw_i, acc_i, wrow_i};
  end else begin : g_lanes
    localparam int Prods = BlockOut * Batch * BlockIn;
    `TESSERA_STATIC_ASSERT(g_square, BlockIn == BlockOut, "tessera_gemm_core: DEPTHWISE needs BLOCK_IN == BLOCK_OUT")

    logic [BlockIn*WgtBits-1:0] wgt_row;  // the depthwise tap, the same for every multiplier row
    logic [Prods*AccBits-1:0] p_q;       // lane (o*BATCH + b)*BLOCK_IN + i
    logic keep;

    assign wgt_row = wgt_i[wrow_i*BlockIn*WgtBits +: BlockIn*WgtBits];
    assign keep    = dw_i && acc_i;

    // One multiplier per (o, b, i) serves both modes; only its operands differ. Keep the one expression
    // per register: Yosys 0.23 packs it into the DSP's P register only in this form. Split into a
    // depthwise and a normal branch (if/else on dw_i), Verilator runs ResNet-18 on this config about
    // 20 % faster, but synth_xilinx of this module gives 512 DSPs and 8,192 flip-flops instead of 256
    // DSPs alone; split on keep, 256 DSPs plus 8,192 flip-flops and fabric adders (2026-12-06).
    always_ff @(posedge clk_i) begin
      if (en_i) begin
        for (int o = 0; o < BlockOut; o++) begin
          for (int b = 0; b < Batch; b++) begin
            for (int i = 0; i < BlockIn; i++) begin
              p_q[((o*Batch+b)*BlockIn+i)*AccBits +: AccBits] <=
                (keep ? p_q[((o*Batch+b)*BlockIn+i)*AccBits +: AccBits] : AccBits'(0)) +
                AccBits'($signed(dw_i ? inp_i[((o*Batch+b)*BlockIn+i)*InpBits +: InpBits]
                                      : inp_i[(b*BlockIn+i)*InpBits +: InpBits]) *
                         $signed(dw_i ? wgt_row[i*WgtBits +: WgtBits] : wgt_i[(o*BlockIn+i)*WgtBits +: WgtBits]));
            end
          end
        end
      end
    end

    // After a normal op each register holds one product, which fits PROD_BITS: the sums read only
    // those bits, so their adders are PROD_BITS + log2(BLOCK_IN) wide instead of ACC_BITS.
    always_comb begin : dot
      logic signed [AccBits-1:0] acc;
      acc = '0;
      sum_o = '0;
      for (int b = 0; b < Batch; b++) begin
        for (int o = 0; o < BlockOut; o++) begin
          acc = '0;
          for (int i = 0; i < BlockIn; i++) begin
            acc = acc + AccBits'($signed(p_q[((o*Batch+b)*BlockIn+i)*AccBits +: ProdBits]));
          end
          sum_o[(b*BlockOut+o)*AccBits +: AccBits] = acc;
        end
      end
    end
    assign local_o = p_q;
  end
endmodule
