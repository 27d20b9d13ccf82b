// Input SRAM: one tessera_sram, or with the depthwise mode BLOCK_OUT interleaved banks read R elements at once.
//
// Without DEPTHWISE this is exactly one tessera_sram (g_one.u_sram) and rdata_o is inp[raddr].
// With it (R = BLOCK_OUT), bank k (g_wide.g_bank[k].u_sram) holds the elements e with e mod R == k
// at row e / R, and a read of address a returns the R consecutive elements a, a+1, ..., a+R-1: element r at [r*ElemW +: ElemW],
// from bank (a + r) mod R, which reads row a/R + (k < a mod R); the banks' outputs are rotated by the
// registered a mod R (read latency 1, as one SRAM). Element 0 is inp[a], what a normal GEMM uses.
// Elements past the top of the SRAM wrap to row 0 of their bank (don't care: programs stay inside).
// Writes (one element per cycle from the load unit) go to bank waddr mod R, row waddr / R.
`include "tessera_assert.svh"

module tessera_inp_sram (
  input  logic                                           clk_i,
  input  logic                                           we_i,
  input  logic [tessera_params_pkg::INP_IDX_BITS-1:0]    waddr_i,
  input  logic [tessera_params_pkg::INP_ELEM_BYTES*8-1:0] wdata_i,
  input  logic [tessera_params_pkg::INP_IDX_BITS-1:0]    raddr_i,
  output logic [(tessera_params_pkg::DEPTHWISE != 0 ? tessera_params_pkg::BLOCK_OUT : 1) *
                tessera_params_pkg::INP_ELEM_BYTES*8-1:0] rdata_o
);
  localparam int ElemW = tessera_params_pkg::INP_ELEM_BYTES * 8;
  localparam int Depth = tessera_params_pkg::INP_DEPTH;
  localparam int Idx   = tessera_params_pkg::INP_IDX_BITS;

  if (tessera_params_pkg::DEPTHWISE == 0) begin : g_one
    tessera_sram #(.Width(ElemW), .Depth(Depth)) u_sram (
      .clk_i, .we_i, .waddr_i, .wdata_i, .re_i(1'b1), .raddr_i, .rdata_o
    );
  end else begin : g_wide
    localparam int R       = tessera_params_pkg::BLOCK_OUT;
    localparam int SelBits = $clog2(R);
    localparam int RowBits = Idx - SelBits;

    `TESSERA_STATIC_ASSERT(g_square, tessera_params_pkg::BLOCK_IN == tessera_params_pkg::BLOCK_OUT,
                           "tessera_inp_sram: DEPTHWISE needs BLOCK_IN == BLOCK_OUT")
    `TESSERA_STATIC_ASSERT(g_multiple, Depth % R == 0 && Depth / R >= 2,
                           "tessera_inp_sram: DEPTHWISE needs INP_DEPTH a multiple of BLOCK_OUT (two rows per bank at least)")

    logic [SelBits-1:0] rsel, rsel_q, wsel;
    logic [RowBits-1:0] rrow, wrow;
    logic [R*ElemW-1:0] bank_rdata;

    assign rsel = raddr_i[SelBits-1:0];
    assign rrow = raddr_i[Idx-1:SelBits];
    assign wsel = waddr_i[SelBits-1:0];
    assign wrow = waddr_i[Idx-1:SelBits];

    for (genvar k = 0; k < R; k++) begin : g_bank
      logic [RowBits-1:0] row;  // a/R, or the next row when bank k holds elements below a mod R
      if (k == R - 1) begin : g_last  // a mod R never exceeds R - 1
        assign row = rrow;
      end else begin : g_next
        assign row = rrow + RowBits'(rsel > SelBits'(k));
      end
      tessera_sram #(.Width(ElemW), .Depth(Depth / R)) u_sram (
        .clk_i,
        .we_i   (we_i && wsel == SelBits'(k)),
        .waddr_i(wrow),
        .wdata_i,
        .re_i   (1'b1),
        .raddr_i(row),
        .rdata_o(bank_rdata[k*ElemW +: ElemW])
      );
    end

    always_ff @(posedge clk_i) rsel_q <= rsel;

    // Element r comes from bank (a + r) mod R: the banks' outputs rotated down by a mod R elements,
    // one 2:1 stage per select bit (synthesis maps two stages to a LUT6 per bit: 4,142 LUTs for
    // the default config, where R separate R:1 muxes took 10,277).
    localparam int RowW = R * ElemW;
    always_comb begin : rotate
      logic [RowW-1:0] v;
      v = bank_rdata;
      for (int s = 0; s < SelBits; s++) begin
        if (rsel_q[s]) v = RowW'({v, v} >> ((1 << s) * ElemW));
      end
      rdata_o = v;
    end
  end
endmodule
