// ALU datapath of one micro-op over BATCH x BLOCK_OUT accumulator lanes, a = acc[dst], b = operand:
// MIN, MAX, ADD (wrap), SHR (b >= 0: a >>> min(b, 31); b < 0: a << min(-b, 31)), MUL (low bits),
// MULHR (extension: a * b rounded half up by 2^shift, saturated; shift = 31 + imm for a vector
// operand, 15 for a Q15 immediate, chosen by the caller), REQ (extension: the MULHR value, or with
// req_float_i onnxruntime's binary32 requantization round_even(float(a) * float32 bits b), plus the
// int8 zero point req_zp_i, clamped to the output type, at the zero point from below with
// req_relu_i), MOV (extension: b). MUL, MULHR and both REQ modes share each lane's multiplier.
// Without en_i the output is 0 and the lanes are not evaluated, so a cycle-based simulator skips
// them during GEMM (the caller's result mux absorbs the gating in hardware).
module tessera_alu_core (
  input  logic       en_i,
  input  logic [2:0] op_i,
  input  logic [5:0] mulhr_shift_i,  // 15..62
  input  logic [7:0] req_zp_i,       // REQ: output zero point (int8)
  input  logic       req_relu_i,     // REQ: clamp at the zero point from below
  input  logic       req_float_i,    // REQ: b is a binary32 scale (float mode) instead of a Q31 multiplier
  input  logic [tessera_params_pkg::BATCH*tessera_params_pkg::BLOCK_OUT*tessera_params_pkg::ACC_BITS-1:0] a_i,
  input  logic [tessera_params_pkg::BATCH*tessera_params_pkg::BLOCK_OUT*tessera_params_pkg::ACC_BITS-1:0] b_i,
  output logic [tessera_params_pkg::BATCH*tessera_params_pkg::BLOCK_OUT*tessera_params_pkg::ACC_BITS-1:0] y_o
);
  localparam int Lanes   = tessera_params_pkg::BATCH * tessera_params_pkg::BLOCK_OUT;
  localparam int AccBits = tessera_params_pkg::ACC_BITS;  // exactly 32 (config schema): binary32 scales
  localparam int MaxShift = AccBits - 1;
  localparam int ProdBits = 2 * AccBits;
  localparam logic signed [ProdBits-1:0] OutMax = (ProdBits'(1) <<< (tessera_params_pkg::OUT_BITS - 1)) - 1;
  localparam logic signed [ProdBits-1:0] OutMin = -OutMax - 1;
  // Float mode only resolves integers below 2^RIntBits and saturates the rest to 2^RIntBits: with an
  // int8 zero point, |r| >= 2^(OUT_BITS+2) clamps exactly as the unbounded value would, and the
  // final rounding shifter stays RIntBits + 1 positions wide instead of 32.
  localparam int RIntBits = tessera_params_pkg::OUT_BITS + 2;
  localparam int RIntW    = RIntBits + 1;  // the rounded magnitude, 2^RIntBits when saturated
  localparam int ExpBits  = 10;  // signed exponents of the float path lie in -126..161

  logic signed [ProdBits-1:0] req_zp, req_lo;
  assign req_zp = ProdBits'($signed(req_zp_i));
  assign req_lo = req_relu_i && req_zp > OutMin ? req_zp : OutMin;

  logic signed [ProdBits-1:0] round_half;
  assign round_half = ProdBits'(1) <<< (mulhr_shift_i - 6'd1);

  logic fmode;
  assign fmode = req_float_i && op_i == tessera_isa_pkg::ALU_REQ;

  always_comb begin : lanes
    logic signed [AccBits-1:0] a, b, y, mul_a, mul_b;
    logic [AccBits-1:0] amount;
    logic signed [ProdBits-1:0] prod, scaled, req, rint;
    // float mode: |a| normalized and rounded to 24 bits (fa), scale mantissa (fs), product rounded
    // to 24 bits (fp, value fp * 2^(fp_exp - 23)), integer part and rounding of the last shift
    logic [AccBits-1:0] mag, norm;
    logic [24:0] fa, fp;
    logic [23:0] fs, fp_raw;
    logic signed [ExpBits-1:0] fa_exp, fp_exp, fsh;
    logic [24+RIntBits-1:0] fshifted;
    logic [RIntW-1:0] fint;
    logic fzero, fneg, fsat, fguard, fsticky;
    {a, b, y, mul_a, mul_b, amount, prod, scaled, req, rint} = '0;
    {mag, norm, fa, fp, fs, fp_raw, fa_exp, fp_exp, fsh, fshifted, fint} = '0;
    {fzero, fneg, fsat, fguard, fsticky} = '0;
    y_o = '0;
    if (en_i) for (int l = 0; l < Lanes; l++) begin
      a = $signed(a_i[l*AccBits +: AccBits]);
      b = $signed(b_i[l*AccBits +: AccBits]);
      // Clamp before negating, so the most negative b cannot overflow.
      if (b >= 0) amount = b > AccBits'(MaxShift) ? AccBits'(MaxShift) : b;
      else amount = b < -AccBits'(MaxShift) ? AccBits'(MaxShift) : -b;
      mul_a = a;
      mul_b = b;
      if (fmode) begin
        // float(a), round to nearest even: |a| (2^31 for INT_MIN still fits unsigned) shifted until
        // bit 31 is set, 24 bits kept; a carry out of the rounding (2^24) is 2^23 one binade up.
        mag = a[AccBits-1] ? AccBits'(-a) : a;
        norm = mag;
        fa_exp = ExpBits'(AccBits - 1);
        if (norm[31:16] == '0) begin norm = norm << 16; fa_exp = fa_exp - ExpBits'(16); end
        if (norm[31:24] == '0) begin norm = norm << 8;  fa_exp = fa_exp - ExpBits'(8);  end
        if (norm[31:28] == '0) begin norm = norm << 4;  fa_exp = fa_exp - ExpBits'(4);  end
        if (norm[31:30] == '0) begin norm = norm << 2;  fa_exp = fa_exp - ExpBits'(2);  end
        if (norm[31]    == '0) begin norm = norm << 1;  fa_exp = fa_exp - ExpBits'(1);  end
        fa = {1'b0, norm[31:8]} + 25'(norm[7] && (norm[6:0] != '0 || norm[8]));
        if (fa[24]) begin fa = fa >> 1; fa_exp = fa_exp + ExpBits'(1); end
        fs = {1'b1, b[22:0]};
        // A zero/subnormal or inf/NaN scale counts as 0 (as in the golden model), and so does a = 0.
        fzero = mag == '0 || b[30:23] == '0 || b[30:23] == '1;
        fneg = a[AccBits-1] ^ b[AccBits-1];
        // Both mantissas are below 2^24, so the signed 32x32 multiplier gives their exact product.
        mul_a = AccBits'(fa[23:0]);
        mul_b = AccBits'(fs);
      end
      // |a * b| <= 2^62, so adding half of 2^shift (<= 2^61) cannot overflow 64 bits.
      prod = ProdBits'(mul_a) * ProdBits'(mul_b);
      scaled = (prod + round_half) >>> mulhr_shift_i;
      if (fmode) begin
        // The product lies in [2^46, 2^48): keep its 24 leading bits, round to nearest even; a
        // carry out of the rounding is again 2^23 one binade up. Binary32 overflow (inf) and
        // underflow (subnormals) need no handling: the first saturates below, the second is < 0.5.
        fp_raw = prod[47] ? prod[47:24] : prod[46:23];
        fguard = prod[47] ? prod[23] : prod[22];
        fsticky = prod[47] ? prod[22:0] != '0 : prod[21:0] != '0;
        fp = {1'b0, fp_raw} + 25'(fguard && (fsticky || fp_raw[0]));
        fp_exp = fa_exp + ExpBits'(b[30:23]) - ExpBits'(127) + ExpBits'(prod[47]);
        if (fp[24]) begin fp = fp >> 1; fp_exp = fp_exp + ExpBits'(1); end
        // Nearest integer, ties to even: with the binary point after bit 24 of fp * 2^RIntBits,
        // shifting right by RIntBits - 1 - fp_exp (0..RIntBits for fp_exp -1..RIntBits-1) leaves
        // the integer in the top RIntBits bits, bit 23 the half and bits 22:0 the rest. A product
        // below 0.5 (fp_exp < -1) rounds to 0; one of at least 2^RIntBits saturates.
        fsh = ExpBits'(RIntBits - 1) - fp_exp;
        fshifted = {fp[23:0], RIntBits'(0)} >> fsh;
        fint = {1'b0, fshifted[24+RIntBits-1:24]}
             + RIntW'(fshifted[23] && (fshifted[22:0] != '0 || fshifted[24]));
        fsat = fp_exp >= ExpBits'(RIntBits);
        if (fzero || fp_exp < -ExpBits'(1)) fint = '0;
        else if (fsat) fint = RIntW'(1) << RIntBits;
        rint = ProdBits'(fint);
        if (fneg) rint = -rint;
      end else begin
        rint = scaled;
      end
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
          req = rint + req_zp;
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
