// GEMM datapath of one micro-op: BATCH x BLOCK_OUT dot products over BLOCK_IN signed int8 pairs,
// accumulated in ACC_BITS (two's-complement wrap, as int32 arithmetic in the golden model).
// Element layouts are the DRAM/SRAM ones: inp [b][i], wgt [o][i], result [b][o], lane 0 lowest.
module tessera_gemm_core (
  input  logic [tessera_params_pkg::BATCH*tessera_params_pkg::BLOCK_IN*tessera_params_pkg::INP_BITS-1:0]
               inp_i,
  input  logic [tessera_params_pkg::BLOCK_OUT*tessera_params_pkg::BLOCK_IN*tessera_params_pkg::WGT_BITS-1:0]
               wgt_i,
  output logic [tessera_params_pkg::BATCH*tessera_params_pkg::BLOCK_OUT*tessera_params_pkg::ACC_BITS-1:0]
               sum_o
);
  localparam int Batch    = tessera_params_pkg::BATCH;
  localparam int BlockIn  = tessera_params_pkg::BLOCK_IN;
  localparam int BlockOut = tessera_params_pkg::BLOCK_OUT;
  localparam int InpBits  = tessera_params_pkg::INP_BITS;
  localparam int WgtBits  = tessera_params_pkg::WGT_BITS;
  localparam int AccBits  = tessera_params_pkg::ACC_BITS;

  always_comb begin
    for (int b = 0; b < Batch; b++) begin
      for (int o = 0; o < BlockOut; o++) begin : out_lane
        logic signed [AccBits-1:0] acc;
        acc = '0;
        for (int i = 0; i < BlockIn; i++) begin : mac
          logic signed [InpBits+WgtBits-1:0] prod;
          prod = $signed(inp_i[(b*BlockIn+i)*InpBits +: InpBits]) *
                 $signed(wgt_i[(o*BlockIn+i)*WgtBits +: WgtBits]);
          acc = acc + AccBits'(prod);
        end
        sum_o[(b*BlockOut+o)*AccBits +: AccBits] = acc;
      end
    end
  end
endmodule
