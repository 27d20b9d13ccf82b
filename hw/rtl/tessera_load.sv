// Load unit: executes LOAD of INP and WGT (2-D DMA with padding) into the input and weight SRAMs,
// whose read ports serve the compute unit's GEMM pipeline. The input SRAM's write port is shared with
// the store unit (STORE OUT_TO_INP); the load engine's writes go first.
module tessera_load (
  input  logic                                            clk_i,
  input  logic                                            rst_ni,
  input  logic [63:0]                                     data_addr_i,
  input  logic                                            cmd_valid_i,
  input  logic [tessera_params_pkg::INSN_BITS-1:0]        cmd_insn_i,
  input  logic [31:0]                                     cmd_idx_i,
  output logic                                            cmd_pop_o,
  // tokens: next = compute (g2l in, l2g out); the load unit has no previous stage
  input  logic                                            next_avail_i,
  input  logic                                            next_space_i,
  output logic                                            pop_next_o,
  output logic                                            push_next_o,
  // AXI read
  output logic                                            ar_valid_o,
  input  logic                                            ar_ready_i,
  output logic [63:0]                                     ar_addr_o,
  output logic [7:0]                                      ar_len_o,
  input  logic                                            r_valid_i,
  input  logic [tessera_params_pkg::AXI_DATA_BITS-1:0]    r_data_i,
  output logic                                            r_ready_o,
  // SRAM read ports for the compute unit
  input  logic [tessera_params_pkg::INP_IDX_BITS-1:0]     inp_raddr_i,
  // with the depthwise mode BLOCK_OUT consecutive elements from inp_raddr_i (tessera_inp_sram)
  output logic [(tessera_params_pkg::DEPTHWISE != 0 ? tessera_params_pkg::BLOCK_OUT : 1) *
                tessera_params_pkg::INP_ELEM_BYTES*8-1:0] inp_rdata_o,
  input  logic [tessera_params_pkg::WGT_IDX_BITS-1:0]     wgt_raddr_i,
  output logic [tessera_params_pkg::WGT_ELEM_BYTES*8-1:0] wgt_rdata_o,
  // the store unit's input-SRAM writes (OUT_TO_INP); ready is low in cycles the load engine writes
  input  logic                                            st_inp_wvalid_i,
  output logic                                            st_inp_wready_o,
  input  logic [tessera_params_pkg::INP_IDX_BITS-1:0]     st_inp_waddr_i,
  input  logic [tessera_params_pkg::INP_ELEM_BYTES*8-1:0] st_inp_wdata_i,
  // observation
  output logic                                            busy_o,
  output logic                                            stall_o,
  output logic                                            retire_o,
  output logic [31:0]                                     retire_idx_o,
  output logic [3:0]                                      wait_o,
  output logic                                            idle_o
);
  localparam int InpIdx = tessera_params_pkg::INP_IDX_BITS;
  localparam int WgtIdx = tessera_params_pkg::WGT_IDX_BITS;

  logic start, done, bus_wait;
  logic [tessera_params_pkg::INSN_BITS-1:0] insn;

  tessera_unit_seq u_seq (
    .clk_i, .rst_ni,
    .cmd_valid_i, .cmd_insn_i, .cmd_idx_i, .cmd_pop_o,
    .prev_avail_i(1'b1), .next_avail_i, .prev_space_i(1'b1), .next_space_i,
    .pop_prev_o(), .pop_next_o, .push_prev_o(), .push_next_o,
    .start_o(start), .exec_o(), .insn_o(insn), .end_i(1'b0), .start_ok_i(1'b1), .chain_i(1'b0), .head_pops_ready_o(),
    .head_pushes_o(), .pushes_o(), .done_i(done), .bus_wait_i(bus_wait),
    .busy_o, .stall_o, .retire_o, .retire_idx_o, .wait_o, .idle_o
  );

  logic [tessera_isa_pkg::MEM_MEMORY_TYPE_W-1:0] mem_type;
  logic [tessera_isa_pkg::MEM_SRAM_BASE_W-1:0] sram_base;
  logic [tessera_isa_pkg::MEM_DRAM_BASE_W-1:0] dram_base;
  logic [tessera_isa_pkg::MEM_Y_SIZE_W-1:0] y_size;
  logic [tessera_isa_pkg::MEM_X_SIZE_W-1:0] x_size;
  logic [tessera_isa_pkg::MEM_X_STRIDE_W-1:0] x_stride;
  logic [tessera_isa_pkg::MEM_Y_PAD_0_W-1:0] y_pad_0;
  logic [tessera_isa_pkg::MEM_Y_PAD_1_W-1:0] y_pad_1;
  logic [tessera_isa_pkg::MEM_X_PAD_0_W-1:0] x_pad_0;
  logic [tessera_isa_pkg::MEM_X_PAD_1_W-1:0] x_pad_1;

  tessera_mem_decode u_decode (
    .insn_i(insn), .mem_type_o(mem_type), .sram_base_o(sram_base), .dram_base_o(dram_base),
    .y_size_o(y_size), .x_size_o(x_size), .x_stride_o(x_stride), .y_pad_0_o(y_pad_0),
    .y_pad_1_o(y_pad_1), .x_pad_0_o(x_pad_0), .x_pad_1_o(x_pad_1)
  );

  // engine e: 0 INP, 1 WGT (fetch routes only these two memory types here)
  logic [1:0] sel, done_e, bus_wait_e, ar_valid_e, r_ready_e, we_e;
  logic [127:0] ar_addr_e;  // engine e at [64e +: 64]
  logic [15:0] ar_len_e;
  logic [InpIdx-1:0] inp_waddr;
  logic [WgtIdx-1:0] wgt_waddr;
  logic [tessera_params_pkg::INP_ELEM_BYTES*8-1:0] inp_wdata;
  logic [tessera_params_pkg::WGT_ELEM_BYTES*8-1:0] wgt_wdata;

  assign sel = {mem_type == tessera_isa_pkg::MEM_WGT, mem_type != tessera_isa_pkg::MEM_WGT};
  assign done = done_e != 2'b00;
  assign bus_wait = bus_wait_e != 2'b00;

  tessera_load_2d #(.ElemBytes(tessera_params_pkg::INP_ELEM_BYTES), .IdxBits(InpIdx)) u_inp_load (
    .clk_i, .rst_ni,
    .start_i(start && sel[0]), .data_addr_i,
    .sram_base_i(InpIdx'(sram_base)), .dram_base_i(dram_base), .y_size_i(y_size),
    .x_size_i(x_size), .x_stride_i(x_stride), .y_pad_0_i(y_pad_0), .y_pad_1_i(y_pad_1),
    .x_pad_0_i(x_pad_0), .x_pad_1_i(x_pad_1),
    .done_o(done_e[0]), .bus_wait_o(bus_wait_e[0]),
    .ar_valid_o(ar_valid_e[0]), .ar_ready_i(ar_ready_i && sel[0]), .ar_addr_o(ar_addr_e[63:0]),
    .ar_len_o(ar_len_e[7:0]), .r_valid_i(r_valid_i && sel[0]), .r_data_i, .r_ready_o(r_ready_e[0]),
    .we_o(we_e[0]), .waddr_o(inp_waddr), .wdata_o(inp_wdata)
  );

  tessera_load_2d #(.ElemBytes(tessera_params_pkg::WGT_ELEM_BYTES), .IdxBits(WgtIdx)) u_wgt_load (
    .clk_i, .rst_ni,
    .start_i(start && sel[1]), .data_addr_i,
    .sram_base_i(WgtIdx'(sram_base)), .dram_base_i(dram_base), .y_size_i(y_size),
    .x_size_i(x_size), .x_stride_i(x_stride), .y_pad_0_i(y_pad_0), .y_pad_1_i(y_pad_1),
    .x_pad_0_i(x_pad_0), .x_pad_1_i(x_pad_1),
    .done_o(done_e[1]), .bus_wait_o(bus_wait_e[1]),
    .ar_valid_o(ar_valid_e[1]), .ar_ready_i(ar_ready_i && sel[1]), .ar_addr_o(ar_addr_e[127:64]),
    .ar_len_o(ar_len_e[15:8]), .r_valid_i(r_valid_i && sel[1]), .r_data_i, .r_ready_o(r_ready_e[1]),
    .we_o(we_e[1]), .waddr_o(wgt_waddr), .wdata_o(wgt_wdata)
  );

  assign ar_valid_o = sel[1] ? ar_valid_e[1] : ar_valid_e[0];
  assign ar_addr_o  = sel[1] ? ar_addr_e[127:64] : ar_addr_e[63:0];
  assign ar_len_o   = sel[1] ? ar_len_e[15:8] : ar_len_e[7:0];
  assign r_ready_o  = sel[1] ? r_ready_e[1] : r_ready_e[0];

  // Input SRAM write port: fixed priority to the load engine, which cannot wait (its data streams
  // from the bus); the store unit's write waits for a free cycle.
  assign st_inp_wready_o = !we_e[0];

  tessera_inp_sram u_inp_sram (
    .clk_i, .we_i(we_e[0] || st_inp_wvalid_i), .waddr_i(we_e[0] ? inp_waddr : st_inp_waddr_i),
    .wdata_i(we_e[0] ? inp_wdata : st_inp_wdata_i), .raddr_i(inp_raddr_i), .rdata_o(inp_rdata_o)
  );

  tessera_sram #(.Width(tessera_params_pkg::WGT_ELEM_BYTES * 8), .Depth(tessera_params_pkg::WGT_DEPTH))
      u_wgt_sram (
    .clk_i, .we_i(we_e[1]), .waddr_i(wgt_waddr), .wdata_i(wgt_wdata),
    .re_i(1'b1), .raddr_i(wgt_raddr_i), .rdata_o(wgt_rdata_o)
  );
endmodule
