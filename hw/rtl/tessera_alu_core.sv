// ALU datapath of one micro-op over BATCH x BLOCK_OUT accumulator lanes, a = acc[dst], b = operand:
// MIN, MAX, ADD (wrap), SHR (b >= 0: a >>> min(b, 31); b < 0: a << min(-b, 31)), MUL (low bits),
// MULHR (extension: a * b rounded half up by 2^shift, saturated; shift = 31 + imm for a vector
// operand, 15 for a Q15 immediate, chosen by the caller), REQ (extension, by req_mode_i: 0 the
// MULHR value, 1 onnxruntime's binary32 requantization round_even(float(a) * float32 bits b), either
// plus the int8 zero point req_zp_i; 2/3 the packed add of int8/uint8 values, onnxruntime's
// QLinearAdd: a holds two values, lanes 0..2 of the operand three binary32 constants, two binary32
// FMAs (tessera_fma32) per lane; every mode clamped to the output type, at the zero point from below
// with req_relu_i), MOV (extension: b). MUL, MULHR and every REQ mode share each lane's multiplier;
// the packed add has a second, 17x24-bit one per lane for its other product.
// Without en_i the output is 0 and the lanes are not evaluated, so a cycle-based simulator skips
// them during GEMM (the caller's result mux absorbs the gating in hardware).
module tessera_alu_core (
  input  logic       en_i,
  input  logic [2:0] op_i,
  input  logic [5:0] mulhr_shift_i,  // 15..62
  input  logic [7:0] req_zp_i,       // REQ: output zero point (int8)
  input  logic       req_relu_i,     // REQ: clamp at the zero point from below
  input  logic [1:0] req_mode_i,     // REQ: 0 Q31 multiplier b, 1 binary32 scale b, 2/3 packed add
  input  logic [tessera_params_pkg::BATCH*tessera_params_pkg::BLOCK_OUT*tessera_params_pkg::ACC_BITS-1:0] a_i,
  input  logic [tessera_params_pkg::BATCH*tessera_params_pkg::BLOCK_OUT*tessera_params_pkg::ACC_BITS-1:0] b_i,
  output logic [tessera_params_pkg::BATCH*tessera_params_pkg::BLOCK_OUT*tessera_params_pkg::ACC_BITS-1:0] y_o
);
  localparam int Lanes   = tessera_params_pkg::BATCH * tessera_params_pkg::BLOCK_OUT;  // >= 8: 3 constants
  localparam int AccBits = tessera_params_pkg::ACC_BITS;  // exactly 32 (config schema): binary32 operands
  localparam int OutBits = tessera_params_pkg::OUT_BITS;
  localparam int MaxShift = AccBits - 1;
  localparam int ProdBits = 2 * AccBits;
  localparam logic signed [ProdBits-1:0] OutMax = (ProdBits'(1) <<< (OutBits - 1)) - 1;
  localparam logic signed [ProdBits-1:0] OutMin = -OutMax - 1;
  // The packed add's result type is int8 (device values, whatever OUT_BITS is).
  localparam logic signed [ProdBits-1:0] QMax = 127;
  localparam logic signed [ProdBits-1:0] QMin = -128;
  // The binary32 -> integer rounding only resolves integers below 2^RIntBits and saturates the rest
  // to 2^RIntBits: with an int8 zero point or the packed add's offset of 128, |r| >= 2^RIntBits
  // clamps exactly as the unbounded value would, and the final rounding shifter stays RIntBits + 1
  // positions wide instead of 32.
  localparam int RIntBits = (OutBits > 8 ? OutBits : 8) + 2;
  localparam int RIntW    = RIntBits + 1;  // the rounded magnitude, 2^RIntBits when saturated
  // Signed exponents of the binary32 paths: float mode -126..161, packed add -109..83.
  localparam int ExpBits  = 10;
  // Packed add: the two values of a lane and their offset sums lie in -32768..32896 (17 bits); their
  // products with a 24-bit mantissa are below 2^40 in magnitude.
  localparam int QBits    = 17;
  localparam int QMagBits = 40;
  localparam int QProdW   = QMagBits + 1;

  logic fmode, qmode;
  assign fmode = op_i == tessera_isa_pkg::ALU_REQ && req_mode_i == 2'd1;
  assign qmode = op_i == tessera_isa_pkg::ALU_REQ && req_mode_i[1];

  logic signed [ProdBits-1:0] req_zp, req_lo, req_hi, req_add;
  assign req_zp = ProdBits'($signed(req_zp_i));
  assign req_lo = req_relu_i && req_zp > (qmode ? QMin : OutMin) ? req_zp : (qmode ? QMin : OutMin);
  assign req_hi = qmode ? QMax : OutMax;
  // Added to the rounded value before the clamp: the zero point, or the packed add's uint8 offset
  // taken back (the device holds q - 128).
  assign req_add = !qmode ? req_zp : req_mode_i[0] ? -ProdBits'(128) : '0;

  logic signed [ProdBits-1:0] round_half;
  assign round_half = ProdBits'(1) <<< (mulhr_shift_i - 6'd1);

  // The packed add's constants c0 (rA), c1 (rB), c2 (F), shared by all lanes: binary32 with a biased
  // exponent outside 64..190 (|c| < 2^-63 or >= 2^64, zero, subnormal, inf, NaN) counts as +0, which
  // keeps every FMA input and result a normal number or 0. Value = man * 2^exp.
  logic [2:0] qc_zero, qc_neg;
  logic [3*24-1:0] qc_man;
  logic [3*ExpBits-1:0] qc_exp;
  always_comb begin : qadd_constants
    logic [7:0] e;
    {qc_zero, qc_neg, qc_man, qc_exp, e} = '0;
    if (en_i && qmode) for (int k = 0; k < 3; k++) begin
      e = b_i[k*AccBits+23 +: 8];
      qc_zero[k] = e < 8'd64 || e > 8'd190;
      qc_neg[k] = b_i[k*AccBits+31] && !qc_zero[k];
      qc_man[k*24 +: 24] = qc_zero[k] ? 24'd0 : {1'b1, b_i[k*AccBits +: 23]};
      qc_exp[k*ExpBits +: ExpBits] = ExpBits'(e) - ExpBits'(150);
    end
  end

  for (genvar l = 0; l < Lanes; l++) begin : g_lane
    logic signed [AccBits-1:0] a, b;
    assign a = $signed(a_i[l*AccBits +: AccBits]);
    assign b = $signed(b_i[l*AccBits +: AccBits]);

    // Stage 1: multiplier operands and products. Float mode: |a| normalized and rounded to 24 bits
    // (fa, value fa * 2^(fa_exp - 23)) and the scale mantissa; packed add: the lane's two values.
    logic signed [ProdBits-1:0] prod;
    logic signed [ExpBits-1:0] fa_exp;
    logic signed [QBits-1:0] qa, qb;
    logic signed [QProdW-1:0] qprod_b;
    always_comb begin : lane_mul
      logic signed [AccBits-1:0] mul_a, mul_b;
      logic [AccBits-1:0] mag, norm;
      logic signed [QBits-1:0] lo16, hi16;
      logic [24:0] fa;
      {prod, fa, fa_exp, qa, qb, qprod_b, mul_a, mul_b, mag, norm, lo16, hi16} = '0;
      if (en_i) begin
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
          // Both mantissas are below 2^24, so the signed 32x32 multiplier gives their exact product.
          mul_a = AccBits'(fa[23:0]);
          mul_b = AccBits'({1'b1, b[22:0]});
        end
        if (qmode) begin
          // a = lo16 + hi16 * 65536 exactly (hi16 = (a - lo16) >>> 16 is a[31:16] plus lo16's sign),
          // each plus 128 for uint8. The shared multiplier takes the outer FMA's product lo * c0.
          lo16 = QBits'($signed(a[15:0]));
          hi16 = QBits'($signed(a[31:16])) + QBits'(a[15]);
          qa = lo16 + (req_mode_i[0] ? QBits'(128) : '0);
          qb = hi16 + (req_mode_i[0] ? QBits'(128) : '0);
          mul_a = AccBits'(qa);
          mul_b = AccBits'(qc_man[0 +: 24]);
          qprod_b = QProdW'(qb) * QProdW'($signed({1'b0, qc_man[24 +: 24]}));
        end
        // |a * b| <= 2^62, so adding half of 2^shift (<= 2^61) cannot overflow 64 bits.
        prod = ProdBits'(mul_a) * ProdBits'(mul_b);
      end
    end

    // Packed add: t = fma(hi, c1, c2), v = fma(lo, c0, t), each rounded once; the products are of
    // the constants' mantissas, their signs go with them.
    logic t_zero, t_neg, v_zero, v_neg;
    logic [23:0] t_man, v_man;
    logic signed [ExpBits-1:0] t_exp, v_exp;
    tessera_fma32 #(.MagBits(QMagBits), .ExpBits(ExpBits)) u_fma_inner (
      .en_i   (en_i && qmode),
      .p_i    (qprod_b),
      .p_neg_i(qc_neg[1]),
      .p_exp_i(qc_exp[ExpBits +: ExpBits]),
      .c_zero_i(qc_zero[2]),
      .c_neg_i(qc_neg[2]),
      .c_man_i(qc_man[48 +: 24]),
      .c_exp_i(qc_exp[2*ExpBits +: ExpBits]),
      .zero_o (t_zero),
      .neg_o  (t_neg),
      .man_o  (t_man),
      .exp_o  (t_exp)
    );
    tessera_fma32 #(.MagBits(QMagBits), .ExpBits(ExpBits)) u_fma_outer (
      .en_i   (en_i && qmode),
      .p_i    (prod[QMagBits:0]),
      .p_neg_i(qc_neg[0]),
      .p_exp_i(qc_exp[0 +: ExpBits]),
      .c_zero_i(t_zero),
      .c_neg_i(t_neg),
      .c_man_i(t_man),
      .c_exp_i(t_exp),
      .zero_o (v_zero),
      .neg_o  (v_neg),
      .man_o  (v_man),
      .exp_o  (v_exp)
    );

    // Stage 2: the binary32 value to round to an integer (float mode's product rounded to 24 bits,
    // or the packed add's v), that rounding, the op mux and REQ's clamp.
    logic signed [AccBits-1:0] y;
    always_comb begin : lane_out
      logic [AccBits-1:0] amount;
      logic signed [ProdBits-1:0] scaled, req, rint;
      // rounded product (fp_raw, fp) and the binary32 value rounded to an integer: mantissa fm,
      // value fm * 2^(fe - 23); integer part and rounding of the last shift
      logic [24:0] fp;
      logic [23:0] fp_raw, fm;
      logic signed [ExpBits-1:0] fp_exp, fe, fsh;
      logic [24+RIntBits-1:0] fshifted;
      logic [RIntW-1:0] fint;
      logic fzero, fneg, fsat, fguard, fsticky;
      {y, amount, scaled, req, rint, fp, fp_raw, fm, fp_exp, fe, fsh, fshifted, fint} = '0;
      {fzero, fneg, fsat, fguard, fsticky} = '0;
      if (en_i) begin
        // Clamp before negating, so the most negative b cannot overflow.
        if (b >= 0) amount = b > AccBits'(MaxShift) ? AccBits'(MaxShift) : b;
        else amount = b < -AccBits'(MaxShift) ? AccBits'(MaxShift) : -b;
        scaled = (prod + round_half) >>> mulhr_shift_i;
        if (qmode) begin
          fm = v_man;
          fe = v_exp + ExpBits'(23);
          fzero = v_zero;
          fneg = v_neg;
        end else begin
          // The product lies in [2^46, 2^48): keep its 24 leading bits, round to nearest even; a
          // carry out of the rounding is again 2^23 one binade up. Binary32 overflow (inf) and
          // underflow (subnormals) need no handling: the first saturates below, the second is < 0.5.
          fp_raw = prod[47] ? prod[47:24] : prod[46:23];
          fguard = prod[47] ? prod[23] : prod[22];
          fsticky = prod[47] ? prod[22:0] != '0 : prod[21:0] != '0;
          fp = {1'b0, fp_raw} + 25'(fguard && (fsticky || fp_raw[0]));
          fp_exp = fa_exp + ExpBits'(b[30:23]) - ExpBits'(127) + ExpBits'(prod[47]);
          if (fp[24]) begin fp = fp >> 1; fp_exp = fp_exp + ExpBits'(1); end
          fm = fp[23:0];
          fe = fp_exp;
          // A zero/subnormal or inf/NaN scale counts as 0 (as in the golden model), and so does a = 0.
          fzero = a == '0 || b[30:23] == '0 || b[30:23] == '1;
          fneg = a[AccBits-1] ^ b[AccBits-1];
        end
        // Nearest integer, ties to even: with the binary point after bit 24 of fm * 2^RIntBits,
        // shifting right by RIntBits - 1 - fe (0..RIntBits for fe -1..RIntBits-1) leaves the
        // integer in the top RIntBits bits, bit 23 the half and bits 22:0 the rest. A value below
        // 0.5 (fe < -1) rounds to 0; one of at least 2^RIntBits saturates.
        fsh = ExpBits'(RIntBits - 1) - fe;
        fshifted = {fm, RIntBits'(0)} >> fsh;
        fint = {1'b0, fshifted[24+RIntBits-1:24]}
             + RIntW'(fshifted[23] && (fshifted[22:0] != '0 || fshifted[24]));
        fsat = fe >= ExpBits'(RIntBits);
        if (fzero || fe < -ExpBits'(1)) fint = '0;
        else if (fsat) fint = RIntW'(1) << RIntBits;
        rint = (fmode || qmode) ? ProdBits'(fint) : scaled;
        if ((fmode || qmode) && fneg) rint = -rint;
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
            req = rint + req_add;
            if (req > req_hi) y = req_hi[AccBits-1:0];
            else if (req < req_lo) y = req_lo[AccBits-1:0];
            else y = req[AccBits-1:0];
          end
          tessera_isa_pkg::ALU_MOV: y = b;
        endcase
      end
    end
    assign y_o[l*AccBits +: AccBits] = y;
  end
endmodule
