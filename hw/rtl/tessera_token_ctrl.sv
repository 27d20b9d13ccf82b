// Token bookkeeping of one instruction: are its pops available and its pushes accepted, and which
// queue it waits on. Flags name the queues from the unit's view (prev/next); a unit without a
// prev or next queue ties that queue's status to 1, which makes the flag a no-op as in VTA.
module tessera_token_ctrl (
  input  logic       pop_prev_i,
  input  logic       pop_next_i,
  input  logic       push_prev_i,
  input  logic       push_next_i,
  input  logic       prev_avail_i,
  input  logic       next_avail_i,
  input  logic       prev_space_i,
  input  logic       next_space_i,
  output logic       pops_ready_o,
  output logic       pushes_ready_o,
  // [0] pop prev, [1] pop next, [2] push prev, [3] push next: that queue holds the instruction back
  output logic [3:0] wait_o
);
  assign wait_o = {push_next_i && !next_space_i, push_prev_i && !prev_space_i,
                   pop_next_i && !next_avail_i, pop_prev_i && !prev_avail_i};
  assign pops_ready_o   = wait_o[1:0] == 2'b00;
  assign pushes_ready_o = wait_o[3:2] == 2'b00;
endmodule
