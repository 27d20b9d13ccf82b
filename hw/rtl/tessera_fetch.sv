// Instruction fetch: reads INSN_COUNT instructions from INSN_ADDR over AXI and routes each, tagged
// with its program index, to the load, compute or store command queue (VTA's routing: STORE to
// store; LOAD of INP/WGT to load; everything else to compute). Fetch stalls while the target queue
// is full. Bursts are only requested into reserved beat-buffer space, so a full command queue never
// blocks the shared read-data channel that the other units need to make progress.
`include "tessera_assert.svh"

module tessera_fetch (
  input  logic                                                  clk_i,
  input  logic                                                  rst_ni,
  input  logic                                                  start_i,
  input  logic [31:0]                                           insn_count_i,
  input  logic [63:0]                                           insn_addr_i,
  output logic                                                  idle_o,
  output logic                                                  ar_valid_o,
  input  logic                                                  ar_ready_i,
  output logic [63:0]                                           ar_addr_o,
  output logic [7:0]                                            ar_len_o,
  input  logic                                                  r_valid_i,
  input  logic [tessera_params_pkg::AXI_DATA_BITS-1:0]          r_data_i,
  output logic                                                  r_ready_o,
  // command queues: [0] load, [1] compute, [2] store; entry = {program index, instruction}
  output logic [2:0]                                            q_push_o,
  output logic [32+tessera_params_pkg::INSN_BITS-1:0]           q_data_o,
  input  logic [2:0]                                            q_full_i
);
  // Greatest common divisor of a and b, for b a power of two.
  function automatic int gcd_pow2(input int a, input int b);
    gcd_pow2 = 1;
    for (int c = 1; c <= b; c = c * 2) begin
      if (a % c == 0) gcd_pow2 = c;
    end
  endfunction

  localparam int InsnBits     = tessera_params_pkg::INSN_BITS;
  localparam int InsnBytes    = InsnBits / 8;
  localparam int BeatBits     = tessera_params_pkg::AXI_DATA_BITS;
  localparam int BeatBytes    = BeatBits / 8;
  // Instructions are whole 64-bit words but need not divide the beat or be divided by it (192-bit
  // instructions on a 128-bit bus), so they move in chunks of gcd(instruction, beat) bytes.
  localparam int ChunkBytes   = gcd_pow2(InsnBytes, BeatBytes);
  localparam int ChunkBits    = ChunkBytes * 8;
  localparam int PartsPerInsn = InsnBytes / ChunkBytes;
  localparam int LanesPerBeat = BeatBytes / ChunkBytes;
  localparam int PartBits     = PartsPerInsn > 1 ? $clog2(PartsPerInsn) : 1;
  localparam int LaneBits     = LanesPerBeat > 1 ? $clog2(LanesPerBeat) : 1;
  localparam int BufDepth     = 2 * tessera_params_pkg::AXI_MAX_BURST_BEATS;
  localparam int BufCntBits   = $clog2(BufDepth + 1);

  `TESSERA_STATIC_ASSERT(g_chunk, ChunkBytes >= 1 && InsnBytes % ChunkBytes == 0 && BeatBytes % ChunkBytes == 0,
                         "tessera_fetch: no common chunk of instruction and beat bytes")

  logic running_q;
  logic [31:0] count_q, sent_q;
  logic [31:0] inflight_q, space;
  logic [BufCntBits-1:0] buf_count;
  logic buf_valid, buf_pop, issue, req_ready, req_pending_q;
  logic [8:0] issue_beats;
  logic [BeatBits-1:0] beat;
  logic [PartBits-1:0] part_q;
  logic [LaneBits-1:0] lane_q;
  logic [ChunkBits-1:0] chunk;
  logic [InsnBits-1:0] insn;
  logic part_last, last_insn, dispatch, consume;
  logic [1:0] target;
  logic [31:0] run_beats;  // INSN_COUNT is limited to what 2^32 beats hold

  // ---- requests ------------------------------------------------------------------------------
  assign run_beats = 32'((64'(insn_count_i) * 64'(InsnBytes) + 64'(BeatBytes) - 64'd1) / 64'(BeatBytes));
  assign space = 32'(BufDepth) - 32'(buf_count) - inflight_q;

  logic [63:0] req_addr_q;
  logic [31:0] req_beats_q;
  tessera_axi_burst u_burst (
    .clk_i,
    .rst_ni,
    .req_valid_i  (req_pending_q),
    .req_ready_o  (req_ready),
    .req_addr_i   (req_addr_q),
    .req_beats_i  (req_beats_q),
    .space_i      (space),
    .issue_o      (issue),
    .issue_beats_o(issue_beats),
    .ax_valid_o   (ar_valid_o),
    .ax_ready_i   (ar_ready_i),
    .ax_addr_o    (ar_addr_o),
    .ax_len_o     (ar_len_o),
    .busy_o       ()
  );

  // ---- reserved beat buffer --------------------------------------------------------------------
  tessera_fifo #(.Width(BeatBits), .Depth(BufDepth)) u_beats (
    .clk_i,
    .rst_ni,
    .push_i (r_valid_i),
    .wdata_i(r_data_i),
    .full_o (),
    .pop_i  (buf_pop),
    .rdata_o(beat),
    .valid_o(buf_valid),
    .count_o(buf_count)
  );
  assign r_ready_o = 1'b1;  // space was reserved when the burst was requested

  // ---- beats -> instructions -> queues ---------------------------------------------------------
  assign chunk = beat[32'(lane_q) * ChunkBits +: ChunkBits];
  assign part_last = PartsPerInsn == 1 || part_q == PartBits'(PartsPerInsn - 1);
  if (PartsPerInsn > 1) begin : g_assemble
    logic [(PartsPerInsn-1)*ChunkBits-1:0] asm_q, asm_d;
    if (PartsPerInsn == 2) begin : g_two
      assign asm_d = chunk;
    end else begin : g_shift
      assign asm_d = {chunk, asm_q[(PartsPerInsn-1)*ChunkBits-1:ChunkBits]};
    end
    always_ff @(posedge clk_i) begin
      if (consume && !part_last) asm_q <= asm_d;
    end
    assign insn = {chunk, asm_q};
  end else begin : g_direct
    assign insn = chunk;
  end

  logic [2:0] opcode, mem_type;
  assign opcode   = insn[tessera_isa_pkg::FINISH_OPCODE_LSB +: tessera_isa_pkg::FINISH_OPCODE_W];
  assign mem_type = insn[tessera_isa_pkg::MEM_MEMORY_TYPE_LSB +: tessera_isa_pkg::MEM_MEMORY_TYPE_W];
  always_comb begin
    if (opcode == tessera_isa_pkg::OPC_STORE) target = 2'd2;
    else if (opcode == tessera_isa_pkg::OPC_LOAD &&
             (mem_type == tessera_isa_pkg::MEM_INP || mem_type == tessera_isa_pkg::MEM_WGT)) target = 2'd0;
    else target = 2'd1;
  end

  assign last_insn = sent_q == count_q - 32'd1;
  // A chunk is consumed when it is not the last part of an instruction, or when its instruction
  // can be dispatched to a queue with room.
  assign dispatch = running_q && buf_valid && part_last && !q_full_i[target];
  assign consume  = running_q && buf_valid && (!part_last || !q_full_i[target]);
  assign buf_pop  = consume && (LanesPerBeat == 1 || lane_q == LaneBits'(LanesPerBeat - 1) ||
                                (part_last && last_insn));
  assign q_push_o = dispatch ? 3'(1) << target : 3'b000;
  assign q_data_o = {sent_q, insn};
  assign idle_o   = !running_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      running_q     <= 1'b0;
      count_q       <= '0;
      sent_q        <= '0;
      inflight_q    <= '0;
      req_pending_q <= 1'b0;
      req_addr_q    <= '0;
      req_beats_q   <= '0;
      part_q        <= '0;
      lane_q        <= '0;
    end else begin
      inflight_q <= inflight_q + (issue ? 32'(issue_beats) : 32'd0) - 32'(r_valid_i);
      if (req_ready) req_pending_q <= 1'b0;
      if (start_i && insn_count_i != 32'd0) begin
        running_q     <= 1'b1;
        count_q       <= insn_count_i;
        sent_q        <= '0;
        req_pending_q <= 1'b1;
        req_addr_q    <= insn_addr_i;
        req_beats_q   <= run_beats;
        part_q        <= '0;
        lane_q        <= '0;
      end else if (consume) begin
        part_q <= part_last ? '0 : part_q + 1'b1;
        lane_q <= LanesPerBeat > 1 && !buf_pop ? lane_q + 1'b1 : '0;
        if (dispatch) begin
          sent_q <= sent_q + 32'd1;
          if (last_insn) running_q <= 1'b0;
        end
      end
    end
  end
endmodule
