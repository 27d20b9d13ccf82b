// Host kernels that move data: Quantize/DequantizeLinear, Transpose, the reshapes, Concat, Resize (nearest), Im2Col.
#include "driver/host_kernel.h"

namespace tessera::host_kernel {

// ---- QuantizeLinear / DequantizeLinear

// The quantization is per-tensor, where ONNX ignores "axis"; a given one must still name an axis.
void check_quant_axis(const Call& c) {
  if (c.text("axis")) c.axis_attr("axis", 1, std::max<int64_t>(c.in[0].shape.size(), 1));
}

void check_quantize(const Call& c) {
  c.need_input(0, {NpyDType::FLOAT32});
  check_quant_axis(c);
  if (c.out.dtype != NpyDType::INT8 && c.out.dtype != NpyDType::UINT8)
    c.fail("output 0 is " + dtype_text(c.out.dtype) + ", expected int8/uint8");
  c.need_output(c.out.dtype, c.in[0].shape);
}

// Divides in float as onnxruntime does, so ties are decided on the same value.
NpyArray run_quantize(const Call& c, const Operands& x) {
  const std::vector<float> v = floats(x[0].value);
  std::vector<int64_t> q(v.size());
  const float scale = static_cast<float>(c.out.quant.scale);
  for (size_t i = 0; i < v.size(); ++i) q[i] = saturate_round(v[i] / scale, c.out.quant.zero_point, c.out.dtype);
  return from_ints(c.out, q);
}

void check_dequantize(const Call& c) {
  c.need_input(0, {NpyDType::INT8, NpyDType::UINT8, NpyDType::INT32});
  check_quant_axis(c);
  c.need_output(NpyDType::FLOAT32, c.in[0].shape);
}

NpyArray run_dequantize(const Call& c, const Operands& x) {
  const std::vector<int64_t> q = ints(x[0].value);
  std::vector<float> v(q.size());
  const float scale = static_cast<float>(c.in[0].quant.scale);
  for (size_t i = 0; i < q.size(); ++i) v[i] = static_cast<float>(q[i] - c.in[0].quant.zero_point) * scale;
  return from_floats(c.out, v);
}

// ---- Transpose

std::vector<int64_t> transpose_perm(const Call& c) {
  const int64_t rank = c.in[0].shape.size();
  std::vector<int64_t> rev(rank);
  for (int64_t i = 0; i < rank; ++i) rev[i] = rank - 1 - i;
  const std::vector<int64_t> perm = c.ints("perm", rev);
  std::vector<bool> seen(rank, false);
  bool ok = static_cast<int64_t>(perm.size()) == rank;
  for (size_t i = 0; ok && i < perm.size(); ++i) {
    ok = perm[i] >= 0 && perm[i] < rank && !seen[perm[i]];
    if (ok) seen[perm[i]] = true;
  }
  if (!ok) c.fail_attr("perm", "= '" + *c.text("perm") + "' is not a permutation of 0.." + std::to_string(rank - 1));
  return perm;
}

void check_transpose(const Call& c) {
  const std::vector<int64_t> perm = transpose_perm(c);
  Shape want(perm.size());
  for (size_t d = 0; d < perm.size(); ++d) want[d] = c.in[0].shape[perm[d]];
  c.need_output(c.in[0].dtype, want);
  c.need_same_quant(0);
}

NpyArray run_transpose(const Call& c, const Operands& x) {
  const std::vector<int64_t> perm = transpose_perm(c);
  const Shape st = strides_of(c.in[0].shape);
  return gather(x[0].value, c.out, [&](const Shape& idx) {
    int64_t s = 0;
    for (size_t d = 0; d < idx.size(); ++d) s += idx[d] * st[perm[d]];
    return s;
  });
}

// ---- Reshape, Flatten, Squeeze, Unsqueeze, Identity: the bytes stay, the output spec gives the shape

void check_reshape(const Call& c) {
  c.need_int_vector(1);
  if (c.out.dtype != c.in[0].dtype || count(c.out.shape) != count(c.in[0].shape))
    c.fail("output 0 is " + spec_text(c.out) + ", expected " + dtype_text(c.in[0].dtype) + " with " +
           std::to_string(count(c.in[0].shape)) + " elements like input 0 " + shape_text(c.in[0].shape));
  c.need_same_quant(0);
}

void check_flatten(const Call& c) {
  check_reshape(c);
  const Shape& s = c.in[0].shape;
  const int64_t head = count(Shape(s.begin(), s.begin() + c.axis_attr("axis", 1, s.size(), 1)));
  c.need_output(c.in[0].dtype, {head, count(s) / std::max<int64_t>(head, 1)});
}

void check_squeeze(const Call& c) {
  check_reshape(c);
  for (int64_t a : c.axes_attr("axes", c.in[0].shape.size()))
    if (c.in[0].shape[a] != 1)
      c.fail_attr("axes", "names axis " + std::to_string(a) + " of input 0 " + shape_text(c.in[0].shape) + ", which is not 1");
}

// Unsqueeze's axes index the output.
void check_unsqueeze(const Call& c) {
  check_reshape(c);
  for (int64_t a : c.axes_attr("axes", c.out.shape.size()))
    if (c.out.shape[a] != 1)
      c.fail_attr("axes", "names axis " + std::to_string(a) + " of output 0 " + shape_text(c.out.shape) + ", which is not 1");
}

NpyArray run_reshape(const Call& c, const Operands& x) {
  NpyArray r = x[0].value;
  r.shape = c.out.shape;
  return r;
}

void check_identity(const Call& c) {
  c.need_output(c.in[0].dtype, c.in[0].shape);
  c.need_same_quant(0);
}

// ---- Concat (QLinearConcat semantics when quantized)

void check_concat(const Call& c) {
  if (!c.text("axis")) c.fail_attr("axis", "is required");
  const Shape& s0 = c.in[0].shape;
  if (s0.empty()) c.fail("input 0 is a scalar; Concat needs rank >= 1");
  const int64_t axis = c.axis_attr("axis", 0, s0.size());
  Shape want = s0;
  want[axis] = 0;
  for (size_t i = 0; i < c.in.size(); ++i) {
    c.need_input(i, {NpyDType::FLOAT32, NpyDType::INT8, NpyDType::UINT8}, s0.size());
    if (c.in[i].dtype != c.in[0].dtype)
      c.fail("input " + std::to_string(i) + " is " + dtype_text(c.in[i].dtype) + ", input 0 " + dtype_text(c.in[0].dtype));
    for (size_t d = 0; d < s0.size(); ++d)
      if (static_cast<int64_t>(d) != axis && c.in[i].shape[d] != s0[d])
        c.fail("input " + std::to_string(i) + " " + shape_text(c.in[i].shape) + " does not match input 0 " +
               shape_text(s0) + " outside attribute 'axis' = " + std::to_string(axis));
    want[axis] += c.in[i].shape[axis];
  }
  c.need_output(c.in[0].dtype, want);
}

// Input i's values in the output's quantization: q_out = saturate(round(s_i / s_out * (q_i - zp_i)) + zp_out).
NpyArray requantize(const HostOperand& x, const HostResultSpec& out) {
  if (!quantized(out.dtype) || same_quant(x.quant, out.quant)) return x.value;
  std::vector<int64_t> q = ints(x.value);
  const double ratio = x.quant.scale / out.quant.scale;
  for (auto& v : q) v = saturate_round(ratio * static_cast<double>(v - x.quant.zero_point), out.quant.zero_point, out.dtype);
  return from_ints({out.dtype, x.value.shape, out.quant}, q);
}

NpyArray run_concat(const Call& c, const Operands& x) {
  const int64_t axis = c.axis_attr("axis", 0, c.out.shape.size());
  const int64_t inner = strides_of(c.out.shape)[axis] * npy_dtype_bytes(c.out.dtype);
  const int64_t outer = count(Shape(c.out.shape.begin(), c.out.shape.begin() + axis));
  std::vector<NpyArray> parts;
  for (const HostOperand& op : x) parts.push_back(requantize(op, c.out));
  NpyArray r = blank(c.out);
  int64_t at = 0;
  for (int64_t o = 0; o < outer; ++o) {
    for (const NpyArray& v : parts) {
      const int64_t chunk = v.shape[axis] * inner;
      if (chunk) std::memcpy(&r.data[at], &v.data[o * chunk], chunk);
      at += chunk;
    }
  }
  return r;
}

// ---- Resize, mode "nearest"

void check_resize(const Call& c) {
  c.choice("mode", "nearest", {"nearest"});
  c.choice("coordinate_transformation_mode", "half_pixel", {"asymmetric", "half_pixel"});
  c.choice("nearest_mode", "round_prefer_floor", {"floor", "round_prefer_floor"});
  c.real("cubic_coeff_a", -0.75);  // cubic-only knobs exporters emit anyway
  c.choice("exclude_outside", "0", {"0", "1"});
  const Shape& s = c.in[0].shape;
  if (c.in.size() > 1) c.need_input(1, {NpyDType::FLOAT32});  // roi: only for tf_crop_and_resize
  if (c.in.size() > 2) {
    c.need_input(2, {NpyDType::FLOAT32}, 1);
    if (c.in[2].shape[0] != 0 && c.in[2].shape[0] != static_cast<int64_t>(s.size()))
      c.fail("input 2 (scales) has " + std::to_string(c.in[2].shape[0]) + " entries for rank " + std::to_string(s.size()));
  }
  c.need_int_vector(3);
  if (c.out.dtype != c.in[0].dtype || c.out.shape.size() != s.size())
    c.fail("output 0 is " + spec_text(c.out) + ", expected " + dtype_text(c.in[0].dtype) + " of rank " +
           std::to_string(s.size()));
  for (size_t d = 0; d < s.size(); ++d)
    if (s[d] == 0 && c.out.shape[d] != 0)
      c.fail("input 0 " + shape_text(s) + " is empty along axis " + std::to_string(d) + " but output 0 is not");
  c.need_same_quant(0);
}

// Computed in float like onnxruntime; the scale is the "scales" operand when given, else out/in.
NpyArray run_resize(const Call& c, const Operands& x) {
  const Shape& s = c.in[0].shape;
  const bool half_pixel = c.choice("coordinate_transformation_mode", "half_pixel", {"asymmetric", "half_pixel"}) == "half_pixel";
  const bool floor_mode = c.choice("nearest_mode", "round_prefer_floor", {"floor", "round_prefer_floor"}) == "floor";
  const std::vector<float> scales = x.size() > 2 ? floats(x[2].value) : std::vector<float>{};
  const Shape st = strides_of(s);
  std::vector<std::vector<int64_t>> src(s.size());
  for (size_t d = 0; d < s.size(); ++d) {
    const float scale = scales.empty() ? static_cast<float>(c.out.shape[d]) / static_cast<float>(s[d]) : scales[d];
    if (!(scale > 0) && c.out.shape[d] > 0)
      c.fail("input 2 (scales) entry " + std::to_string(d) + " = " + std::to_string(scale) + " is not positive");
    for (int64_t o = 0; o < c.out.shape[d]; ++o) {
      const float orig = half_pixel ? (static_cast<float>(o) + 0.5f) / scale - 0.5f : static_cast<float>(o) / scale;
      const float near = floor_mode ? std::floor(orig) : std::ceil(orig - 0.5f);  // ceil(x-0.5): ties go down
      src[d].push_back(std::clamp<int64_t>(static_cast<int64_t>(std::clamp(near, -1.0f, 1e12f)), 0, s[d] - 1) * st[d]);
    }
  }
  return gather(x[0].value, c.out, [&](const Shape& idx) {
    int64_t at = 0;
    for (size_t d = 0; d < idx.size(); ++d) at += src[d][idx[d]];
    return at;
  });
}

// ---- Im2Col on quantized NCHW: every window tap becomes a channel, so a conv with few input channels
// runs as a 1x1 conv whose C*R*S channels fill the accelerator's input blocks

void check_im2col(const Call& c) {
  c.need_input(0, {NpyDType::INT8, NpyDType::UINT8}, 4);
  const Window w = window_params(c);
  const Shape& s = c.in[0].shape;
  if (static_cast<double>(s[1]) * static_cast<double>(w.kh * w.kw) > static_cast<double>(kMaxElements))
    c.fail("input 0 " + shape_text(s) + " with attribute 'kernel_shape' gives too many channels");
  const auto [oh, ow] = window_grid(c, w);
  c.need_output(c.in[0].dtype, {s[0], s[1] * w.kh * w.kw, oh, ow});
  c.need_same_quant(0);
}

// Output channel (c*R + r)*S + s holds tap (r, s) of input channel c; taps in the padding hold the zero
// point, which is what the conv's own padding would have read.
NpyArray run_im2col(const Call& c, const Operands& x) {
  const Window p = window_params(c);
  const int64_t C = c.in[0].shape[1], H = c.in[0].shape[2], W = c.in[0].shape[3], OH = c.out.shape[2], OW = c.out.shape[3];
  const std::vector<uint8_t>& v = x[0].value.data;  // one byte per element: int8 or uint8
  const auto zero = static_cast<uint8_t>(c.in[0].quant.zero_point);
  NpyArray r = blank(c.out);
  size_t at = 0;
  for (int64_t nc = 0; nc < c.in[0].shape[0] * C; ++nc)
    for (int64_t i = 0; i < p.kh; ++i)
      for (int64_t j = 0; j < p.kw; ++j)
        for (int64_t oh = 0; oh < OH; ++oh)
          for (int64_t ow = 0; ow < OW; ++ow) {
            const int64_t h = oh * p.sh - p.pt + i, w = ow * p.sw - p.pl + j;
            r.data[at++] = h >= 0 && h < H && w >= 0 && w < W ? v[static_cast<size_t>((nc * H + h) * W + w)] : zero;
          }
  return r;
}

}  // namespace tessera::host_kernel
