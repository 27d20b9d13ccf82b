// Instruction sequencer of a unit (load, store, compute): take the queue head, pop its tokens, run
// the engine, push its tokens, retire. The instruction header (opcode and the four token flags) is
// handled here only. The load and store units run one instruction at a time (chain_i = end_i = 0);
// the compute unit overlaps consecutive GEMM/ALU instructions with the other two controls:
//   chain_i  (in SExec) take the next queue head now: pop it and its tokens, restart the engine with
//            it, stay in SExec; the caller asserts it only when cmd_valid_i and head_pops_ready_o
//   end_i    (in SExec) the instruction's pushes and retire happen elsewhere (from the compute
//            pipelines' tails): back to SIdle without a push phase
//   start_ok_i (in SPop) the engine can take the instruction (compute: its pipe is free)
module tessera_unit_seq (
  input  logic                                    clk_i,
  input  logic                                    rst_ni,
  // command queue head
  input  logic                                    cmd_valid_i,
  input  logic [tessera_params_pkg::INSN_BITS-1:0] cmd_insn_i,
  input  logic [31:0]                             cmd_idx_i,
  output logic                                    cmd_pop_o,
  // token queues as seen by this unit
  input  logic                                    prev_avail_i,
  input  logic                                    next_avail_i,
  input  logic                                    prev_space_i,
  input  logic                                    next_space_i,
  output logic                                    pop_prev_o,
  output logic                                    pop_next_o,
  output logic                                    push_prev_o,
  output logic                                    push_next_o,
  // execution engine
  output logic                                    start_o,
  output logic                                    exec_o,
  output logic [tessera_params_pkg::INSN_BITS-1:0] insn_o,
  input  logic                                    done_i,
  input  logic                                    end_i,
  input  logic                                    chain_i,
  input  logic                                    start_ok_i,
  output logic                                    head_pops_ready_o,
  output logic [1:0]                              head_pushes_o,  // {push_prev, push_next} of the head
  output logic [1:0]                              pushes_o,       // the same of the instruction
  input  logic                                    bus_wait_i,
  // observation
  output logic                                    busy_o,
  output logic                                    stall_o,
  output logic                                    retire_o,
  output logic [31:0]                             retire_idx_o,
  output logic [3:0]                              wait_o,
  output logic                                    idle_o
);
  typedef enum logic [1:0] {SIdle, SPop, SExec, SPush} state_e;
  state_e state_q, state_d;
  logic [tessera_params_pkg::INSN_BITS-1:0] insn_q;
  logic [31:0] idx_q;
  logic pops_ready, pushes_ready;
  logic f_pop_prev, f_pop_next, f_push_prev, f_push_next, h_pop_prev, h_pop_next;
  logic [3:0] wait_flags;

  assign f_pop_prev  = insn_q[tessera_isa_pkg::FINISH_POP_PREV_LSB];
  assign f_pop_next  = insn_q[tessera_isa_pkg::FINISH_POP_NEXT_LSB];
  assign f_push_prev = insn_q[tessera_isa_pkg::FINISH_PUSH_PREV_LSB];
  assign f_push_next = insn_q[tessera_isa_pkg::FINISH_PUSH_NEXT_LSB];
  assign h_pop_prev  = cmd_insn_i[tessera_isa_pkg::FINISH_POP_PREV_LSB];
  assign h_pop_next  = cmd_insn_i[tessera_isa_pkg::FINISH_POP_NEXT_LSB];

  tessera_token_ctrl u_tokens (
    .pop_prev_i    (f_pop_prev),
    .pop_next_i    (f_pop_next),
    .push_prev_i   (f_push_prev),
    .push_next_i   (f_push_next),
    .prev_avail_i,
    .next_avail_i,
    .prev_space_i,
    .next_space_i,
    .pops_ready_o  (pops_ready),
    .pushes_ready_o(pushes_ready),
    .wait_o        (wait_flags)
  );

  // the queue head's pops, for chaining (pushes belong to the instruction when it retires)
  tessera_token_ctrl u_head_tokens (
    .pop_prev_i    (h_pop_prev),
    .pop_next_i    (h_pop_next),
    .push_prev_i   (1'b0),
    .push_next_i   (1'b0),
    .prev_avail_i,
    .next_avail_i,
    .prev_space_i  (1'b1),
    .next_space_i  (1'b1),
    .pops_ready_o  (head_pops_ready_o),
    .pushes_ready_o(),
    .wait_o        ()
  );

  always_comb begin
    state_d     = state_q;
    cmd_pop_o   = 1'b0;
    start_o     = 1'b0;
    pop_prev_o  = 1'b0;
    pop_next_o  = 1'b0;
    push_prev_o = 1'b0;
    push_next_o = 1'b0;
    retire_o    = 1'b0;
    unique case (state_q)
      SIdle: if (cmd_valid_i) begin
        cmd_pop_o = 1'b1;
        state_d   = SPop;
      end
      SPop: if (pops_ready && start_ok_i) begin
        pop_prev_o = f_pop_prev;
        pop_next_o = f_pop_next;
        start_o    = 1'b1;
        state_d    = SExec;
      end
      SExec: if (done_i) begin
        state_d = SPush;
      end else if (end_i) begin
        state_d = SIdle;
      end else if (chain_i) begin
        cmd_pop_o  = 1'b1;
        pop_prev_o = h_pop_prev;
        pop_next_o = h_pop_next;
      end
      SPush: if (pushes_ready) begin
        push_prev_o = f_push_prev;
        push_next_o = f_push_next;
        retire_o    = 1'b1;
        state_d     = SIdle;
      end
      default: state_d = SIdle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= SIdle;
      insn_q  <= '0;
      idx_q   <= '0;
    end else begin
      state_q <= state_d;
      if (cmd_pop_o) begin
        insn_q <= cmd_insn_i;
        idx_q  <= cmd_idx_i;
      end
    end
  end

  assign insn_o       = insn_q;
  assign exec_o       = state_q == SExec;
  assign pushes_o      = {f_push_prev, f_push_next};
  assign head_pushes_o = {cmd_insn_i[tessera_isa_pkg::FINISH_PUSH_PREV_LSB], cmd_insn_i[tessera_isa_pkg::FINISH_PUSH_NEXT_LSB]};
  assign retire_idx_o = idx_q;
  assign wait_o       = (state_q == SPop) ? {2'b00, wait_flags[1:0]} :
                        (state_q == SPush) ? {wait_flags[3:2], 2'b00} : 4'b0000;
  assign stall_o      = wait_o != 4'b0000 || (state_q == SExec && bus_wait_i);
  assign busy_o       = state_q != SIdle && !stall_o;
  assign idle_o       = state_q == SIdle;
endmodule
