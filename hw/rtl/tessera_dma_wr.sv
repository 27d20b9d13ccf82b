// AXI write DMA engine: issues each requested run of beats as AW bursts (via tessera_axi_burst),
// streams the caller's beats onto W with WLAST at every burst end, and counts B responses, so idle_o
// means every write has been acknowledged. At most AXI_MAX_OUTSTANDING bursts are in flight.
module tessera_dma_wr (
  input  logic                                              clk_i,
  input  logic                                              rst_ni,
  input  logic                                              req_valid_i,
  output logic                                              req_ready_o,
  input  logic [63:0]                                       req_addr_i,
  input  logic [31:0]                                       req_beats_i,
  input  logic                                              beat_valid_i,
  input  logic [tessera_params_pkg::AXI_DATA_BITS-1:0]      beat_data_i,
  input  logic [tessera_params_pkg::AXI_DATA_BITS/8-1:0]    beat_strb_i,
  output logic                                              beat_ready_o,
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
  output logic                                              idle_o
);
  localparam int MaxOut   = tessera_params_pkg::AXI_MAX_OUTSTANDING;
  localparam int LenDepth = MaxOut < 2 ? 2 : 1 << $clog2(MaxOut);
  localparam int OutBits  = $clog2(MaxOut + 1);

  logic issue, burst_busy, len_full, len_valid, w_fire, b_fire;
  logic [8:0] len_head;
  logic [7:0] beat_q;
  logic [OutBits-1:0] outstanding_q;

  tessera_axi_burst u_burst (
    .clk_i,
    .rst_ni,
    .req_valid_i,
    .req_ready_o,
    .req_addr_i,
    .req_beats_i,
    .space_i      ((len_full || outstanding_q == OutBits'(MaxOut)) ? 32'd0 : '1),
    .issue_o      (issue),
    .issue_beats_o(),
    .ax_valid_o   (aw_valid_o),
    .ax_ready_i   (aw_ready_i),
    .ax_addr_o    (aw_addr_o),
    .ax_len_o     (aw_len_o),
    .busy_o       (burst_busy)
  );

  // Burst lengths in AW order, so W knows where each burst ends. A length enters when its AW is
  // accepted, so W data never precedes its address (simple slaves rely on that).
  tessera_fifo #(.Width(9), .Depth(LenDepth)) u_lens (
    .clk_i,
    .rst_ni,
    .push_i (aw_valid_o && aw_ready_i),
    .wdata_i(9'(aw_len_o) + 9'd1),
    .full_o (len_full),
    .pop_i  (w_fire && w_last_o),
    .rdata_o(len_head),
    .valid_o(len_valid),
    .count_o()
  );

  assign w_valid_o    = beat_valid_i && len_valid;
  assign beat_ready_o = w_ready_i && len_valid;
  assign w_data_o     = beat_data_i;
  assign w_strb_o     = beat_strb_i;
  assign w_last_o     = 9'(beat_q) + 9'd1 == len_head;
  assign w_fire       = w_valid_o && w_ready_i;
  assign b_ready_o    = 1'b1;
  assign b_fire       = b_valid_i;
  assign idle_o       = !burst_busy && !len_valid && outstanding_q == '0 && !req_valid_i;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      beat_q        <= '0;
      outstanding_q <= '0;
    end else begin
      if (w_fire) beat_q <= w_last_o ? 8'd0 : beat_q + 8'd1;
      outstanding_q <= outstanding_q + OutBits'(issue) - OutBits'(b_fire);
    end
  end
endmodule
