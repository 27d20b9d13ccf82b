// Fixed-point multipliers and folded biases for conv/dense requantization.
#include "compiler/requant.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "compiler/compile_error.h"

namespace tessera::compiler {

int32_t device_value(int32_t q, ElemType t) { return t == ElemType::UINT8 ? q - 128 : q; }

AddRequant plan_add_requant(const std::string& who, const QTensor& a, const QTensor& b, const QTensor& y, bool relu) {
  if (a.type != y.type || b.type != y.type) throw CompileError(who + ": an add's inputs and output must have one type");
  AddRequant p;
  // The float arithmetic of onnxruntime's kernel, operation for operation (raw zero points).
  p.ra = float(a.scale) / float(y.scale), p.rb = float(b.scale) / float(y.scale);
  p.f = float(y.zero_point) - std::fmaf(p.ra, float(a.zero_point), p.rb * float(b.zero_point));
  // REQ counts a constant outside [2^-63, 2^64) as zero: fine for F (it only matters near 0), not for a ratio.
  for (const float r : {p.ra, p.rb})
    if (!(r >= 0x1p-63f && r < 0x1p64f))
      throw CompileError(who + ": add input/output scale ratio " + std::to_string(r) + " is outside [2^-63, 2^64)");
  p.uint8 = y.type == ElemType::UINT8;
  p.zy = device_value(y.zero_point, y.type);
  p.lo = relu ? std::max(p.zy, -128) : -128;
  return p;
}

FixedPointAdd plan_fixed_point_add(const std::string& who, const QTensor& a, const QTensor& b, const QTensor& y, bool relu) {
  const double ra = a.scale / y.scale, rb = b.scale / y.scale;
  if (!(ra > 0 && rb > 0 && std::isfinite(ra) && std::isfinite(rb))) throw CompileError(who + ": add scales must be positive");
  // |x - zx| <= 255: multipliers below 2^22 keep both terms and their sum (with the rounding term) inside int32.
  int e = 0;
  std::frexp(std::max(ra, rb), &e);
  FixedPointAdd p;
  p.shift = 22 - e;
  if (p.shift < 1 || p.shift > 30)
    throw CompileError(who + ": add input/output scale ratio " + std::to_string(std::max(ra, rb)) + " is out of range");
  p.ma = int32_t(std::lround(std::ldexp(ra, p.shift))), p.mb = int32_t(std::lround(std::ldexp(rb, p.shift)));
  p.za = device_value(a.zero_point, a.type), p.zb = device_value(b.zero_point, b.type);
  p.zy = device_value(y.zero_point, y.type);
  p.lo = relu ? std::max(p.zy, -128) : -128;
  return p;
}

std::vector<uint8_t> AddRequant::constants(const DerivedConfig& cfg) const {
  std::vector<uint8_t> v(size_t(cfg.elem_bytes(int(MemType::ACC))), 0);
  const float c[3] = {ra, rb, f};
  std::memcpy(v.data(), c, sizeof c);
  return v;
}

int64_t AddRequant::immediate() const { return req_immediate(uint8 ? ReqMode::ADD_UINT8 : ReqMode::ADD_INT8, lo > -128, zy); }

int64_t req_immediate(ReqMode mode, bool relu, int32_t zero_point) {
  return int64_t(int16_t(uint16_t(uint16_t(uint8_t(int8_t(zero_point))) << 8 | int(mode) << 6 | (relu ? 32 : 0))));
}

RequantPlan plan_requant(const Layer& l, const ConvGeometry& g, IsaTarget isa) {
  const auto fail = [&](const std::string& why) { throw CompileError("layer '" + l.name + "': " + why); };
  RequantPlan p;
  const QTensor& x = l.inputs[0];
  const int32_t zx = device_value(x.zero_point, x.type);
  p.out_zero_point = device_value(l.output.zero_point, l.output.type);
  p.lo = l.relu ? std::max(p.out_zero_point, -128) : -128;
  if (l.clamp_hi) p.hi = std::max(p.lo, std::min(127, device_value(*l.clamp_hi, l.output.type)));
  const int64_t taps = g.cg * g.r * g.s;
  p.bias.resize(size_t(g.k));
  for (int64_t k = 0; k < g.k; ++k) {
    int64_t wsum = 0;
    for (int64_t i = 0; i < taps; ++i) wsum += l.weights[size_t(k * taps + i)];
    const int64_t b = (l.bias.empty() ? 0 : l.bias[size_t(k)]) - int64_t(zx) * wsum;
    if (b < INT32_MIN || b > INT32_MAX) fail("bias of channel " + std::to_string(k) + " overflows int32 after folding the zero point");
    p.bias[size_t(k)] = int32_t(b);
  }
  std::vector<double> m(size_t(g.k));
  for (int64_t k = 0; k < g.k; ++k) {
    m[size_t(k)] = x.scale * l.weight_scales[l.weight_scales.size() == 1 ? 0 : size_t(k)] / l.output.scale;
    if (!(m[size_t(k)] > 0) || !std::isfinite(m[size_t(k)])) fail("requantization scale of channel " + std::to_string(k) + " is not positive");
  }
  const double m_max = *std::max_element(m.begin(), m.end());
  if (isa == IsaTarget::VTA) {
    int e = 0;
    const double frac = std::frexp(m_max, &e);  // m = frac * 2^e, frac in [0.5, 1)
    p.vta_shift = 1 - e;
    for (double v : m)
      if (frac != 0.5 || v != m_max || p.vta_shift < 0 || p.vta_shift > 15)
        fail("--isa vta requantizes by a shift only: every x_scale * w_scale / y_scale must be the same power of two "
             "2^-n with n in 0..15, the rounding term being a 16-bit immediate (channel scale " + std::to_string(v) + ")");
    return p;
  }
  p.multiplier.resize(size_t(g.k));
  for (int64_t k = 0; k < g.k; ++k) {
    // onnxruntime's QLinearConv/QGemm scale: float operands, multiplied, then divided, in binary32.
    const float xs = float(x.scale), ws = float(l.weight_scales[l.weight_scales.size() == 1 ? 0 : size_t(k)]),
                ys = float(l.output.scale);
    const float mk = xs * ws / ys;
    if (!std::isnormal(mk)) fail("requantization scale of channel " + std::to_string(k) + " is not a normal binary32");
    std::memcpy(&p.multiplier[size_t(k)], &mk, sizeof mk);
  }
  return p;
}

}  // namespace tessera::compiler
