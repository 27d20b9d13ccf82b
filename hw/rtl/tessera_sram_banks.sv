// Two-bank SRAM (index MSB selects the bank): two read and two write ports, so the compute unit's
// GEMM and ALU pipes can each read and write in the same cycle while they address different banks.
//
// Each bank is a tessera_sram (u_bank0: indices below Depth/2, u_bank1: the rest). Port 0 wins a bank
// both ports address in one cycle; the overlap rule keeps programs from doing that (asserted).
`include "tessera_assert.svh"

module tessera_sram_banks #(
  parameter int Width = 32,
  parameter int Depth = 1024
) (
  input  logic                     clk_i,
  input  logic                     rst_ni,
  input  logic [1:0]               we_i,
  input  logic [2*$clog2(Depth)-1:0] waddr_i,  // port p at [p*IdxBits +: IdxBits]
  input  logic [2*Width-1:0]       wdata_i,
  input  logic [1:0]               re_i,
  input  logic [2*$clog2(Depth)-1:0] raddr_i,
  output logic [2*Width-1:0]       rdata_o
);
  localparam int IdxBits = $clog2(Depth);
  `TESSERA_STATIC_ASSERT(g_depth, Depth >= 4 && (1 << IdxBits) == Depth,
                         "tessera_sram_banks: Depth must be a power of two >= 4")

  logic [1:0] wbank, rbank, rbank_q;
  logic [1:0] bank_we, bank_re;
  logic [2*(IdxBits-1)-1:0] bank_waddr, bank_raddr;
  logic [2*Width-1:0] bank_wdata, bank_rdata;

  for (genvar p = 0; p < 2; p++) begin : g_port_bank
    assign wbank[p] = waddr_i[p*IdxBits + IdxBits - 1];
    assign rbank[p] = raddr_i[p*IdxBits + IdxBits - 1];
  end

  for (genvar b = 0; b < 2; b++) begin : g_bank
    logic w0, w1, r0;
    assign w0 = we_i[0] && wbank[0] == 1'(b);
    assign w1 = we_i[1] && wbank[1] == 1'(b);
    assign r0 = re_i[0] && rbank[0] == 1'(b);
    assign bank_we[b] = w0 || w1;
    assign bank_waddr[b*(IdxBits-1) +: IdxBits-1] = w0 ? waddr_i[0 +: IdxBits-1] : waddr_i[IdxBits +: IdxBits-1];
    assign bank_wdata[b*Width +: Width] = w0 ? wdata_i[0 +: Width] : wdata_i[Width +: Width];
    assign bank_re[b] = r0 || (re_i[1] && rbank[1] == 1'(b));
    assign bank_raddr[b*(IdxBits-1) +: IdxBits-1] = r0 ? raddr_i[0 +: IdxBits-1] : raddr_i[IdxBits +: IdxBits-1];

    `TESSERA_ASSERT(a_one_writer, !(w0 && w1), clk_i, rst_ni)
    `TESSERA_ASSERT(a_one_reader, !(r0 && re_i[1] && rbank[1] == 1'(b)), clk_i, rst_ni)
  end

  tessera_sram #(.Width(Width), .Depth(Depth / 2)) u_bank0 (
    .clk_i,
    .we_i   (bank_we[0]),
    .waddr_i(bank_waddr[0 +: IdxBits-1]),
    .wdata_i(bank_wdata[0 +: Width]),
    .re_i   (bank_re[0]),
    .raddr_i(bank_raddr[0 +: IdxBits-1]),
    .rdata_o(bank_rdata[0 +: Width])
  );

  tessera_sram #(.Width(Width), .Depth(Depth / 2)) u_bank1 (
    .clk_i,
    .we_i   (bank_we[1]),
    .waddr_i(bank_waddr[IdxBits-1 +: IdxBits-1]),
    .wdata_i(bank_wdata[Width +: Width]),
    .re_i   (bank_re[1]),
    .raddr_i(bank_raddr[IdxBits-1 +: IdxBits-1]),
    .rdata_o(bank_rdata[Width +: Width])
  );

  always_ff @(posedge clk_i) rbank_q <= rbank;
  for (genvar p = 0; p < 2; p++) begin : g_port_data
    assign rdata_o[p*Width +: Width] = bank_rdata[rbank_q[p]*Width +: Width];
  end
endmodule
