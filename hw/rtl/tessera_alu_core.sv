// ALU datapath of one micro-op over BATCH x BLOCK_OUT accumulator lanes, a = acc[dst], b = operand:
// MIN, MAX, ADD (wrap), SHR (b >= 0: a >>> min(b, 31); b < 0: a << min(-b, 31)), MUL (low bits),
// MULHR (extension: a * b rounded half up by 2^shift, saturated; shift = 31 + imm for a vector
// operand, 15 for a Q15 immediate, chosen by the caller), REQ (extension: the MULHR value plus the
// int8 zero point req_zp_i, clamped to the output type, at the zero point from below with
// req_relu_i), MOV (extension: b). MUL, MULHR and REQ share each lane's multiplier. Without en_i the output is 0 and the lanes
// are not evaluated, so a cycle-based simulator skips them during GEMM (the caller's result mux
// absorbs the gating in hardware).
module tessera_alu_core (
  input  logic       en_i,
  input  logic [2:0] op_i,
  input  logic [5:0] mulhr_shift_i,  // 15..62
  input  logic [7:0] req_zp_i,       // REQ: output zero point (int8)
  input  logic       req_relu_i,     // REQ: clamp at the zero point from below
  input  logic [tessera_params_pkg::BATCH*tessera_params_pkg::BLOCK_OUT*tessera_params_pkg::ACC_BITS-1:0] a_i,
  input  logic [tessera_params_pkg::BATCH*tessera_params_pkg::BLOCK_OUT*tessera_params_pkg::ACC_BITS-1:0] b_i,
  output logic [tessera_params_pkg::BATCH*tessera_params_pkg::BLOCK_OUT*tessera_params_pkg::ACC_BITS-1:0] y_o
);
  localparam int Lanes   = tessera_params_pkg::BATCH * tessera_params_pkg::BLOCK_OUT;
  localparam int AccBits = tessera_params_pkg::ACC_BITS;
  localparam int MaxShift = AccBits - 1;
  localparam int ProdBits = 2 * AccBits;
  localparam logic signed [ProdBits-1:0] OutMax = (ProdBits'(1) <<< (tessera_params_pkg::OUT_BITS - 1)) - 1;
  localparam logic signed [ProdBits-1:0] OutMin = -OutMax - 1;

  logic signed [ProdBits-1:0] req_zp, req_lo;
  assign req_zp = ProdBits'($signed(req_zp_i));
  assign req_lo = req_relu_i && req_zp > OutMin ? req_zp : OutMin;

  logic signed [ProdBits-1:0] round_half;
  assign round_half = ProdBits'(1) <<< (mulhr_shift_i - 6'd1);

  always_comb begin : lanes
    logic signed [AccBits-1:0] a, b, y;
    logic [AccBits-1:0] amount;
    logic signed [ProdBits-1:0] prod, scaled, req;
    {a, b, y, amount, prod, scaled, req} = '0;
    y_o = '0;
    if (en_i) for (int l = 0; l < Lanes; l++) begin
      a = $signed(a_i[l*AccBits +: AccBits]);
      b = $signed(b_i[l*AccBits +: AccBits]);
      // Clamp before negating, so the most negative b cannot overflow.
      if (b >= 0) amount = b > AccBits'(MaxShift) ? AccBits'(MaxShift) : b;
      else amount = b < -AccBits'(MaxShift) ? AccBits'(MaxShift) : -b;
      // |a * b| <= 2^62, so adding half of 2^shift (<= 2^61) cannot overflow 64 bits.
      prod = ProdBits'(a) * ProdBits'(b);
      scaled = (prod + round_half) >>> mulhr_shift_i;
      unique case (op_i)
        tessera_isa_pkg::ALU_MIN: y = a < b ? a : b;
        tessera_isa_pkg::ALU_MAX: y = a > b ? a : b;
        tessera_isa_pkg::ALU_ADD: y = a + b;
        tessera_isa_pkg::ALU_SHR: y = b >= 0 ? a >>> amount : a << amount;
        tessera_isa_pkg::ALU_MUL: y = prod[AccBits-1:0];
        tessera_isa_pkg::ALU_MULHR: begin
          if (scaled > ProdBits'($signed({1'b0, {(AccBits-1){1'b1}}}))) y = {1'b0, {(AccBits-1){1'b1}}};
          else if (scaled < -ProdBits'($signed({1'b0, {(AccBits-1){1'b1}}})) - 1) y = {1'b1, {(AccBits-1){1'b0}}};
          else y = scaled[AccBits-1:0];
        end
        tessera_isa_pkg::ALU_REQ: begin
          req = scaled + req_zp;
          if (req > OutMax) y = OutMax[AccBits-1:0];
          else if (req < req_lo) y = req_lo[AccBits-1:0];
          else y = req[AccBits-1:0];
        end
        tessera_isa_pkg::ALU_MOV: y = b;
      endcase
      y_o[l*AccBits +: AccBits] = y;
    end
  end
endmodule
