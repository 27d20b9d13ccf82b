// Read arbiter onto the single AXI master: round-robin over the requesters' AR channels, the
// requester's port number as ARID, read data routed back by RID, and at most AXI_MAX_OUTSTANDING
// bursts in flight in total. The AR output is registered, so a granted request stays stable until
// the slave accepts it, as AXI requires. Read data passes a two-entry register slice, so no unit
// logic depends combinationally on the R inputs (shorter paths, and a cycle-based simulator does not
// re-evaluate the units whenever the testbench changes R); it still moves one beat per cycle.
`include "tessera_assert.svh"

module tessera_axi_rd_arb #(
  parameter int Ports = 3
) (
  input  logic                   clk_i,
  input  logic                   rst_ni,
  input  logic [Ports-1:0]       req_valid_i,
  input  logic [Ports*64-1:0]    req_addr_i,  // port p at [64p +: 64]
  input  logic [Ports*8-1:0]     req_len_i,   // port p at [8p +: 8]
  output logic [Ports-1:0]       req_ready_o,
  output logic [Ports-1:0]       r_valid_o,
  output logic [tessera_params_pkg::AXI_DATA_BITS-1:0] r_data_o,
  input  logic [Ports-1:0]       r_ready_i,
  output logic [63:0]            m_araddr_o,
  output logic [7:0]             m_arlen_o,
  output logic [1:0]             m_arid_o,
  output logic                   m_arvalid_o,
  input  logic                   m_arready_i,
  input  logic [tessera_params_pkg::AXI_DATA_BITS-1:0] m_rdata_i,
  input  logic [1:0]             m_rid_i,
  input  logic                   m_rlast_i,
  input  logic                   m_rvalid_i,
  output logic                   m_rready_o
);
  `TESSERA_STATIC_ASSERT(g_ports, Ports >= 1 && Ports <= 4, "tessera_axi_rd_arb: 2-bit IDs allow 1..4 ports")
  localparam int MaxOut  = tessera_params_pkg::AXI_MAX_OUTSTANDING;
  localparam int OutBits = $clog2(MaxOut + 1);

  logic ar_valid_q;
  logic [63:0] ar_addr_q;
  logic [7:0] ar_len_q;
  logic [1:0] ar_id_q, last_q, grant;
  logic [OutBits-1:0] outstanding_q;
  logic can_issue, granted, r_done;

  assign can_issue = (!ar_valid_q || m_arready_i) && outstanding_q != OutBits'(MaxOut);

  // Round robin: the first valid requester after the last one granted.
  always_comb begin
    grant = last_q;
    granted = 1'b0;
    for (int off = Ports; off >= 1; off--) begin
      if (req_valid_i[(32'(last_q) + off) % Ports]) begin
        grant = 2'((32'(last_q) + off) % Ports);
        granted = 1'b1;
      end
    end
  end

  always_comb begin
    req_ready_o = '0;
    if (can_issue && granted) req_ready_o[grant] = 1'b1;
  end

  // ---- read data slice: {id, last, data} ------------------------------------------------------
  localparam int SliceBits = 2 + 1 + tessera_params_pkg::AXI_DATA_BITS;
  logic slice_full, slice_valid, slice_pop, slice_last;
  logic [1:0] slice_id;
  logic [SliceBits-1:0] slice_head;

  tessera_fifo #(.Width(SliceBits), .Depth(2)) u_r_slice (
    .clk_i,
    .rst_ni,
    .push_i (m_rvalid_i && !slice_full),
    .wdata_i({m_rid_i, m_rlast_i, m_rdata_i}),
    .full_o (slice_full),
    .pop_i  (slice_pop),
    .rdata_o(slice_head),
    .valid_o(slice_valid),
    .count_o()
  );
  assign m_rready_o = !slice_full;
  assign {slice_id, slice_last, r_data_o} = slice_head;

  assign r_done = slice_pop && slice_last;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ar_valid_q    <= 1'b0;
      ar_addr_q     <= '0;
      ar_len_q      <= '0;
      ar_id_q       <= '0;
      last_q        <= 2'(Ports - 1);
      outstanding_q <= '0;
    end else begin
      if (m_arready_i) ar_valid_q <= 1'b0;
      if (can_issue && granted) begin
        ar_valid_q <= 1'b1;
        ar_addr_q  <= req_addr_i[32'(grant)*64 +: 64];
        ar_len_q   <= req_len_i[32'(grant)*8 +: 8];
        ar_id_q    <= grant;
        last_q     <= grant;
      end
      outstanding_q <= outstanding_q + OutBits'(can_issue && granted) - OutBits'(r_done);
    end
  end

  assign m_araddr_o  = ar_addr_q;
  assign m_arlen_o   = ar_len_q;
  assign m_arid_o    = ar_id_q;
  assign m_arvalid_o = ar_valid_q;

  always_comb begin
    r_valid_o = '0;
    slice_pop = slice_valid;  // data for an ID nobody uses is drained
    for (int p = 0; p < Ports; p++) begin
      if (slice_id == 2'(p)) begin
        r_valid_o[p] = slice_valid;
        slice_pop    = slice_valid && r_ready_i[p];
      end
    end
  end
endmodule
