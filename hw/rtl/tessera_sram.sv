// Simple dual-port SRAM: one write port and one registered read port, coded so FPGA tools infer block RAM.
//
// A read and a write of the same address in one cycle return the old contents (read-first); the
// compute pipeline's forwarding relies on this. `mem_q` is public so the harness can peek it.
`include "tessera_assert.svh"

module tessera_sram #(
  parameter int Width = 32,
  parameter int Depth = 1024
) (
  input  logic                     clk_i,
  input  logic                     we_i,
  input  logic [$clog2(Depth)-1:0] waddr_i,
  input  logic [Width-1:0]         wdata_i,
  input  logic                     re_i,
  input  logic [$clog2(Depth)-1:0] raddr_i,
  output logic [Width-1:0]         rdata_o
);
  `TESSERA_STATIC_ASSERT(g_depth_pow2, Depth >= 2 && (1 << $clog2(Depth)) == Depth,
                         "tessera_sram: Depth must be a power of two >= 2 (indices wrap)")
  `TESSERA_STATIC_ASSERT(g_width, Width >= 1, "tessera_sram: Width must be positive")

  logic [Width-1:0] mem_q [Depth] /*verilator public_flat_rd*/;

  always_ff @(posedge clk_i) begin
    if (we_i) mem_q[waddr_i] <= wdata_i;
    if (re_i) rdata_o <= mem_q[raddr_i];
  end
endmodule
