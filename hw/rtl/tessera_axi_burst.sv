// AXI burst request engine for an AR or AW channel: splits a run of beats at a beat-aligned address
// into INCR bursts of at most AXI_MAX_BURST_BEATS that never cross a 4 KiB boundary.
//
// space_i bounds the beats a new burst may add: a read consumer that can stall (fetch) reserves room
// for every beat it asks for, so it never blocks the shared read-data channel; the write engine uses
// it to bound outstanding bursts. A new run is accepted in the cycle its predecessor's last burst
// issues, so runs follow each other without a gap.
module tessera_axi_burst (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        req_valid_i,
  output logic        req_ready_o,
  input  logic [63:0] req_addr_i,   // beat-aligned byte address
  input  logic [31:0] req_beats_i,  // > 0
  input  logic [31:0] space_i,      // beats the consumer can still take
  output logic        issue_o,      // a burst is issued this cycle ...
  output logic [8:0]  issue_beats_o,// ... of this many beats
  output logic        ax_valid_o,
  input  logic        ax_ready_i,
  output logic [63:0] ax_addr_o,
  output logic [7:0]  ax_len_o,
  output logic        busy_o
);
  localparam int BeatBytes = tessera_params_pkg::AXI_DATA_BITS / 8;
  localparam int BeatShift = $clog2(BeatBytes);
  localparam int MaxBurst  = tessera_params_pkg::AXI_MAX_BURST_BEATS;

  logic [63:0] addr_q;
  logic [31:0] rem_q;
  logic [31:0] to_page, burst;
  logic ar_valid_q;
  logic [63:0] ar_addr_q;
  logic [7:0] ar_len_q;
  logic slot_free, issue, accept;

  // Beats left before the next 4 KiB boundary (MaxBurst * BeatBytes <= 4096 is a config rule).
  assign to_page = (32'd4096 - 32'(addr_q[11:0])) >> BeatShift;
  always_comb begin
    burst = rem_q;
    if (burst > 32'(MaxBurst)) burst = 32'(MaxBurst);
    if (burst > to_page) burst = to_page;
  end

  assign slot_free = !ar_valid_q || ax_ready_i;
  assign issue     = rem_q != 32'd0 && slot_free && burst <= space_i;
  assign accept    = req_valid_i && (rem_q == 32'd0 || (issue && burst == rem_q));
  assign req_ready_o = accept;
  assign issue_o = issue;
  assign issue_beats_o = 9'(burst);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      addr_q     <= '0;
      rem_q      <= '0;
      ar_valid_q <= 1'b0;
      ar_addr_q  <= '0;
      ar_len_q   <= '0;
    end else begin
      if (ax_ready_i) ar_valid_q <= 1'b0;
      if (issue) begin
        ar_valid_q <= 1'b1;
        ar_addr_q  <= addr_q;
        ar_len_q   <= 8'(burst - 32'd1);
        addr_q     <= addr_q + (64'(burst) << BeatShift);
        rem_q      <= rem_q - burst;
      end
      if (accept) begin
        addr_q <= req_addr_i;
        rem_q  <= req_beats_i;
      end
    end
  end

  assign ax_valid_o = ar_valid_q;
  assign ax_addr_o  = ar_addr_q;
  assign ax_len_o   = ar_len_q;
  assign busy_o     = rem_q != 32'd0 || ar_valid_q;
endmodule
