// 2-D strided DMA into an SRAM with zero padding: the LOAD instruction's data movement.
//
// The SRAM is written contiguously from sram_base, one element per cycle: y_pad_0 zero rows of width
// x_pad_0+x_size+x_pad_1, then y_size rows of x_pad_0 zeros, x_size elements read from DRAM element
// dram_base + y*x_stride + x, x_pad_1 zeros, then y_pad_1 zero rows; x_size == 0 is a no-op.
// A request side issues each data row as beat-aligned bursts while the writer walks the SRAM
// positions; DRAM data moves in chunks of min(element, beat) bytes, so elements at least a beat wide
// stream at one beat per cycle and narrower elements at one element per cycle.
// DATA_ADDR must be aligned to the bus width (the driver maps buffers 4 KiB-aligned).
`include "tessera_assert.svh"

module tessera_load_2d #(
  parameter int ElemBytes = 16,
  parameter int IdxBits   = 11
) (
  input  logic                                              clk_i,
  input  logic                                              rst_ni,
  input  logic                                              start_i,
  input  logic [63:0]                                       data_addr_i,
  input  logic [IdxBits-1:0]                                sram_base_i,  // wraps at the SRAM depth
  input  logic [tessera_isa_pkg::MEM_DRAM_BASE_W-1:0]       dram_base_i,
  input  logic [tessera_isa_pkg::MEM_Y_SIZE_W-1:0]          y_size_i,
  input  logic [tessera_isa_pkg::MEM_X_SIZE_W-1:0]          x_size_i,
  input  logic [tessera_isa_pkg::MEM_X_STRIDE_W-1:0]        x_stride_i,
  input  logic [tessera_isa_pkg::MEM_Y_PAD_0_W-1:0]         y_pad_0_i,
  input  logic [tessera_isa_pkg::MEM_Y_PAD_1_W-1:0]         y_pad_1_i,
  input  logic [tessera_isa_pkg::MEM_X_PAD_0_W-1:0]         x_pad_0_i,
  input  logic [tessera_isa_pkg::MEM_X_PAD_1_W-1:0]         x_pad_1_i,
  output logic                                              done_o,
  output logic                                              bus_wait_o,
  // AXI read address (to the arbiter) and read data (already filtered by ID)
  output logic                                              ar_valid_o,
  input  logic                                              ar_ready_i,
  output logic [63:0]                                       ar_addr_o,
  output logic [7:0]                                        ar_len_o,
  input  logic                                              r_valid_i,
  input  logic [tessera_params_pkg::AXI_DATA_BITS-1:0]      r_data_i,
  output logic                                              r_ready_o,
  // SRAM write port
  output logic                                              we_o,
  output logic [IdxBits-1:0]                                waddr_o,
  output logic [ElemBytes*8-1:0]                            wdata_o
);
  localparam int BeatBytes   = tessera_params_pkg::AXI_DATA_BITS / 8;
  localparam int ChunkBytes  = ElemBytes < BeatBytes ? ElemBytes : BeatBytes;
  localparam int ChunkBits   = ChunkBytes * 8;
  localparam int PartsPerElem = ElemBytes / ChunkBytes;  // > 1 only for elements wider than a beat
  localparam int LanesPerBeat = BeatBytes / ChunkBytes;  // > 1 only for elements narrower than a beat
  localparam int PartBits    = PartsPerElem > 1 ? $clog2(PartsPerElem) : 1;
  localparam int LaneBits    = LanesPerBeat > 1 ? $clog2(LanesPerBeat) : 1;
  localparam int CountBits   = tessera_isa_pkg::MEM_Y_SIZE_W + 2;  // a pad field is at most 4 bits

  `TESSERA_STATIC_ASSERT(g_elem_vs_beat, ElemBytes % BeatBytes == 0 || BeatBytes % ElemBytes == 0,
                         "tessera_load_2d: element and bus beat sizes must divide one another")
  `TESSERA_STATIC_ASSERT(g_pow2, (1 << $clog2(ElemBytes)) == ElemBytes,
                         "tessera_load_2d: ElemBytes must be a power of two")

  // ---- instruction registers -------------------------------------------------------------------
  logic [63:0] data_addr_q;
  logic [IdxBits-1:0] waddr_q;
  logic [tessera_isa_pkg::MEM_X_SIZE_W-1:0] x_size_q;
  logic [tessera_isa_pkg::MEM_X_STRIDE_W-1:0] x_stride_q;
  logic [CountBits-1:0] rows_q, cols_q, data_row0_q, data_row_end_q, data_col0_q, data_col_end_q;
  logic [CountBits-1:0] rows_d, cols_d;

  assign rows_d = CountBits'(y_pad_0_i) + CountBits'(y_size_i) + CountBits'(y_pad_1_i);
  assign cols_d = CountBits'(x_pad_0_i) + CountBits'(x_size_i) + CountBits'(x_pad_1_i);

  // ---- request side: one beat run per data row -----------------------------------------------
  logic [CountBits-1:0] req_rows_q;
  logic [47:0] req_elem_q;
  logic [63:0] row_addr;
  logic [31:0] row_beats;
  logic req_ready;

  assign row_addr = data_addr_q + 64'(req_elem_q) * 64'(ElemBytes);
  if (LanesPerBeat > 1) begin : g_narrow_req
    logic [LaneBits-1:0] lane0;
    assign lane0 = req_elem_q[LaneBits-1:0];
    assign row_beats = (32'(lane0) + 32'(x_size_q) + 32'(LanesPerBeat - 1)) >> LaneBits;
  end else begin : g_wide_req
    assign row_beats = 32'(x_size_q) * 32'(PartsPerElem);
  end

  tessera_axi_burst u_burst (
    .clk_i,
    .rst_ni,
    .req_valid_i  (req_rows_q != '0),
    .req_ready_o  (req_ready),
    .req_addr_i   (row_addr & ~(64'(BeatBytes) - 64'd1)),
    .req_beats_i  (row_beats),
    .space_i      ('1),
    .issue_o      (),
    .issue_beats_o(),
    .ax_valid_o   (ar_valid_o),
    .ax_ready_i   (ar_ready_i),
    .ax_addr_o    (ar_addr_o),
    .ax_len_o     (ar_len_o),
    .busy_o       ()
  );

  // ---- write side: walk every SRAM position ----------------------------------------------------
  logic active_q;
  logic [CountBits-1:0] row_q, col_q;
  logic [PartBits-1:0] part_q;
  logic [LaneBits-1:0] lane_q;
  logic [47:0] wr_elem_q;  // DRAM element index of the current data row
  logic data_pos, part_last, row_last_data, beat_done, advance, last_pos;
  logic [ChunkBits-1:0] chunk;
  logic [ElemBytes*8-1:0] elem;

  assign data_pos = row_q >= data_row0_q && row_q < data_row_end_q &&
                    col_q >= data_col0_q && col_q < data_col_end_q;
  assign part_last = PartsPerElem == 1 || part_q == PartBits'(PartsPerElem - 1);
  assign row_last_data = col_q == data_col_end_q - 1'b1;
  assign beat_done = LanesPerBeat == 1 || lane_q == LaneBits'(LanesPerBeat - 1) ||
                     (part_last && row_last_data);
  assign chunk = r_data_i[32'(lane_q) * ChunkBits +: ChunkBits];
  assign advance = active_q && (!data_pos || (r_valid_i && part_last));
  assign last_pos = row_q == rows_q - 1'b1 && col_q == cols_q - 1'b1;

  if (PartsPerElem > 1) begin : g_assemble
    logic [(PartsPerElem-1)*ChunkBits-1:0] asm_q;
    logic [(PartsPerElem-1)*ChunkBits-1:0] asm_d;
    if (PartsPerElem == 2) begin : g_two
      assign asm_d = chunk;
    end else begin : g_shift
      assign asm_d = {chunk, asm_q[(PartsPerElem-1)*ChunkBits-1:ChunkBits]};
    end
    always_ff @(posedge clk_i) begin
      if (active_q && data_pos && r_valid_i && !part_last) asm_q <= asm_d;
    end
    assign elem = {chunk, asm_q};
  end else begin : g_direct
    assign elem = chunk;
  end

  assign r_ready_o  = active_q && data_pos && beat_done;
  assign bus_wait_o = active_q && data_pos && !r_valid_i;
  assign we_o    = advance;
  assign waddr_o = waddr_q;
  assign wdata_o = data_pos ? elem : '0;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      active_q <= 1'b0;
      done_o   <= 1'b0;
      data_addr_q <= '0;
      waddr_q <= '0;
      x_size_q <= '0;
      x_stride_q <= '0;
      rows_q <= '0;
      cols_q <= '0;
      data_row0_q <= '0;
      data_row_end_q <= '0;
      data_col0_q <= '0;
      data_col_end_q <= '0;
      req_rows_q <= '0;
      req_elem_q <= '0;
      row_q <= '0;
      col_q <= '0;
      part_q <= '0;
      lane_q <= '0;
      wr_elem_q <= '0;
    end else begin
      done_o <= 1'b0;
      if (start_i) begin
        data_addr_q    <= data_addr_i;
        waddr_q        <= sram_base_i;
        x_size_q       <= x_size_i;
        x_stride_q     <= x_stride_i;
        rows_q         <= rows_d;
        cols_q         <= cols_d;
        data_row0_q    <= CountBits'(y_pad_0_i);
        data_row_end_q <= CountBits'(y_pad_0_i) + CountBits'(y_size_i);
        data_col0_q    <= CountBits'(x_pad_0_i);
        data_col_end_q <= CountBits'(x_pad_0_i) + CountBits'(x_size_i);
        row_q          <= '0;
        col_q          <= '0;
        part_q         <= '0;
        lane_q         <= LanesPerBeat > 1 ? LaneBits'(dram_base_i) : '0;
        wr_elem_q      <= 48'(dram_base_i);
        req_elem_q     <= 48'(dram_base_i);
        if (x_size_i == '0 || rows_d == '0) begin
          done_o     <= 1'b1;  // sync-only instruction, or nothing to write
          req_rows_q <= '0;
        end else begin
          active_q   <= 1'b1;
          req_rows_q <= CountBits'(y_size_i);
        end
      end else begin
        if (req_rows_q != '0 && req_ready) begin
          req_rows_q <= req_rows_q - 1'b1;
          req_elem_q <= req_elem_q + 48'(x_stride_q);
        end
        if (active_q && data_pos && r_valid_i) begin
          part_q <= part_last ? '0 : part_q + 1'b1;
          // Lanes wrap at the end of a beat; a new row starts at its own element's lane.
          if (part_last && row_last_data) begin
            wr_elem_q <= wr_elem_q + 48'(x_stride_q);
            lane_q    <= LanesPerBeat > 1 ? LaneBits'(wr_elem_q + 48'(x_stride_q)) : '0;
          end else begin
            lane_q <= LanesPerBeat > 1 ? lane_q + 1'b1 : '0;
          end
        end
        if (advance) begin
          waddr_q <= waddr_q + 1'b1;
          if (col_q == cols_q - 1'b1) begin
            col_q <= '0;
            row_q <= row_q + 1'b1;
          end else begin
            col_q <= col_q + 1'b1;
          end
          if (last_pos) begin
            active_q <= 1'b0;
            done_o   <= 1'b1;
          end
        end
      end
    end
  end
endmodule
