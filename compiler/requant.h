// Requantization of int32 accumulators to the output type, planned per output channel.
//
// Device bytes are signed: a uint8 tensor is held as q - 128, so its zero point moves by -128 too.
// The input zero point is folded into the bias (the DRAM halo holds it, so every tap subtracts it):
//   acc' = sum x' * w + bias[k] - zx' * sum(w[k])  ==  bias[k] + sum (x - zx) * w
// and the output is clamp(round(acc' * m[k]) + zy', lo, hi) with m[k] = x_scale * w_scale[k] / y_scale,
// computed the way onnxruntime does (binary32 throughout, ties to even: REQ's float mode), so a
// conv's output is bit-identical to onnxruntime's QLinearConv.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/conv_geometry.h"
#include "compiler/layer.h"

namespace tessera::compiler {

enum class IsaTarget : uint8_t { TESSERA, VTA };

struct RequantPlan {
  std::vector<int32_t> bias;        // per output channel, input zero point folded in
  // TESSERA: the binary32 bits of fl32(fl32(x_scale * w_scale[k]) / y_scale), REQ's float operand.
  std::vector<int32_t> multiplier;  // per output channel (empty for VTA)
  // VTA: every m[k] is 2^-vta_shift; y = (acc' + 2^(vta_shift-1)) >> vta_shift.
  int vta_shift = 0;
  int32_t out_zero_point = 0;       // device (signed) zero point of the output
  int32_t lo = -128, hi = 127;      // device clamp bounds (ReLU raises lo to the zero point)
};

// A quantized add as onnxruntime's QLinearAdd computes it (REQ's packed-add mode): with raw values,
//   y = clamp(round_half_even(fma(a, rA, fma(b, rB, F))), type range)
// rA = fl32(a_scale / y_scale), rB = fl32(b_scale / y_scale), F = fl32(zy - fma(rA, za, rB * zb)),
// all binary32, then ReLU at the output zero point when the add has one (device values: lo).
struct AddRequant {
  float ra = 0, rb = 0, f = 0;
  bool uint8 = false;
  int32_t zy = 0, lo = -128;  // device values
  std::vector<uint8_t> constants(const DerivedConfig& cfg) const;  // the operand vector: rA, rB, F in lanes 0..2
  int64_t immediate() const;                                        // REQ's packed-add immediate
};
// Throws CompileError naming `who` when the inputs and output differ in type or a scale ratio lies
// outside [2^-63, 2^64).
AddRequant plan_add_requant(const std::string& who, const QTensor& a, const QTensor& b, const QTensor& y, bool relu);

// The add in fixed point with VTA's ALU ops (--isa vta has no REQ), device values:
//   y' = clamp(((a' - za')*ma + (b' - zb')*mb + 2^(shift-1)) >> shift + zy', lo, 127)
// with ma, mb = round(a_scale / y_scale * 2^shift), round(b_scale / y_scale * 2^shift) below 2^22;
// each term stays below 2^30 so their sum fits int32. Within 1 LSB of onnxruntime.
struct FixedPointAdd {
  int32_t ma = 0, mb = 0;
  int shift = 0;
  int32_t za = 0, zb = 0, zy = 0, lo = -128;
};
FixedPointAdd plan_fixed_point_add(const std::string& who, const QTensor& a, const QTensor& b, const QTensor& y, bool relu);

// REQ's modes, imm[7:6] (docs/isa.md). The compiler emits the float and packed-add modes, which
// have no shift; the fixed-point mode stays in the ISA for hand-written programs (cosim covers it).
enum class ReqMode : int { FIXED_POINT = 0, FLOAT = 1, ADD_INT8 = 2, ADD_UINT8 = 3 };
// REQ's immediate: ReLU [5], mode [7:6], output zero point [15:8]; shift [4:0] is 0.
int64_t req_immediate(ReqMode mode, bool relu, int32_t zero_point);

// The device value of a quantized number of type t (uint8 values shift by -128).
int32_t device_value(int32_t q, ElemType t);

// Throws CompileError naming the layer when a scale is not representable for the target (VTA:
// not one shared power of two; TESSERA: not a positive normal binary32).
RequantPlan plan_requant(const Layer& layer, const ConvGeometry& g, IsaTarget isa);

}  // namespace tessera::compiler
