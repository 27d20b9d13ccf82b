// GEMM datapath of one micro-op: BATCH x BLOCK_OUT dot products over BLOCK_IN signed int8 pairs,
// accumulated in ACC_BITS (two's-complement wrap, as int32 arithmetic in the golden model), and
// registered. Element layouts are the DRAM/SRAM ones: inp [b][i], wgt [o][i], result [b][o], lane 0
// lowest. The products are computed only in cycles that register them (en_i): same hardware (a
// register enable), but a cycle-based simulator skips the MAC array while GEMM is idle.
//
// With the depthwise mode (DEPTHWISE, R = BLOCK_IN = BLOCK_OUT) inp_i holds R consecutive input
// elements (element r at [r*BATCH*BLOCK_IN*INP_BITS +: ...], from tessera_inp_sram); a normal op uses
// element 0. With dw_i the multiplier (b, o, i) takes element o's [b][i] instead of element 0's and
// weight row wrow_i's [i] instead of row o's (one tap of R channels, broadcast), and the products are
// registered unsummed in prod_q: lane (r*BATCH + b)*R + n holds inp_r[b][n] * wgt[wrow][n],
// INP_BITS + WGT_BITS wide. Without DEPTHWISE, dw_i and wrow_i are ignored, prod_q is 0 and the
// hardware is the plain MAC array.
module tessera_gemm_core (
  input  logic clk_i,
  input  logic en_i,
  input  logic dw_i,
  input  logic [$clog2(tessera_params_pkg::BLOCK_OUT)-1:0] wrow_i,
  input  logic [(tessera_params_pkg::DEPTHWISE != 0 ? tessera_params_pkg::BLOCK_OUT : 1) *
                tessera_params_pkg::BATCH*tessera_params_pkg::BLOCK_IN*tessera_params_pkg::INP_BITS-1:0]
               inp_i,
  input  logic [tessera_params_pkg::BLOCK_OUT*tessera_params_pkg::BLOCK_IN*tessera_params_pkg::WGT_BITS-1:0]
               wgt_i,
  output logic [tessera_params_pkg::BATCH*tessera_params_pkg::BLOCK_OUT*tessera_params_pkg::ACC_BITS-1:0]
               sum_q,
  output logic [(tessera_params_pkg::DEPTHWISE != 0 ?
                 tessera_params_pkg::BLOCK_OUT*tessera_params_pkg::BATCH*tessera_params_pkg::BLOCK_IN *
                 (tessera_params_pkg::INP_BITS + tessera_params_pkg::WGT_BITS) : 1)-1:0]
               prod_q
);
  localparam int Batch    = tessera_params_pkg::BATCH;
  localparam int BlockIn  = tessera_params_pkg::BLOCK_IN;
  localparam int BlockOut = tessera_params_pkg::BLOCK_OUT;
  localparam int InpBits  = tessera_params_pkg::INP_BITS;
  localparam int WgtBits  = tessera_params_pkg::WGT_BITS;
  localparam int AccBits  = tessera_params_pkg::ACC_BITS;
  localparam int ProdBits = InpBits + WgtBits;
  localparam bit Dw       = tessera_params_pkg::DEPTHWISE != 0;

  logic dw;
  logic [BlockIn*WgtBits-1:0] wgt_row;  // the depthwise tap, the same for every multiplier row
  logic [Batch*BlockOut*AccBits-1:0] sum_d;
  localparam int Prods    = Dw ? BlockOut * Batch * BlockIn : 1;  // registered products (depthwise only)
  logic [Prods*ProdBits-1:0] prod_d;

  assign dw      = Dw && dw_i;
  assign wgt_row = wgt_i[wrow_i*BlockIn*WgtBits +: BlockIn*WgtBits];

  // One multiplier per (b, o, i) serves both modes; only its operands differ.
  always_comb begin : dot
    logic signed [AccBits-1:0] acc;
    logic signed [ProdBits-1:0] prod;
    logic [InpBits-1:0] a;
    logic [WgtBits-1:0] w;
    acc = '0;
    prod = '0;
    a = '0;
    w = '0;
    sum_d = '0;
    prod_d = '0;
    if (en_i) begin
      for (int b = 0; b < Batch; b++) begin
        for (int o = 0; o < BlockOut; o++) begin
          acc = '0;
          for (int i = 0; i < BlockIn; i++) begin
            a = inp_i[(((dw ? o * Batch : 0) + b) * BlockIn + i) * InpBits +: InpBits];
            w = dw ? wgt_row[i*WgtBits +: WgtBits] : wgt_i[(o*BlockIn+i)*WgtBits +: WgtBits];
            prod = $signed(a) * $signed(w);
            acc = acc + AccBits'(prod);
            prod_d[(Dw ? (o*Batch+b)*BlockIn+i : 0)*ProdBits +: ProdBits] = prod;
          end
          sum_d[(b*BlockOut+o)*AccBits +: AccBits] = acc;
        end
      end
    end
  end

  always_ff @(posedge clk_i) begin
    if (en_i && !dw) sum_q <= sum_d;
  end
  if (Dw) begin : g_prod
    always_ff @(posedge clk_i) begin
      if (en_i && dw) prod_q <= prod_d;
    end
  end else begin : g_no_prod
    assign prod_q = '0;
    logic unused_dw;
    assign unused_dw = ^{dw_i, wrow_i, prod_d};
  end
endmodule
