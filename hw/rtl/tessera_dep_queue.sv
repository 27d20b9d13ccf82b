// Dependency-token queue between two units: a saturating counter of TOKEN_QUEUE_DEPTH one-bit tokens.
//
// Units check avail_o before popping and space_o before pushing; a push into a full queue stalls the
// pushing unit (it never reaches this module). clr_i empties the queue when a program starts.
`include "tessera_assert.svh"

module tessera_dep_queue #(
  parameter int Depth = 8
) (
  input  logic       clk_i,
  input  logic       rst_ni,
  input  logic       clr_i,
  input  logic       push_i,
  input  logic       pop_i,
  output logic       avail_o,
  output logic       space_o,
  output logic [7:0] count_o
);
  `TESSERA_STATIC_ASSERT(g_depth, Depth >= 1 && Depth <= 255, "tessera_dep_queue: Depth must be 1..255")

  logic [7:0] count_q;
  logic push, pop;

  assign avail_o = count_q != 8'd0;
  assign space_o = count_q != 8'(Depth);
  assign push = push_i && space_o;
  assign pop  = pop_i && avail_o;
  assign count_o = count_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) count_q <= 8'd0;
    else if (clr_i) count_q <= 8'd0;
    else count_q <= count_q + 8'(push) - 8'(pop);
  end
endmodule
