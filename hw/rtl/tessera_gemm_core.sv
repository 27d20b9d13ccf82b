// GEMM datapath of one micro-op: BATCH x BLOCK_OUT dot products over BLOCK_IN signed int8 pairs,
// accumulated in ACC_BITS (two's-complement wrap, as int32 arithmetic in the golden model), and
// registered. Element layouts are the DRAM/SRAM ones: inp [b][i], wgt [o][i], result [b][o], lane 0
// lowest. The products are computed only in cycles that register them (en_i): same hardware (a
// register enable), but a cycle-based simulator skips the MAC array while GEMM is idle.
module tessera_gemm_core (
  input  logic clk_i,
  input  logic en_i,
  input  logic [tessera_params_pkg::BATCH*tessera_params_pkg::BLOCK_IN*tessera_params_pkg::INP_BITS-1:0]
               inp_i,
  input  logic [tessera_params_pkg::BLOCK_OUT*tessera_params_pkg::BLOCK_IN*tessera_params_pkg::WGT_BITS-1:0]
               wgt_i,
  output logic [tessera_params_pkg::BATCH*tessera_params_pkg::BLOCK_OUT*tessera_params_pkg::ACC_BITS-1:0]
               sum_q
);
  localparam int Batch    = tessera_params_pkg::BATCH;
  localparam int BlockIn  = tessera_params_pkg::BLOCK_IN;
  localparam int BlockOut = tessera_params_pkg::BLOCK_OUT;
  localparam int InpBits  = tessera_params_pkg::INP_BITS;
  localparam int WgtBits  = tessera_params_pkg::WGT_BITS;
  localparam int AccBits  = tessera_params_pkg::ACC_BITS;

  logic [Batch*BlockOut*AccBits-1:0] sum_d;

  always_comb begin : dot
    logic signed [AccBits-1:0] acc;
    logic signed [InpBits+WgtBits-1:0] prod;
    acc = '0;
    prod = '0;
    sum_d = '0;
    if (en_i) begin
      for (int b = 0; b < Batch; b++) begin
        for (int o = 0; o < BlockOut; o++) begin
          acc = '0;
          for (int i = 0; i < BlockIn; i++) begin
            prod = $signed(inp_i[(b*BlockIn+i)*InpBits +: InpBits]) *
                   $signed(wgt_i[(o*BlockIn+i)*WgtBits +: WgtBits]);
            acc = acc + AccBits'(prod);
          end
          sum_d[(b*BlockOut+o)*AccBits +: AccBits] = acc;
        end
      end
    end
  end

  always_ff @(posedge clk_i) begin
    if (en_i) sum_q <= sum_d;
  end
endmodule
