// AXI4-Lite control registers (map in hw/regs.def): Vitis ap_ctrl_hs start/done/idle/ready with
// interrupts, the kernel arguments, the config hash and version, and the performance counters.
//
// ap_start is accepted as soon as no program runs (ap_ready and ISR.ready are raised then); ap_done
// and ap_ready clear when CTRL is read; counters restart with every accepted start.
module tessera_ctrl_regs (
  input  logic                                       clk_i,
  input  logic                                       rst_ni,
  input  logic [tessera_regs_pkg::REGS_ADDR_BITS-1:0] awaddr_i,
  input  logic                                       awvalid_i,
  output logic                                       awready_o,
  input  logic [31:0]                                wdata_i,
  input  logic [3:0]                                 wstrb_i,
  input  logic                                       wvalid_i,
  output logic                                       wready_o,
  output logic [1:0]                                 bresp_o,
  output logic                                       bvalid_o,
  input  logic                                       bready_i,
  input  logic [tessera_regs_pkg::REGS_ADDR_BITS-1:0] araddr_i,
  input  logic                                       arvalid_i,
  output logic                                       arready_o,
  output logic [31:0]                                rdata_o,
  output logic [1:0]                                 rresp_o,
  output logic                                       rvalid_o,
  input  logic                                       rready_i,
  output logic                                       interrupt_o,
  // to the accelerator
  output logic                                       start_o,
  output logic [31:0]                                insn_count_o,
  output logic [63:0]                                insn_addr_o,
  output logic [63:0]                                data_addr_o,
  input  logic                                       done_i,
  // counter events, index u: 0 load, 1 compute, 2 store
  input  logic [2:0]                                 busy_i,
  input  logic [2:0]                                 stall_i,
  input  logic                                       gemm_uop_i,
  input  logic                                       alu_uop_i
);
  localparam int AddrBits = tessera_regs_pkg::REGS_ADDR_BITS;

  logic running_q, ap_start_q, ap_done_q, ap_ready_q, auto_restart_q, gie_q;
  logic [1:0] ier_q, isr_q;
  logic [31:0] insn_count_q;
  logic [63:0] insn_addr_q, data_addr_q, cycles_q;
  logic [3*32-1:0] busy_q, stall_q;  // unit u at [32u +: 32]
  logic [31:0] gemm_uops_q, alu_uops_q;
  logic bvalid_q, rvalid_q;
  logic [31:0] rdata_q, wmask, rdata_d;
  logic do_write, do_read, start;

  assign do_write  = awvalid_i && wvalid_i && !bvalid_q;
  assign do_read   = arvalid_i && !rvalid_q;
  assign awready_o = do_write;
  assign wready_o  = do_write;
  assign arready_o = do_read;
  assign bvalid_o  = bvalid_q;
  assign bresp_o   = 2'b00;
  assign rvalid_o  = rvalid_q;
  assign rresp_o   = 2'b00;
  assign rdata_o   = rdata_q;
  assign wmask     = {{8{wstrb_i[3]}}, {8{wstrb_i[2]}}, {8{wstrb_i[1]}}, {8{wstrb_i[0]}}};
  assign start     = ap_start_q && !running_q;
  assign start_o   = start;
  assign insn_count_o = insn_count_q;
  assign insn_addr_o  = insn_addr_q;
  assign data_addr_o  = data_addr_q;
  assign interrupt_o  = gie_q && (ier_q & isr_q) != 2'b00;

  function automatic logic [31:0] merge(input logic [31:0] old, input logic [31:0] data,
                                        input logic [31:0] mask);
    merge = (old & ~mask) | (data & mask);
  endfunction

  function automatic logic is_reg(input logic [AddrBits-1:0] addr, input logic [AddrBits-1:0] offset);
    is_reg = addr == offset;
  endfunction

  always_comb begin
    rdata_d = 32'd0;
    if (is_reg(araddr_i, AddrBits'(tessera_regs_pkg::REG_CTRL_OFFSET))) begin
      rdata_d[tessera_regs_pkg::CTRL_AP_START_LSB]     = ap_start_q;
      rdata_d[tessera_regs_pkg::CTRL_AP_DONE_LSB]      = ap_done_q;
      rdata_d[tessera_regs_pkg::CTRL_AP_IDLE_LSB]      = !running_q;
      rdata_d[tessera_regs_pkg::CTRL_AP_READY_LSB]     = ap_ready_q;
      rdata_d[tessera_regs_pkg::CTRL_AUTO_RESTART_LSB] = auto_restart_q;
    end
    if (is_reg(araddr_i, AddrBits'(tessera_regs_pkg::REG_GIE_OFFSET))) rdata_d = 32'(gie_q);
    if (is_reg(araddr_i, AddrBits'(tessera_regs_pkg::REG_IER_OFFSET))) rdata_d = 32'(ier_q);
    if (is_reg(araddr_i, AddrBits'(tessera_regs_pkg::REG_ISR_OFFSET))) rdata_d = 32'(isr_q);
    if (is_reg(araddr_i, AddrBits'(tessera_regs_pkg::REG_INSN_COUNT_OFFSET))) rdata_d = insn_count_q;
    if (is_reg(araddr_i, AddrBits'(tessera_regs_pkg::REG_INSN_ADDR_LO_OFFSET))) rdata_d = insn_addr_q[31:0];
    if (is_reg(araddr_i, AddrBits'(tessera_regs_pkg::REG_INSN_ADDR_HI_OFFSET))) rdata_d = insn_addr_q[63:32];
    if (is_reg(araddr_i, AddrBits'(tessera_regs_pkg::REG_DATA_ADDR_LO_OFFSET))) rdata_d = data_addr_q[31:0];
    if (is_reg(araddr_i, AddrBits'(tessera_regs_pkg::REG_DATA_ADDR_HI_OFFSET))) rdata_d = data_addr_q[63:32];
    if (is_reg(araddr_i, AddrBits'(tessera_regs_pkg::REG_CONFIG_HASH_LO_OFFSET)))
      rdata_d = tessera_params_pkg::CONFIG_HASH[31:0];
    if (is_reg(araddr_i, AddrBits'(tessera_regs_pkg::REG_CONFIG_HASH_HI_OFFSET)))
      rdata_d = tessera_params_pkg::CONFIG_HASH[63:32];
    if (is_reg(araddr_i, AddrBits'(tessera_regs_pkg::REG_VERSION_OFFSET)))
      rdata_d = {16'(tessera_regs_pkg::VERSION_MAJOR), 16'(tessera_regs_pkg::VERSION_MINOR)};
    if (is_reg(araddr_i, AddrBits'(tessera_regs_pkg::REG_CYCLES_LO_OFFSET))) rdata_d = cycles_q[31:0];
    if (is_reg(araddr_i, AddrBits'(tessera_regs_pkg::REG_CYCLES_HI_OFFSET))) rdata_d = cycles_q[63:32];
    if (is_reg(araddr_i, AddrBits'(tessera_regs_pkg::REG_LOAD_BUSY_OFFSET))) rdata_d = busy_q[31:0];
    if (is_reg(araddr_i, AddrBits'(tessera_regs_pkg::REG_LOAD_STALL_OFFSET))) rdata_d = stall_q[31:0];
    if (is_reg(araddr_i, AddrBits'(tessera_regs_pkg::REG_COMPUTE_BUSY_OFFSET))) rdata_d = busy_q[63:32];
    if (is_reg(araddr_i, AddrBits'(tessera_regs_pkg::REG_COMPUTE_STALL_OFFSET))) rdata_d = stall_q[63:32];
    if (is_reg(araddr_i, AddrBits'(tessera_regs_pkg::REG_STORE_BUSY_OFFSET))) rdata_d = busy_q[95:64];
    if (is_reg(araddr_i, AddrBits'(tessera_regs_pkg::REG_STORE_STALL_OFFSET))) rdata_d = stall_q[95:64];
    if (is_reg(araddr_i, AddrBits'(tessera_regs_pkg::REG_GEMM_UOPS_OFFSET))) rdata_d = gemm_uops_q;
    if (is_reg(araddr_i, AddrBits'(tessera_regs_pkg::REG_ALU_UOPS_OFFSET))) rdata_d = alu_uops_q;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      running_q      <= 1'b0;
      ap_start_q     <= 1'b0;
      ap_done_q      <= 1'b0;
      ap_ready_q     <= 1'b0;
      auto_restart_q <= 1'b0;
      gie_q          <= 1'b0;
      ier_q          <= '0;
      isr_q          <= '0;
      insn_count_q   <= '0;
      insn_addr_q    <= '0;
      data_addr_q    <= '0;
      cycles_q       <= '0;
      busy_q         <= '0;
      stall_q        <= '0;
      gemm_uops_q    <= '0;
      alu_uops_q     <= '0;
      bvalid_q       <= 1'b0;
      rvalid_q       <= 1'b0;
      rdata_q        <= '0;
    end else begin
      // host reads (clear-on-read bits first, so an event in the same cycle is not lost)
      if (rvalid_q && rready_i) rvalid_q <= 1'b0;
      if (do_read) begin
        rvalid_q <= 1'b1;
        rdata_q  <= rdata_d;
        if (is_reg(araddr_i, AddrBits'(tessera_regs_pkg::REG_CTRL_OFFSET))) begin
          ap_done_q  <= 1'b0;
          ap_ready_q <= 1'b0;
        end
      end
      // host writes
      if (bvalid_q && bready_i) bvalid_q <= 1'b0;
      if (do_write) begin
        bvalid_q <= 1'b1;
        if (is_reg(awaddr_i, AddrBits'(tessera_regs_pkg::REG_CTRL_OFFSET))) begin
          if (wstrb_i[0] && wdata_i[tessera_regs_pkg::CTRL_AP_START_LSB]) ap_start_q <= 1'b1;
          if (wstrb_i[0]) auto_restart_q <= wdata_i[tessera_regs_pkg::CTRL_AUTO_RESTART_LSB];
        end
        if (is_reg(awaddr_i, AddrBits'(tessera_regs_pkg::REG_GIE_OFFSET)) && wstrb_i[0]) gie_q <= wdata_i[0];
        if (is_reg(awaddr_i, AddrBits'(tessera_regs_pkg::REG_IER_OFFSET)) && wstrb_i[0]) ier_q <= wdata_i[1:0];
        if (is_reg(awaddr_i, AddrBits'(tessera_regs_pkg::REG_ISR_OFFSET)) && wstrb_i[0]) isr_q <= isr_q & ~wdata_i[1:0];
        if (is_reg(awaddr_i, AddrBits'(tessera_regs_pkg::REG_INSN_COUNT_OFFSET)))
          insn_count_q <= merge(insn_count_q, wdata_i, wmask);
        if (is_reg(awaddr_i, AddrBits'(tessera_regs_pkg::REG_INSN_ADDR_LO_OFFSET)))
          insn_addr_q[31:0] <= merge(insn_addr_q[31:0], wdata_i, wmask);
        if (is_reg(awaddr_i, AddrBits'(tessera_regs_pkg::REG_INSN_ADDR_HI_OFFSET)))
          insn_addr_q[63:32] <= merge(insn_addr_q[63:32], wdata_i, wmask);
        if (is_reg(awaddr_i, AddrBits'(tessera_regs_pkg::REG_DATA_ADDR_LO_OFFSET)))
          data_addr_q[31:0] <= merge(data_addr_q[31:0], wdata_i, wmask);
        if (is_reg(awaddr_i, AddrBits'(tessera_regs_pkg::REG_DATA_ADDR_HI_OFFSET)))
          data_addr_q[63:32] <= merge(data_addr_q[63:32], wdata_i, wmask);
      end
      // accelerator handshake
      if (start) begin
        running_q  <= 1'b1;
        ap_ready_q <= 1'b1;
        isr_q[tessera_regs_pkg::ISR_READY_LSB] <= 1'b1;
        if (!auto_restart_q) ap_start_q <= 1'b0;
        cycles_q    <= '0;
        busy_q      <= '0;
        stall_q     <= '0;
        gemm_uops_q <= '0;
        alu_uops_q  <= '0;
      end else if (running_q) begin
        cycles_q <= cycles_q + 64'd1;
        for (int u = 0; u < 3; u++) begin
          busy_q[u*32 +: 32]  <= busy_q[u*32 +: 32] + 32'(busy_i[u]);
          stall_q[u*32 +: 32] <= stall_q[u*32 +: 32] + 32'(stall_i[u]);
        end
        gemm_uops_q <= gemm_uops_q + 32'(gemm_uop_i);
        alu_uops_q  <= alu_uops_q + 32'(alu_uop_i);
        if (done_i) begin
          running_q <= 1'b0;
          ap_done_q <= 1'b1;
          isr_q[tessera_regs_pkg::ISR_DONE_LSB] <= 1'b1;
        end
      end
    end
  end
endmodule
