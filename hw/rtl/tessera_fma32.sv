// One binary32 fused multiply-add of REQ's packed add (QADD): +-p * 2^p_exp + c, rounded once to
// binary32, to nearest even, as fmaf in onnxruntime's QLinearAdd kernel. p is the exact product of a
// small integer and a binary32 mantissa, made by the caller (so it can share the ALU lane's
// multiplier), |p| < 2^MagBits; c is a binary32 value, mantissa with its leading one times 2^c_exp,
// or zero. Exponents are those of the least significant bit. QADD's operand range keeps every input
// and result a normal binary32 or 0 (no subnormal, inf or NaN), so zero is the only special case;
// an exact-zero sum is +0 (round to nearest), a zero product leaves c as it is.
// Without en_i the outputs are 0 and nothing is evaluated (a cycle-based simulator skips it).
// The caller guarantees that a nonzero p is a nonzero integer times a mantissa with its leading one,
// so |p| >= 2^23 (the jamming below relies on it).
//
// The sum is formed exactly in a window whose bit 0 lies 3 bits below the product's least
// significant bit. Addend bits below bit 0 are ORed into bit 0 (jammed): that happens only when the
// addend lies below the product, whose magnitude is then >= 2^26 window units, so the result's
// rounding bit is >= bit 1 and the jam bit can only make the sticky bit nonzero, never move a kept,
// rounding or zero-result bit, also when subtracting (the product has no bits below 3). An addend
// whose least significant bit lies >= MagBits + 2 above the product's dominates: the exact sum is
// within a quarter ulp of c (half an ulp of the binade below c when subtracting from a power of two)
// and never a tie, so the result is c itself and the window ends there.
`include "tessera_assert.svh"

module tessera_fma32 #(
  parameter int MagBits = 40,  // |p_i| < 2^MagBits
  parameter int ExpBits = 10   // signed exponents of p, c and the result
) (
  input  logic                      en_i,
  input  logic signed [MagBits:0]   p_i,
  input  logic                      p_neg_i,  // negate p (the sign of the binary32 factor)
  input  logic signed [ExpBits-1:0] p_exp_i,
  input  logic                      c_zero_i,
  input  logic                      c_neg_i,
  input  logic [23:0]               c_man_i,  // leading one at bit 23 unless c_zero_i
  input  logic signed [ExpBits-1:0] c_exp_i,
  output logic                      zero_o,
  output logic                      neg_o,
  output logic [23:0]               man_o,    // leading one at bit 23 unless zero_o
  output logic signed [ExpBits-1:0] exp_o
);
  localparam int Low     = 3;                   // window bits below the product
  localparam int MaxDist = MagBits + 1;         // largest c_exp - p_exp placed in the window
  localparam int WinBits = Low + MaxDist + 24;  // the addend's top bit at its highest placement
  localparam int SumBits = WinBits + 1;         // plus the carry of an addition
  localparam int AlBits  = WinBits + 24;        // the window and the 24 bits that fall off it
  localparam int ShBits  = $clog2(WinBits + 1);
  localparam int DistBits = ExpBits + 1;

  // ORing the jam into bit 0 is only safe with the guard bit above it (see above).
  `TESSERA_STATIC_ASSERT(g_low_bits, Low >= 3, "tessera_fma32: the jam bit needs 3 bits below the product")
  `TESSERA_STATIC_ASSERT(g_lzc_width, SumBits > 64 && SumBits <= 128,
                         "tessera_fma32: the normalizer's steps are 64, 32, ..., 1")

  always_comb begin
    logic [MagBits-1:0] pmag;
    logic signed [DistBits-1:0] dexp;
    logic [ShBits-1:0] sh;
    logic [AlBits-1:0] aligned;
    logic [SumBits-1:0] pw, aw, sum;
    logic [SumBits:0] diff;
    logic [24:0] rounded;
    logic signed [ExpBits-1:0] lz;
    logic pneg, guard, sticky;
    {pmag, dexp, sh, aligned, pw, aw, sum, diff, rounded, lz, pneg, guard, sticky} = '0;
    {zero_o, neg_o, man_o, exp_o} = '0;
    if (en_i) begin
      pneg = p_i[MagBits] ^ p_neg_i;
      pmag = MagBits'(p_i[MagBits] ? -p_i : p_i);
      dexp = DistBits'(c_exp_i) - DistBits'(p_exp_i);
      if (pmag == '0 || (!c_zero_i && dexp > DistBits'(MaxDist))) begin
        // c alone, or c dominating (see above): c exactly.
        {zero_o, neg_o, man_o, exp_o} = {c_zero_i, c_neg_i && !c_zero_i, c_man_i, c_exp_i};
      end else begin
        // c's least significant bit goes to window bit Low + dexp; the 24 bits below window bit 0
        // of `aligned` collect what falls off (a shift of 0 leaves all of c there).
        if (c_zero_i || dexp < -DistBits'(Low + 24)) sh = '0;
        else sh = ShBits'(dexp + DistBits'(Low + 24));
        aligned = {{(AlBits-24){1'b0}}, c_man_i & {24{!c_zero_i}}} << sh;
        aw = SumBits'(aligned[AlBits-1:24]) | SumBits'(aligned[23:0] != '0);
        pw = SumBits'(pmag) << Low;
        if (pneg == c_neg_i) begin
          sum = pw + aw;
          neg_o = pneg;
        end else begin
          diff = {1'b0, pw} - {1'b0, aw};
          sum = diff[SumBits] ? SumBits'(-diff) : diff[SumBits-1:0];
          neg_o = diff[SumBits] ? c_neg_i : pneg;
        end
        if (sum == '0) begin
          {zero_o, neg_o} = 2'b10;
        end else begin
          // Leading zero count by halving steps: the leading one ends at bit SumBits-1.
          for (int j = 6; j >= 0; j--) begin
            if ((sum >> (SumBits - (1 << j))) == '0) begin
              sum = sum << (1 << j);
              lz = lz + ExpBits'(1 << j);
            end
          end
          guard = sum[SumBits-25];
          sticky = sum[SumBits-26:0] != '0;
          rounded = {1'b0, sum[SumBits-1 -: 24]} + 25'(guard && (sticky || sum[SumBits-24]));
          // A carry out of the rounding is 2^24: 2^23 one binade up.
          man_o = rounded[24] ? rounded[24:1] : rounded[23:0];
          exp_o = p_exp_i - ExpBits'(Low) + ExpBits'(SumBits - 24) - lz + ExpBits'(rounded[24]);
        end
      end
    end
  end
endmodule
