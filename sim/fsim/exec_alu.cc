// ALU: micro-op driven element-wise integer operations on accumulator vectors.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "sim/fsim/exec.h"

namespace tessera {
namespace {

// Per-instruction constants of the extension ops: MULHR/REQ's right shift (31 + imm[4:0] for a
// vector operand, 15 for MULHR's Q15 immediate) and REQ's output zero point, clamp bounds and mode.
struct RequantImm {
  int shift = 31;
  int32_t zero_point = 0, lo = 0, hi = 0;
  int mode = 0;        // REQ imm[7:6]: 0 fixed point, 1 float scale, 2/3 packed add of int8/uint8
  int32_t offset = 0;  // packed add: 128 for uint8 (the device holds q - 128), else 0
};

// Round to the nearest integer, ties to even (the default rounding mode), saturating beyond int32:
// every REQ result is clamped to the output type afterwards.
inline int64_t round_even_saturated(float v) {
  return int64_t(std::fabs(v) < 2147483648.0f ? std::nearbyint(v) : std::copysign(2147483648.0f, v));
}

// REQ's float mode is onnxruntime's requantization, so a conv can be bit-identical to it:
// binary32 float(a) * scale, each step rounded to nearest even, then to the nearest integer (ties
// to even). A scale whose exponent field is 0 or 255 counts as zero, so no input is undefined.
inline int32_t req_float(int32_t a, int32_t scale_bits, const RequantImm& q) {
  const uint32_t bits = uint32_t(scale_bits), exponent = bits >> 23 & 0xFF;
  float s = 0.0f;
  if (exponent != 0 && exponent != 0xFF) std::memcpy(&s, &bits, sizeof s);
  return int32_t(std::clamp(round_even_saturated(float(a) * s) + q.zero_point, int64_t{q.lo}, int64_t{q.hi}));
}

// REQ's packed-add modes are onnxruntime's QLinearAdd (its AVX2 kernel), so residual adds can be
// bit-identical to it too: the destination packs both device values (lo + hi * 65536), the
// operand's lanes 0..2 hold binary32 rA, rB and F, and y = fma(a, rA, fma(b, rB, F)) with one
// rounding per FMA, then to an integer (ties to even). A constant outside [2^-63, 2^64) counts as
// zero, which keeps every intermediate a normal number: no input is undefined.
inline float qadd_constant(int32_t bits) {
  const uint32_t u = uint32_t(bits), exponent = u >> 23 & 0xFF;
  float c = 0.0f;
  if (exponent >= 64 && exponent <= 190) std::memcpy(&c, &u, sizeof c);
  return c;
}

inline int32_t qadd(int32_t x, const float c[3], const RequantImm& q) {
  const int32_t lo = int16_t(uint16_t(uint32_t(x))), hi = int32_t((int64_t{x} - lo) >> 16);
  const float v = std::fmaf(float(lo + q.offset), c[0], std::fmaf(float(hi + q.offset), c[1], c[2]));
  const int64_t raw = std::clamp(round_even_saturated(v), int64_t{q.offset ? 0 : -128}, int64_t{q.offset ? 255 : 127});
  return int32_t(std::max(raw - q.offset, int64_t{q.lo}));
}

// The packed add reads its three constants from lanes 0..2 of each operand vector.
void qadd_loop(const UopLoop& l, FsimSram& s, const RequantImm& q) {
  const int64_t lanes = s.acc_lanes;
  int32_t* const acc = s.acc.data();
  for (int64_t o = 0; o < l.iter_out; ++o)
    for (int64_t i = 0; i < l.iter_in; ++i)
      for (int64_t k = l.uop_bgn; k < l.uop_end; ++k) {
        const Uop& u = s.uop[size_t(k)];
        int32_t* d = acc + (u.dst + o * l.dst_out + i * l.dst_in) * lanes;
        const int32_t* src = acc + (u.src + o * l.src_out + i * l.src_in) * lanes;
        const float c[3] = {qadd_constant(src[0]), qadd_constant(src[1]), qadd_constant(src[2])};
        for (int64_t j = 0; j < lanes; ++j) d[j] = qadd(d[j], c, q);
      }
}

inline int64_t round_shift(int32_t a, int32_t b, int shift) {  // |a*b| <= 2^62: adding 2^(shift-1) <= 2^61 is safe
  return (int64_t(a) * b + (int64_t{1} << (shift - 1))) >> shift;
}

// One lane of each operation; int32 arithmetic wraps (done in uint32, which C++ defines).
template <AluOp OP, bool FLOAT_REQ = false>
int32_t alu_lane(int32_t a, int32_t b, [[maybe_unused]] const RequantImm& q) {
  if constexpr (OP == AluOp::MIN) return std::min(a, b);
  if constexpr (OP == AluOp::MAX) return std::max(a, b);
  if constexpr (OP == AluOp::ADD) return int32_t(uint32_t(a) + uint32_t(b));
  if constexpr (OP == AluOp::MUL) return int32_t(uint32_t(a) * uint32_t(b));
  if constexpr (OP == AluOp::SHR)
    return b >= 0 ? a >> std::min(b, 31) : int32_t(uint32_t(a) << std::min(-int64_t(b), int64_t{31}));
  if constexpr (OP == AluOp::MULHR) return int32_t(std::clamp(round_shift(a, b, q.shift), int64_t{INT32_MIN}, int64_t{INT32_MAX}));
  if constexpr (OP == AluOp::MOV) return b;
  if constexpr (OP == AluOp::REQ && FLOAT_REQ) return req_float(a, b, q);
  if constexpr (OP == AluOp::REQ && !FLOAT_REQ)
    return int32_t(std::clamp(round_shift(a, b, q.shift) + q.zero_point, int64_t{q.lo}, int64_t{q.hi}));
}

// The operand choice is a template argument so each lane loop is branch-free and vectorizes.
template <AluOp OP, bool IMM, bool FLOAT_REQ = false>
inline __attribute__((always_inline)) void alu_loop(const UopLoop& l, FsimSram& s, int32_t imm, const RequantImm& q) {
  const int64_t lanes = s.acc_lanes;
  int32_t* const acc = s.acc.data();
  const Uop* const uops = s.uop.data();
  for (int64_t o = 0; o < l.iter_out; ++o)
    for (int64_t i = 0; i < l.iter_in; ++i)
      for (int64_t k = l.uop_bgn; k < l.uop_end; ++k) {
        int32_t* d = acc + (uops[k].dst + o * l.dst_out + i * l.dst_in) * lanes;
        const int32_t* src = IMM ? nullptr : acc + (uops[k].src + o * l.src_out + i * l.src_in) * lanes;
        for (int64_t j = 0; j < lanes; ++j) d[j] = alu_lane<OP, FLOAT_REQ>(d[j], IMM ? imm : src[j], q);
      }
}

template <AluOp OP>
inline __attribute__((always_inline)) void alu_loop(const UopLoop& l, FsimSram& s, bool use_imm, int32_t imm,
                                                    const RequantImm& q) {
  if (use_imm) alu_loop<OP, true>(l, s, imm, q);
  else alu_loop<OP, false>(l, s, imm, q);
}

// Cloned per ISA level (resolved once at load time), so per-lane variable shifts and min/max use
// AVX2/AVX-512 where the CPU has them while the binary still runs on any x86-64.
__attribute__((target_clones("avx512f", "avx2", "default"))) void alu_ops(AluOp op, const UopLoop& l, FsimSram& s,
                                                                          bool use_imm, int32_t imm, const RequantImm& q) {
  switch (op) {
    case AluOp::MIN: alu_loop<AluOp::MIN>(l, s, use_imm, imm, q); break;
    case AluOp::MAX: alu_loop<AluOp::MAX>(l, s, use_imm, imm, q); break;
    case AluOp::ADD: alu_loop<AluOp::ADD>(l, s, use_imm, imm, q); break;
    case AluOp::SHR: alu_loop<AluOp::SHR>(l, s, use_imm, imm, q); break;
    case AluOp::MUL: alu_loop<AluOp::MUL>(l, s, use_imm, imm, q); break;
    case AluOp::MULHR: alu_loop<AluOp::MULHR>(l, s, use_imm, imm, q); break;
    case AluOp::REQ:
      if (q.mode >= 2) qadd_loop(l, s, q);
      else if (q.mode == 1) alu_loop<AluOp::REQ, false, true>(l, s, imm, q);
      else alu_loop<AluOp::REQ, false>(l, s, imm, q);
      break;
    case AluOp::MOV: alu_loop<AluOp::MOV>(l, s, use_imm, imm, q); break;
  }
}

// VTA's fsim shifts with C's << and >>, undefined from 32 on: under VTA semantics an amount outside
// -31..31 is an error instead of tessera's saturation at 31.
void check_vta_shift_amounts(const ExecContext& x, const UopLoop& l, bool use_imm, int32_t imm) {
  const auto bad = [&](int64_t amount, const std::string& where) {
    if (amount < -31 || amount > 31)
      x.fail(where, "SHR by " + std::to_string(amount) +
                        ": VTA shifts in C, undefined outside -31..31 (tessera saturates; --semantics vta)");
  };
  if (use_imm) return bad(imm, "imm");
  const FsimSram& s = x.sram;
  for (int64_t o = 0; o < l.iter_out; ++o)
    for (int64_t i = 0; i < l.iter_in; ++i)
      for (int64_t k = l.uop_bgn; k < l.uop_end; ++k) {
        const int64_t src = s.uop[size_t(k)].src + o * l.src_out + i * l.src_in;
        for (int64_t j = 0; j < s.acc_lanes; ++j) bad(s.acc[size_t(src * s.acc_lanes + j)], "ACC[" + std::to_string(src) + "]");
      }
}

}  // namespace

// ALU semantics:
//
//   for o < iter_out: for i < iter_in: for k in [uop_bgn, uop_end):
//     u = uop[k]
//     d = u.dst + o * dst_factor_out + i * dst_factor_in      // ACC index
//     s = u.src + o * src_factor_out + i * src_factor_in      // ACC index (not read when use_imm)
//     if reset: acc[d][l] = 0 for every lane l < BATCH * BLOCK_OUT
//     else: for l < BATCH * BLOCK_OUT:
//       a = acc[d][l];  b = use_imm ? imm (sign-extended) : acc[s][l]
//       acc[d][l] = MIN: min(a, b)   MAX: max(a, b)   ADD: a + b (wrapping)
//                   SHR: b >= 0 ? a >> min(b, 31) (arithmetic) : a << min(-b, 31) (wrapping)
//                   MUL: low 32 bits of a * b
//                   MOV (extension): b
//                   MULHR (extension), in 64-bit arithmetic, saturated to int32:
//                          vector: (a * acc[s][l] + 2^(30+imm)) >> (31 + imm), imm in 0..31
//                          use_imm: (a * imm + 2^14) >> 15 (a Q15 multiplier)
//                          i.e. one rounding (half up) of a * b / 2^shift: a requantization step
//                   REQ (extension; vector operand only), with u = imm as 16 unsigned bits,
//                          shift = u[4:0], relu = u[5], mode = u[7:6], zp = u[15:8] as int8,
//                          lo = relu ? max(zp, -2^(OUT_BITS-1)) : -2^(OUT_BITS-1), hi = 2^(OUT_BITS-1) - 1:
//                          fixed point (u[6] = 0):
//                            clamp(((a * acc[s][l] + 2^(30+shift)) >> (31 + shift)) + zp, lo, hi)
//                            i.e. MULHR, the output zero point and the clamp (ReLU) in one pass
//                          float (u[7:6] = 1, shift must be 0): acc[s][l] is a binary32 scale m (0 when
//                            its exponent field is 0 or 255);
//                            clamp(round_even(fl32(fl32(a) * m)) + zp, lo, hi), saturating
//                          packed add (u[7:6] = 2 int8, 3 uint8, shift must be 0): o = 128 for uint8, else 0;
//                            lo16 = sext(a[15:0]), hi16 = (a - lo16) >> 16; binary32 c0, c1, c2 = lanes
//                            0, 1, 2 of acc[s] (0 outside [2^-63, 2^64)); t = fma(hi16 + o, c1, c2),
//                            v = fma(lo16 + o, c0, t), each rounded to nearest even once;
//                            max(clamp(round_even(v), type range) - o, lo), saturating
//
// alu_opcode values the table does not define are reserved (an error even with reset). Index checks as for GEMM.
// Semantics::VTA: reset is ignored (the operation runs), extensions are errors, SHR amounts must lie in -31..31.
void exec_alu(const ExecContext& x) {
  const int64_t op = x.insn[Field::ALU_OPCODE];
  if (!alu_op_name(int(op))) x.fail("alu_opcode", "reserved ALU opcode " + std::to_string(op));
  if (op == int64_t(AluOp::MULHR) && !x.insn[Field::USE_IMM] && (x.insn[Field::IMM] < 0 || x.insn[Field::IMM] > 31))
    x.fail("imm", "MULHR with a vector operand shifts by 31 + imm; imm " + std::to_string(x.insn[Field::IMM]) +
                      " is outside 0..31");
  const bool vta = x.semantics == Semantics::VTA;
  if (vta && alu_ops()[size_t(op)].extension)
    x.fail("alu_opcode", std::string(alu_op_name(int(op))) +
                             " is a tessera extension; VTA's ALU has MIN, MAX, ADD, SHR and MUL only (--semantics vta)");
  // VTA implements reset on GEMM only: its ALU computes on the stale accumulators (issue #10).
  const bool reset = x.insn[Field::RESET] != 0 && !vta, use_imm = x.insn[Field::USE_IMM] != 0;
  const auto imm = int32_t(x.insn[Field::IMM]);
  RequantImm q;
  if (op == int64_t(AluOp::REQ) && !reset) {
    if (use_imm) x.fail("use_imm", "REQ takes its multiplier from a vector operand; imm holds shift, ReLU and zero point");
    const auto u = uint16_t(imm);
    q.mode = u >> 6 & 3;
    if (q.mode != 0 && (u & 31))
      x.fail("imm", std::string("REQ's ") + (q.mode == 1 ? "float" : "packed-add") +
                        " mode (imm[7:6] = " + std::to_string(q.mode) + ") has no shift: imm bits 4:0 must be 0, not " +
                        std::to_string(u & 31));
    q.offset = q.mode == 3 ? 128 : 0;
    q.shift = 31 + (u & 31);
    q.zero_point = int8_t(u >> 8);
    q.hi = (1 << (x.cfg.out_bits - 1)) - 1;
    q.lo = (u & 32) ? std::max(q.zero_point, -q.hi - 1) : -q.hi - 1;
  } else {
    q.shift = use_imm ? 15 : 31 + imm;
  }
  const UopLoop l = read_uop_loop(x);
  const UopOperand dst{"dst", &Uop::dst, l.dst_out, l.dst_in, "ACC", x.cfg.acc.depth};
  const UopOperand src{"src", &Uop::src, l.src_out, l.src_in, "ACC", x.cfg.acc.depth};
  if (reset || use_imm) check_uop_operands(x, l, {dst});
  else check_uop_operands(x, l, {dst, src});

  FsimSram& s = x.sram;
  if (vta && op == int64_t(AluOp::SHR)) check_vta_shift_amounts(x, l, use_imm, imm);
  if (reset) reset_accumulators(l, s);
  else alu_ops(static_cast<AluOp>(op), l, s, use_imm, imm, q);
  x.stats.alu_uops += uint64_t(l.iter_out * l.iter_in * (l.uop_end - l.uop_bgn));
}

}  // namespace tessera
