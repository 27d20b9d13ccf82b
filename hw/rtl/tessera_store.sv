// Store unit: executes STORE. Output-SRAM element sram_base + y*x_size + x (each accumulator lane
// truncated to OUT_BITS, kept by the compute unit in its out SRAM) goes to DRAM element
// dram_base + y*x_stride + x (OUT) or, on chip, to input-SRAM element dram_base + y*x_stride + x
// (OUT_TO_INP); x_size == 0 is a token-only sync. To DRAM, elements move in chunks of
// min(element, beat) bytes: elements at least a beat wide stream one beat per cycle, narrower
// elements are packed into beats with byte strobes; the instruction retires once every write burst
// has been acknowledged. OUT_TO_INP writes one element per cycle through the input SRAM's shared
// write port (the load unit's writes go first) and retires after its last write. The on-chip path
// exists only where an output element is an input element (BLOCK_IN == BLOCK_OUT, OUT_BITS ==
// INP_BITS); elsewhere the golden model rejects OUT_TO_INP and here it only moves its tokens.
`include "tessera_assert.svh"

module tessera_store (
  input  logic                                              clk_i,
  input  logic                                              rst_ni,
  input  logic [63:0]                                       data_addr_i,
  input  logic                                              cmd_valid_i,
  input  logic [tessera_params_pkg::INSN_BITS-1:0]          cmd_insn_i,
  input  logic [31:0]                                       cmd_idx_i,
  output logic                                              cmd_pop_o,
  // tokens: prev = compute (g2s in, s2g out); the store unit has no next stage
  input  logic                                              prev_avail_i,
  input  logic                                              prev_space_i,
  output logic                                              pop_prev_o,
  output logic                                              push_prev_o,
  // out SRAM read port (in the compute unit)
  output logic [tessera_params_pkg::ACC_IDX_BITS-1:0]       out_raddr_o,
  input  logic [tessera_params_pkg::OUT_ELEM_BYTES*8-1:0]   out_rdata_i,
  // input SRAM write port (in the load unit) for OUT_TO_INP: valid/ready, ready low while the load
  // unit writes
  output logic                                              inp_wvalid_o,
  input  logic                                              inp_wready_i,
  output logic [tessera_params_pkg::INP_IDX_BITS-1:0]       inp_waddr_o,
  output logic [tessera_params_pkg::INP_ELEM_BYTES*8-1:0]   inp_wdata_o,
  // AXI write
  output logic                                              aw_valid_o,
  input  logic                                              aw_ready_i,
  output logic [63:0]                                       aw_addr_o,
  output logic [7:0]                                        aw_len_o,
  output logic                                              w_valid_o,
  input  logic                                              w_ready_i,
  output logic [tessera_params_pkg::AXI_DATA_BITS-1:0]      w_data_o,
  output logic [tessera_params_pkg::AXI_DATA_BITS/8-1:0]    w_strb_o,
  output logic                                              w_last_o,
  input  logic                                              b_valid_i,
  output logic                                              b_ready_o,
  // observation
  output logic                                              busy_o,
  output logic                                              stall_o,
  output logic                                              retire_o,
  output logic [31:0]                                       retire_idx_o,
  output logic [3:0]                                        wait_o,
  output logic                                              idle_o
);
  localparam int ElemBytes    = tessera_params_pkg::OUT_ELEM_BYTES;
  localparam int ElemBits     = ElemBytes * 8;
  localparam int BeatBytes    = tessera_params_pkg::AXI_DATA_BITS / 8;
  localparam int BeatBits     = BeatBytes * 8;
  localparam int ChunkBytes   = ElemBytes < BeatBytes ? ElemBytes : BeatBytes;
  localparam int ChunkBits    = ChunkBytes * 8;
  localparam int PartsPerElem = ElemBytes / ChunkBytes;
  localparam int LanesPerBeat = BeatBytes / ChunkBytes;
  localparam int PartBits     = PartsPerElem > 1 ? $clog2(PartsPerElem) : 1;
  localparam int LaneBits     = LanesPerBeat > 1 ? $clog2(LanesPerBeat) : 1;
  localparam int AccIdx       = tessera_params_pkg::ACC_IDX_BITS;
  localparam int ElemFifo     = 4;
  localparam int InpIdx       = tessera_params_pkg::INP_IDX_BITS;
  localparam bit OnChip       = tessera_params_pkg::BLOCK_IN == tessera_params_pkg::BLOCK_OUT &&
                                tessera_params_pkg::INP_BITS == tessera_params_pkg::OUT_BITS;

  `TESSERA_STATIC_ASSERT(g_elem_vs_beat, ElemBytes % BeatBytes == 0 || BeatBytes % ElemBytes == 0,
                         "tessera_store: element and bus beat sizes must divide one another")

  logic start, done_q, bus_wait;
  logic [tessera_params_pkg::INSN_BITS-1:0] insn;

  tessera_unit_seq u_seq (
    .clk_i, .rst_ni,
    .cmd_valid_i, .cmd_insn_i, .cmd_idx_i, .cmd_pop_o,
    .prev_avail_i, .next_avail_i(1'b1), .prev_space_i, .next_space_i(1'b1),
    .pop_prev_o, .pop_next_o(), .push_prev_o, .push_next_o(),
    .start_o(start), .exec_o(), .insn_o(insn), .end_i(1'b0), .start_ok_i(1'b1), .chain_i(1'b0), .head_pops_ready_o(),
    .head_pushes_o(), .pushes_o(), .done_i(done_q), .bus_wait_i(bus_wait),
    .busy_o, .stall_o, .retire_o, .retire_idx_o, .wait_o, .idle_o
  );

  logic [tessera_isa_pkg::MEM_MEMORY_TYPE_W-1:0] mem_type;
  logic [tessera_isa_pkg::MEM_SRAM_BASE_W-1:0] sram_base;
  logic [tessera_isa_pkg::MEM_DRAM_BASE_W-1:0] dram_base;
  logic [tessera_isa_pkg::MEM_Y_SIZE_W-1:0] y_size;
  logic [tessera_isa_pkg::MEM_X_SIZE_W-1:0] x_size;
  logic [tessera_isa_pkg::MEM_X_STRIDE_W-1:0] x_stride;

  // Padding fields have no meaning for STORE and are ignored.
  tessera_mem_decode u_decode (
    .insn_i(insn), .mem_type_o(mem_type), .sram_base_o(sram_base), .dram_base_o(dram_base),
    .y_size_o(y_size), .x_size_o(x_size), .x_stride_o(x_stride), .y_pad_0_o(),
    .y_pad_1_o(), .x_pad_0_o(), .x_pad_1_o()
  );

  // OUT_TO_INP on a config without the on-chip path: tokens only
  logic to_inp, skip;
  assign to_inp = mem_type == tessera_isa_pkg::MEM_OUT_TO_INP;
  assign skip   = x_size == '0 || y_size == '0 || (to_inp && !OnChip);

  logic active_q, to_inp_q;
  logic [63:0] data_addr_q;
  logic [tessera_isa_pkg::MEM_X_SIZE_W-1:0] x_size_q;
  logic [tessera_isa_pkg::MEM_X_STRIDE_W-1:0] x_stride_q;

  // ---- row requests ----------------------------------------------------------------------------
  logic [tessera_isa_pkg::MEM_Y_SIZE_W-1:0] req_rows_q;
  logic [47:0] req_elem_q;
  logic [63:0] row_addr;
  logic [31:0] row_beats;
  logic req_ready, wr_idle;

  assign row_addr = data_addr_q + 64'(req_elem_q) * 64'(ElemBytes);
  if (LanesPerBeat > 1) begin : g_narrow_req
    logic [LaneBits-1:0] lane0;
    assign lane0 = req_elem_q[LaneBits-1:0];
    assign row_beats = (32'(lane0) + 32'(x_size_q) + 32'(LanesPerBeat - 1)) >> LaneBits;
  end else begin : g_wide_req
    assign row_beats = 32'(x_size_q) * 32'(PartsPerElem);
  end

  // ---- out SRAM reads into a small element FIFO (credit = free entries) -------------------------
  logic [31:0] rd_left_q;
  logic [AccIdx-1:0] raddr_q;
  logic rd_pending_q, rd_issue, elem_valid, elem_pop;
  logic [2:0] elem_count;
  logic [ElemBits-1:0] elem;

  assign rd_issue = active_q && rd_left_q != '0 && 32'(elem_count) + 32'(rd_pending_q) < 32'(ElemFifo - 1);
  assign out_raddr_o = raddr_q;

  tessera_fifo #(.Width(ElemBits), .Depth(ElemFifo)) u_elems (
    .clk_i,
    .rst_ni,
    .push_i (rd_pending_q),
    .wdata_i(out_rdata_i),
    .full_o (),
    .pop_i  (elem_pop),
    .rdata_o(elem),
    .valid_o(elem_valid),
    .count_o(elem_count)
  );

  // ---- elements -> beats -----------------------------------------------------------------------
  logic out_valid_q, beat_ready, step, part_last, row_end, emit, inp_fire;
  logic [BeatBits-1:0] out_data_q, pack_data_q, beat_data;
  logic [BeatBytes-1:0] out_strb_q, pack_strb_q, beat_strb;
  logic [PartBits-1:0] part_q;
  logic [LaneBits-1:0] lane_q;
  logic [tessera_isa_pkg::MEM_X_SIZE_W-1:0] col_q;
  logic [47:0] row_elem_q;
  logic [ChunkBits-1:0] chunk;

  assign chunk     = elem[32'(part_q) * ChunkBits +: ChunkBits];
  assign part_last = PartsPerElem == 1 || part_q == PartBits'(PartsPerElem - 1);
  assign row_end   = part_last && col_q == x_size_q - 1'b1;
  assign step      = active_q && !to_inp_q && elem_valid && (!out_valid_q || beat_ready);
  assign emit      = LanesPerBeat == 1 || lane_q == LaneBits'(LanesPerBeat - 1) || row_end;
  assign elem_pop  = (step && part_last) || inp_fire;

  always_comb begin
    beat_data = pack_data_q;
    beat_strb = pack_strb_q;
    beat_data[32'(lane_q) * ChunkBits +: ChunkBits] = chunk;
    beat_strb[32'(lane_q) * ChunkBytes +: ChunkBytes] = '1;
  end

  tessera_dma_wr u_dma_wr (
    .clk_i,
    .rst_ni,
    .req_valid_i (req_rows_q != '0),
    .req_ready_o (req_ready),
    .req_addr_i  (row_addr & ~(64'(BeatBytes) - 64'd1)),
    .req_beats_i (row_beats),
    .beat_valid_i(out_valid_q),
    .beat_data_i (out_data_q),
    .beat_strb_i (out_strb_q),
    .beat_ready_o(beat_ready),
    .aw_valid_o,
    .aw_ready_i,
    .aw_addr_o,
    .aw_len_o,
    .w_valid_o,
    .w_ready_i,
    .w_data_o,
    .w_strb_o,
    .w_last_o,
    .b_valid_i,
    .b_ready_o,
    .idle_o      (wr_idle)
  );

  // ---- elements -> input SRAM (OUT_TO_INP): element (y, x) at row_elem_q + col_q -------------------
  assign inp_wvalid_o = active_q && to_inp_q && elem_valid;
  assign inp_fire     = inp_wvalid_o && inp_wready_i;
  assign inp_waddr_o  = InpIdx'(row_elem_q + 48'(col_q));
  if (OnChip) begin : g_on_chip
    assign inp_wdata_o = elem;
  end else begin : g_no_on_chip  // never valid: skip retires OUT_TO_INP at once
    assign inp_wdata_o = '0;
  end

  // Waiting on the bus, or on the input SRAM's write port while the load unit writes it.
  assign bus_wait = active_q && ((out_valid_q && !beat_ready) || (inp_wvalid_o && !inp_wready_i) ||
                                 (rd_left_q == '0 && !elem_valid && !out_valid_q && !wr_idle));

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      active_q     <= 1'b0;
      to_inp_q     <= 1'b0;
      done_q       <= 1'b0;
      data_addr_q  <= '0;
      x_size_q     <= '0;
      x_stride_q   <= '0;
      req_rows_q   <= '0;
      req_elem_q   <= '0;
      rd_left_q    <= '0;
      raddr_q      <= '0;
      rd_pending_q <= 1'b0;
      out_valid_q  <= 1'b0;
      out_data_q   <= '0;
      out_strb_q   <= '0;
      pack_data_q  <= '0;
      pack_strb_q  <= '0;
      part_q       <= '0;
      lane_q       <= '0;
      col_q        <= '0;
      row_elem_q   <= '0;
    end else begin
      done_q <= 1'b0;
      if (start) begin
        data_addr_q <= data_addr_i;
        x_size_q    <= x_size;
        x_stride_q  <= x_stride;
        raddr_q     <= AccIdx'(sram_base);
        req_elem_q  <= 48'(dram_base);
        row_elem_q  <= 48'(dram_base);
        lane_q      <= LanesPerBeat > 1 ? LaneBits'(dram_base) : '0;
        part_q      <= '0;
        col_q       <= '0;
        to_inp_q    <= to_inp;
        if (skip) begin
          done_q <= 1'b1;
        end else begin
          active_q   <= 1'b1;
          req_rows_q <= to_inp ? '0 : y_size;  // OUT_TO_INP requests no DRAM writes
          rd_left_q  <= 32'(y_size) * 32'(x_size);
        end
      end else if (active_q) begin
        if (req_rows_q != '0 && req_ready) begin
          req_rows_q <= req_rows_q - 1'b1;
          req_elem_q <= req_elem_q + 48'(x_stride_q);
        end
        rd_pending_q <= rd_issue;
        if (rd_issue) begin
          raddr_q   <= raddr_q + 1'b1;
          rd_left_q <= rd_left_q - 32'd1;
        end
        if (out_valid_q && beat_ready) out_valid_q <= 1'b0;
        if (step) begin
          part_q <= part_last ? '0 : part_q + 1'b1;
          if (emit) begin
            out_valid_q <= 1'b1;
            out_data_q  <= beat_data;
            out_strb_q  <= beat_strb;
            pack_data_q <= '0;
            pack_strb_q <= '0;
          end else begin
            pack_data_q <= beat_data;
            pack_strb_q <= beat_strb;
          end
          if (row_end) begin
            col_q      <= '0;
            row_elem_q <= row_elem_q + 48'(x_stride_q);
            lane_q     <= LanesPerBeat > 1 ? LaneBits'(row_elem_q + 48'(x_stride_q)) : '0;
          end else begin
            if (part_last) col_q <= col_q + 1'b1;
            lane_q <= LanesPerBeat > 1 ? lane_q + 1'b1 : '0;
          end
        end
        if (inp_fire) begin
          if (col_q == x_size_q - 1'b1) begin
            col_q      <= '0;
            row_elem_q <= row_elem_q + 48'(x_stride_q);
          end else begin
            col_q <= col_q + 1'b1;
          end
        end
        if (rd_left_q == '0 && !rd_pending_q && !elem_valid && !out_valid_q && req_rows_q == '0 &&
            wr_idle) begin
          active_q <= 1'b0;
          done_q   <= 1'b1;
        end
      end
    end
  end
endmodule
