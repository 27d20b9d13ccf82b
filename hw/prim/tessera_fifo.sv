// Synchronous first-word-fall-through FIFO on a block-RAM-friendly tessera_sram.
//
// The RAM is always read at the next head address, so its registered output is the head one cycle
// later; a one-entry bypass covers the write that lands on that address in the same cycle.
// Push and pop may happen in the same cycle; pushing when full or popping when empty is ignored.
`include "tessera_assert.svh"

module tessera_fifo #(
  parameter int Width = 8,
  parameter int Depth = 4
) (
  input  logic                       clk_i,
  input  logic                       rst_ni,
  input  logic                       push_i,
  input  logic [Width-1:0]           wdata_i,
  output logic                       full_o,
  input  logic                       pop_i,
  output logic [Width-1:0]           rdata_o,
  output logic                       valid_o,
  output logic [$clog2(Depth+1)-1:0] count_o
);
  `TESSERA_STATIC_ASSERT(g_depth_pow2, Depth >= 2 && (1 << $clog2(Depth)) == Depth,
                         "tessera_fifo: Depth must be a power of two >= 2")
  localparam int PtrBits = $clog2(Depth);
  localparam int CntBits = $clog2(Depth + 1);

  logic [PtrBits-1:0] wptr_q, rptr_q, rptr_next;
  logic [CntBits-1:0] count_q;
  logic push, pop;
  logic bypass_q;
  logic [Width-1:0] bypass_data_q, ram_rdata;

  assign full_o  = count_q == CntBits'(Depth);
  assign valid_o = count_q != '0;
  assign count_o = count_q;
  assign push = push_i && !full_o;
  assign pop  = pop_i && valid_o;
  assign rptr_next = pop ? rptr_q + 1'b1 : rptr_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wptr_q   <= '0;
      rptr_q   <= '0;
      count_q  <= '0;
      bypass_q <= 1'b0;
    end else begin
      if (push) wptr_q <= wptr_q + 1'b1;
      rptr_q  <= rptr_next;
      count_q <= count_q + CntBits'(push) - CntBits'(pop);
      bypass_q <= push && wptr_q == rptr_next;
    end
  end

  always_ff @(posedge clk_i) begin
    if (push) bypass_data_q <= wdata_i;
  end

  tessera_sram #(.Width(Width), .Depth(Depth)) u_ram (
    .clk_i,
    .we_i   (push),
    .waddr_i(wptr_q),
    .wdata_i(wdata_i),
    .re_i   (1'b1),
    .raddr_i(rptr_next),
    .rdata_o(ram_rdata)
  );

  assign rdata_o = bypass_q ? bypass_data_q : ram_rdata;
endmodule
