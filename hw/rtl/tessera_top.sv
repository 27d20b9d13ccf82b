// tessera accelerator top level: control registers, fetch, the three command queues, the four
// dependency-token queues, the load/compute/store units and the AXI read arbiter. No parameters:
// everything comes from the generated packages of one config. Block diagram in hw/rtl/README.md.
//
// AXI errors (RRESP/BRESP) are not reported; the host sees the data the slave returned.
`include "tessera_assert.svh"

module tessera_top (
  input  logic                                            clk_i,
  input  logic                                            rst_ni,
  // AXI4-Lite control slave
  input  logic [tessera_regs_pkg::REGS_ADDR_BITS-1:0]     s_axil_awaddr_i,
  input  logic                                            s_axil_awvalid_i,
  output logic                                            s_axil_awready_o,
  input  logic [31:0]                                     s_axil_wdata_i,
  input  logic [3:0]                                      s_axil_wstrb_i,
  input  logic                                            s_axil_wvalid_i,
  output logic                                            s_axil_wready_o,
  output logic [1:0]                                      s_axil_bresp_o,
  output logic                                            s_axil_bvalid_o,
  input  logic                                            s_axil_bready_i,
  input  logic [tessera_regs_pkg::REGS_ADDR_BITS-1:0]     s_axil_araddr_i,
  input  logic                                            s_axil_arvalid_i,
  output logic                                            s_axil_arready_o,
  output logic [31:0]                                     s_axil_rdata_o,
  output logic [1:0]                                      s_axil_rresp_o,
  output logic                                            s_axil_rvalid_o,
  input  logic                                            s_axil_rready_i,
  // AXI4 master to DRAM; ID = requesting unit: 0 fetch, 1 load, 2 compute, 3 store
  output logic [63:0]                                     m_axi_araddr_o,
  output logic [7:0]                                      m_axi_arlen_o,
  output logic [2:0]                                      m_axi_arsize_o,
  output logic [1:0]                                      m_axi_arburst_o,
  output logic [1:0]                                      m_axi_arid_o,
  output logic                                            m_axi_arvalid_o,
  input  logic                                            m_axi_arready_i,
  input  logic [tessera_params_pkg::AXI_DATA_BITS-1:0]    m_axi_rdata_i,
  input  logic [1:0]                                      m_axi_rresp_i,
  input  logic                                            m_axi_rlast_i,
  input  logic [1:0]                                      m_axi_rid_i,
  input  logic                                            m_axi_rvalid_i,
  output logic                                            m_axi_rready_o,
  output logic [63:0]                                     m_axi_awaddr_o,
  output logic [7:0]                                      m_axi_awlen_o,
  output logic [2:0]                                      m_axi_awsize_o,
  output logic [1:0]                                      m_axi_awburst_o,
  output logic [1:0]                                      m_axi_awid_o,
  output logic                                            m_axi_awvalid_o,
  input  logic                                            m_axi_awready_i,
  output logic [tessera_params_pkg::AXI_DATA_BITS-1:0]    m_axi_wdata_o,
  output logic [tessera_params_pkg::AXI_DATA_BITS/8-1:0]  m_axi_wstrb_o,
  output logic                                            m_axi_wlast_o,
  output logic                                            m_axi_wvalid_o,
  input  logic                                            m_axi_wready_i,
  input  logic [1:0]                                      m_axi_bresp_i,
  input  logic [1:0]                                      m_axi_bid_i,
  input  logic                                            m_axi_bvalid_i,
  output logic                                            m_axi_bready_o,
  output logic                                            interrupt_o,
  // observation; index u: 0 load, 1 compute, 2 store; token queue q: 0 l2g, 1 g2l, 2 g2s, 3 s2g
  output logic [2:0]                                      obs_busy_o,
  output logic [2:0]                                      obs_stall_o,
  output logic [2:0]                                      obs_retire_o,
  output logic [95:0]                                     obs_retire_idx_o,
  output logic [11:0]                                     obs_wait_o,
  output logic [31:0]                                     obs_tokens_o
);
  localparam int InsnBits  = tessera_params_pkg::INSN_BITS;
  localparam int EntryBits = InsnBits + 32;
  localparam int BeatBytes = tessera_params_pkg::AXI_DATA_BITS / 8;
  localparam logic [2:0] AxiSize = 3'($clog2(BeatBytes));

  // Every format starts with the same header, so header fields are read at the FINISH positions.
  `TESSERA_STATIC_ASSERT(g_header,
      tessera_isa_pkg::MEM_OPCODE_LSB == tessera_isa_pkg::FINISH_OPCODE_LSB &&
      tessera_isa_pkg::GEMM_OPCODE_LSB == tessera_isa_pkg::FINISH_OPCODE_LSB &&
      tessera_isa_pkg::ALU_OPCODE_LSB == tessera_isa_pkg::FINISH_OPCODE_LSB &&
      tessera_isa_pkg::MEM_POP_PREV_LSB == tessera_isa_pkg::FINISH_POP_PREV_LSB &&
      tessera_isa_pkg::GEMM_POP_PREV_LSB == tessera_isa_pkg::FINISH_POP_PREV_LSB &&
      tessera_isa_pkg::ALU_POP_PREV_LSB == tessera_isa_pkg::FINISH_POP_PREV_LSB &&
      tessera_isa_pkg::MEM_PUSH_NEXT_LSB == tessera_isa_pkg::FINISH_PUSH_NEXT_LSB &&
      tessera_isa_pkg::GEMM_PUSH_NEXT_LSB == tessera_isa_pkg::FINISH_PUSH_NEXT_LSB &&
      tessera_isa_pkg::ALU_PUSH_NEXT_LSB == tessera_isa_pkg::FINISH_PUSH_NEXT_LSB &&
      tessera_isa_pkg::FINISH_OPCODE_W == 3,
      "tessera_top: instruction formats disagree on the common header")
  `TESSERA_STATIC_ASSERT(g_axi, tessera_params_pkg::AXI_ADDR_BITS == 64 && BeatBytes >= 4 && BeatBytes <= 128,
                         "tessera_top: the AXI master has 64-bit addresses and 32..1024-bit data")
  `TESSERA_STATIC_ASSERT(g_burst, tessera_params_pkg::AXI_MAX_BURST_BEATS >= 1 &&
                         tessera_params_pkg::AXI_MAX_BURST_BEATS <= 256 &&
                         tessera_params_pkg::AXI_MAX_BURST_BEATS * BeatBytes <= 4096,
                         "tessera_top: a burst must be 1..256 beats and fit in 4 KiB")

  // ---- control registers -----------------------------------------------------------------------
  logic start, done, running_q, finish_seen_q;
  logic [31:0] insn_count;
  logic [63:0] insn_addr, data_addr;
  logic gemm_uop, alu_uop;

  tessera_ctrl_regs u_ctrl (
    .clk_i, .rst_ni,
    .awaddr_i(s_axil_awaddr_i), .awvalid_i(s_axil_awvalid_i), .awready_o(s_axil_awready_o),
    .wdata_i(s_axil_wdata_i), .wstrb_i(s_axil_wstrb_i), .wvalid_i(s_axil_wvalid_i),
    .wready_o(s_axil_wready_o), .bresp_o(s_axil_bresp_o), .bvalid_o(s_axil_bvalid_o),
    .bready_i(s_axil_bready_i), .araddr_i(s_axil_araddr_i), .arvalid_i(s_axil_arvalid_i),
    .arready_o(s_axil_arready_o), .rdata_o(s_axil_rdata_o), .rresp_o(s_axil_rresp_o),
    .rvalid_o(s_axil_rvalid_o), .rready_i(s_axil_rready_i), .interrupt_o,
    .start_o(start), .insn_count_o(insn_count), .insn_addr_o(insn_addr), .data_addr_o(data_addr),
    .done_i(done), .busy_i(obs_busy_o), .stall_i(obs_stall_o), .gemm_uop_i(gemm_uop),
    .alu_uop_i(alu_uop)
  );

  // ---- read arbiter: port 0 fetch, 1 load, 2 compute -------------------------------------------
  logic [2:0] rd_req_valid, rd_req_ready, rd_r_valid, rd_r_ready;
  logic [tessera_params_pkg::AXI_DATA_BITS-1:0] rd_data;
  logic [3*64-1:0] rd_req_addr;  // port p at [64p +: 64]
  logic [3*8-1:0] rd_req_len;

  tessera_axi_rd_arb #(.Ports(3)) u_rd_arb (
    .clk_i, .rst_ni,
    .req_valid_i(rd_req_valid), .req_addr_i(rd_req_addr), .req_len_i(rd_req_len),
    .req_ready_o(rd_req_ready), .r_valid_o(rd_r_valid), .r_data_o(rd_data), .r_ready_i(rd_r_ready),
    .m_araddr_o(m_axi_araddr_o), .m_arlen_o(m_axi_arlen_o), .m_arid_o(m_axi_arid_o),
    .m_arvalid_o(m_axi_arvalid_o), .m_arready_i(m_axi_arready_i), .m_rdata_i(m_axi_rdata_i),
    .m_rid_i(m_axi_rid_i),
    .m_rlast_i(m_axi_rlast_i), .m_rvalid_i(m_axi_rvalid_i), .m_rready_o(m_axi_rready_o)
  );
  assign m_axi_arsize_o  = AxiSize;
  assign m_axi_arburst_o = 2'b01;  // INCR
  assign m_axi_awsize_o  = AxiSize;
  assign m_axi_awburst_o = 2'b01;
  assign m_axi_awid_o    = 2'd3;

  // ---- fetch and command queues: [0] load, [1] compute, [2] store -------------------------------
  logic fetch_idle;
  logic [2:0] q_push, q_full, q_valid, q_pop;
  logic [EntryBits-1:0] q_wdata;
  logic [3*EntryBits-1:0] q_head;  // queue u at [EntryBits*u +: EntryBits]

  tessera_fetch u_fetch (
    .clk_i, .rst_ni,
    .start_i(start), .insn_count_i(insn_count), .insn_addr_i(insn_addr), .idle_o(fetch_idle),
    .ar_valid_o(rd_req_valid[0]), .ar_ready_i(rd_req_ready[0]), .ar_addr_o(rd_req_addr[0 +: 64]),
    .ar_len_o(rd_req_len[0 +: 8]), .r_valid_i(rd_r_valid[0]), .r_data_i(rd_data),
    .r_ready_o(rd_r_ready[0]), .q_push_o(q_push), .q_data_o(q_wdata), .q_full_i(q_full)
  );

  for (genvar u = 0; u < 3; u++) begin : g_cmd_queue
    tessera_fifo #(.Width(EntryBits), .Depth(tessera_params_pkg::CMD_QUEUE_DEPTH)) u_queue (
      .clk_i, .rst_ni,
      .push_i(q_push[u]), .wdata_i(q_wdata), .full_o(q_full[u]),
      .pop_i(q_pop[u]), .rdata_o(q_head[u*EntryBits +: EntryBits]), .valid_o(q_valid[u]), .count_o()
    );
  end

  // ---- dependency-token queues: 0 l2g, 1 g2l, 2 g2s, 3 s2g -------------------------------------
  logic [3:0] tok_push, tok_pop, tok_avail, tok_space;

  for (genvar q = 0; q < 4; q++) begin : g_token_queue
    tessera_dep_queue #(.Depth(tessera_params_pkg::TOKEN_QUEUE_DEPTH)) u_queue (
      .clk_i, .rst_ni, .clr_i(start),
      .push_i(tok_push[q]), .pop_i(tok_pop[q]), .avail_o(tok_avail[q]), .space_o(tok_space[q]),
      .count_o(obs_tokens_o[q*8 +: 8])
    );
  end

  // ---- units -----------------------------------------------------------------------------------
  logic [tessera_params_pkg::INP_IDX_BITS-1:0] inp_raddr;
  // with the depthwise mode BLOCK_OUT consecutive input elements per read (tessera_inp_sram)
  logic [(tessera_params_pkg::DEPTHWISE != 0 ? tessera_params_pkg::BLOCK_OUT : 1) *
         tessera_params_pkg::INP_ELEM_BYTES*8-1:0] inp_rdata;
  logic [tessera_params_pkg::WGT_IDX_BITS-1:0] wgt_raddr;
  logic [tessera_params_pkg::WGT_ELEM_BYTES*8-1:0] wgt_rdata;
  logic [tessera_params_pkg::ACC_IDX_BITS-1:0] out_raddr;
  logic [tessera_params_pkg::OUT_ELEM_BYTES*8-1:0] out_rdata;
  // the store unit's OUT_TO_INP writes into the input SRAM (in the load unit)
  logic st_inp_wvalid, st_inp_wready;
  logic [tessera_params_pkg::INP_IDX_BITS-1:0] st_inp_waddr;
  logic [tessera_params_pkg::INP_ELEM_BYTES*8-1:0] st_inp_wdata;
  logic [11:0] unit_wait;  // unit u at [4u +: 4]: [0] pop prev, [1] pop next, [2] push prev, [3] push next
  logic [2:0] unit_idle, retire;
  logic [95:0] retire_idx;
  logic finish;

  tessera_load u_load (
    .clk_i, .rst_ni, .data_addr_i(data_addr),
    .cmd_valid_i(q_valid[0]), .cmd_insn_i(q_head[0*EntryBits +: InsnBits]),
    .cmd_idx_i(q_head[0*EntryBits+InsnBits +: 32]),
    .cmd_pop_o(q_pop[0]),
    .next_avail_i(tok_avail[1]), .next_space_i(tok_space[0]), .pop_next_o(tok_pop[1]),
    .push_next_o(tok_push[0]),
    .ar_valid_o(rd_req_valid[1]), .ar_ready_i(rd_req_ready[1]), .ar_addr_o(rd_req_addr[64 +: 64]),
    .ar_len_o(rd_req_len[8 +: 8]), .r_valid_i(rd_r_valid[1]), .r_data_i(rd_data),
    .r_ready_o(rd_r_ready[1]),
    .inp_raddr_i(inp_raddr), .inp_rdata_o(inp_rdata), .wgt_raddr_i(wgt_raddr), .wgt_rdata_o(wgt_rdata),
    .st_inp_wvalid_i(st_inp_wvalid), .st_inp_wready_o(st_inp_wready), .st_inp_waddr_i(st_inp_waddr),
    .st_inp_wdata_i(st_inp_wdata),
    .busy_o(obs_busy_o[0]), .stall_o(obs_stall_o[0]), .retire_o(retire[0]),
    .retire_idx_o(retire_idx[31:0]), .wait_o(unit_wait[3:0]), .idle_o(unit_idle[0])
  );

  tessera_compute u_compute (
    .clk_i, .rst_ni, .data_addr_i(data_addr),
    .cmd_valid_i(q_valid[1]), .cmd_insn_i(q_head[1*EntryBits +: InsnBits]),
    .cmd_idx_i(q_head[1*EntryBits+InsnBits +: 32]),
    .cmd_pop_o(q_pop[1]),
    .prev_avail_i(tok_avail[0]), .next_avail_i(tok_avail[3]), .prev_space_i(tok_space[1]),
    .next_space_i(tok_space[2]), .pop_prev_o(tok_pop[0]), .pop_next_o(tok_pop[3]),
    .push_prev_o(tok_push[1]), .push_next_o(tok_push[2]),
    .ar_valid_o(rd_req_valid[2]), .ar_ready_i(rd_req_ready[2]), .ar_addr_o(rd_req_addr[128 +: 64]),
    .ar_len_o(rd_req_len[16 +: 8]), .r_valid_i(rd_r_valid[2]), .r_data_i(rd_data),
    .r_ready_o(rd_r_ready[2]),
    .inp_raddr_o(inp_raddr), .inp_rdata_i(inp_rdata), .wgt_raddr_o(wgt_raddr), .wgt_rdata_i(wgt_rdata),
    .out_raddr_i(out_raddr), .out_rdata_o(out_rdata),
    .busy_o(obs_busy_o[1]), .stall_o(obs_stall_o[1]), .retire_o(retire[1]),
    .retire_idx_o(retire_idx[63:32]), .wait_o(unit_wait[7:4]), .idle_o(unit_idle[1]),
    .finish_o(finish), .gemm_uop_o(gemm_uop), .alu_uop_o(alu_uop)
  );

  tessera_store u_store (
    .clk_i, .rst_ni, .data_addr_i(data_addr),
    .cmd_valid_i(q_valid[2]), .cmd_insn_i(q_head[2*EntryBits +: InsnBits]),
    .cmd_idx_i(q_head[2*EntryBits+InsnBits +: 32]),
    .cmd_pop_o(q_pop[2]),
    .prev_avail_i(tok_avail[2]), .prev_space_i(tok_space[3]), .pop_prev_o(tok_pop[2]),
    .push_prev_o(tok_push[3]),
    .out_raddr_o(out_raddr), .out_rdata_i(out_rdata),
    .inp_wvalid_o(st_inp_wvalid), .inp_wready_i(st_inp_wready), .inp_waddr_o(st_inp_waddr),
    .inp_wdata_o(st_inp_wdata),
    .aw_valid_o(m_axi_awvalid_o), .aw_ready_i(m_axi_awready_i), .aw_addr_o(m_axi_awaddr_o),
    .aw_len_o(m_axi_awlen_o), .w_valid_o(m_axi_wvalid_o), .w_ready_i(m_axi_wready_i),
    .w_data_o(m_axi_wdata_o), .w_strb_o(m_axi_wstrb_o), .w_last_o(m_axi_wlast_o),
    .b_valid_i(m_axi_bvalid_i), .b_ready_o(m_axi_bready_o),
    .busy_o(obs_busy_o[2]), .stall_o(obs_stall_o[2]), .retire_o(retire[2]),
    .retire_idx_o(retire_idx[95:64]), .wait_o(unit_wait[11:8]), .idle_o(unit_idle[2])
  );

  // Unit wait flags onto the token queues they name.
  // load: pop next = g2l, push next = l2g; compute: pop prev = l2g, pop next = s2g, push prev = g2l,
  // push next = g2s; store: pop prev = g2s, push prev = s2g.
  assign obs_wait_o[3:0]  = {1'b0, 1'b0, unit_wait[1], unit_wait[3]};
  assign obs_wait_o[7:4]  = {unit_wait[5], unit_wait[7], unit_wait[6], unit_wait[4]};
  assign obs_wait_o[11:8] = {unit_wait[10], unit_wait[8], 1'b0, 1'b0};

  // Retires are reported one cycle late: in the first cycle in which every effect of the instruction
  // (SRAM writes, token pushes, acknowledged DRAM writes) is visible, and before any effect of the
  // unit's next instruction other than its token pops.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      obs_retire_o     <= '0;
      obs_retire_idx_o <= '0;
    end else begin
      obs_retire_o     <= retire;
      obs_retire_idx_o <= retire_idx;
    end
  end

  // ---- completion: FINISH retired, every instruction fetched and every unit drained ---------------
  assign done = running_q && finish_seen_q && fetch_idle && q_valid == 3'b000 && unit_idle == 3'b111;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      running_q     <= 1'b0;
      finish_seen_q <= 1'b0;
    end else if (start) begin
      running_q     <= 1'b1;
      finish_seen_q <= 1'b0;
    end else begin
      if (finish) finish_seen_q <= 1'b1;
      if (done) running_q <= 1'b0;
    end
  end

  logic unused_axi_status;
  assign unused_axi_status = ^{m_axi_rresp_i, m_axi_bresp_i, m_axi_bid_i, unit_wait[0], unit_wait[2],
                               unit_wait[9], unit_wait[11]};
endmodule
