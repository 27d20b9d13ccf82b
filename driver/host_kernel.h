// The shared machinery of the host kernels (internal to the driver): shape and dtype helpers, the
// checked view of one invocation (Call) and the element converters; the kernels of host_ops_*.cc.
#pragma once

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "driver/host_ops.h"

namespace tessera::host_kernel {

using Shape = std::vector<int64_t>;

// Caps tensor sizes so that index arithmetic on a malformed spec cannot overflow.
constexpr int64_t kMaxElements = int64_t{1} << 40;

inline std::string shape_text(const Shape& s) {
  std::string t = "[";
  for (size_t i = 0; i < s.size(); ++i) t += (i ? "," : "") + std::to_string(s[i]);
  return t + "]";
}

inline int64_t count(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

inline Shape strides_of(const Shape& s) {
  Shape st(s.size(), 1);
  for (size_t i = s.size(); i-- > 1;) st[i - 1] = st[i] * s[i];
  return st;
}

// Visits every multi-index of `shape` in C order.
inline void for_each_index(const Shape& shape, const std::function<void(const Shape& idx, int64_t flat)>& f) {
  const int64_t n = count(shape);
  Shape idx(shape.size(), 0);
  for (int64_t flat = 0; flat < n; ++flat) {
    f(idx, flat);
    for (size_t d = idx.size(); d-- > 0;) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

inline bool valid_dtype(NpyDType t) { return static_cast<int>(t) <= static_cast<int>(NpyDType::FLOAT32); }
inline bool quantized(NpyDType t) { return t != NpyDType::FLOAT32; }

inline std::pair<int64_t, int64_t> range_of(NpyDType t) {
  if (t == NpyDType::INT8) return {-128, 127};
  if (t == NpyDType::UINT8) return {0, 255};
  return {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
}

// ONNX's quantization rule: round half to even (nearbyint in the default rounding mode), add the
// zero point, saturate. NaN maps to the zero point; the clamp keeps the integer cast defined.
inline int64_t saturate_round(double v, int32_t zero_point, NpyDType t) {
  if (std::isnan(v)) v = 0;
  const auto [lo, hi] = range_of(t);
  const double q = std::nearbyint(std::clamp(v, -1e10, 1e10)) + zero_point;
  return std::clamp<int64_t>(static_cast<int64_t>(q), lo, hi);
}

inline std::string dtype_text(NpyDType t) { return valid_dtype(t) ? npy_dtype_name(t) : "invalid dtype"; }
inline std::string spec_text(const HostResultSpec& s) { return dtype_text(s.dtype) + " " + shape_text(s.shape); }
inline std::string quant_text(const HostQuant& q) {
  return "scale " + std::to_string(q.scale) + " zero point " + std::to_string(q.zero_point);
}
inline bool same_quant(const HostQuant& a, const HostQuant& b) { return a.scale == b.scale && a.zero_point == b.zero_point; }

// Attribute text -> values; integers are limited to int32 so later size arithmetic cannot overflow.
inline bool parse_int(const std::string& s, int64_t& v) {
  const char* b = s.c_str();
  char* end = nullptr;
  errno = 0;
  const long long x = std::strtoll(b, &end, 10);
  while (end && *end == ' ') ++end;
  if (errno || end == b || *end || x < std::numeric_limits<int32_t>::min() || x > std::numeric_limits<int32_t>::max())
    return false;
  v = x;
  return true;
}

// One invocation as the checks see it, with the attribute readers and error wording every op shares.
struct Call {
  const HostAttrs& attrs;
  const std::vector<HostResultSpec>& in;
  const HostResultSpec& out;
  const std::string& where;

  [[noreturn]] void fail(const std::string& what) const { throw std::runtime_error(where + ": " + what); }
  [[noreturn]] void fail_attr(const std::string& name, const std::string& why) const {
    fail("attribute '" + name + "' " + why);
  }
  const std::string* text(const std::string& name) const {
    const auto it = attrs.find(name);
    return it == attrs.end() ? nullptr : &it->second;
  }
  std::vector<int64_t> ints(const std::string& name, const std::vector<int64_t>& def) const {
    const std::string* t = text(name);
    if (!t) return def;
    std::vector<int64_t> v;
    if (t->empty()) return v;
    size_t pos = 0;
    for (;;) {
      const size_t comma = t->find(',', pos);
      int64_t x = 0;
      if (!parse_int(t->substr(pos, comma == std::string::npos ? std::string::npos : comma - pos), x))
        fail_attr(name, "= '" + *t + "' is not a comma-separated list of integers");
      v.push_back(x);
      if (comma == std::string::npos) return v;
      pos = comma + 1;
    }
  }
  int64_t integer(const std::string& name, int64_t def) const {
    const std::string* t = text(name);
    int64_t v = def;
    if (t && !parse_int(*t, v)) fail_attr(name, "= '" + *t + "' is not an integer");
    return v;
  }
  double real(const std::string& name, double def) const {
    const std::string* t = text(name);
    if (!t) return def;
    char* end = nullptr;
    const double v = std::strtod(t->c_str(), &end);
    if (t->empty() || *end || std::isnan(v)) fail_attr(name, "= '" + *t + "' is not a real number");
    return v;
  }
  std::string choice(const std::string& name, const std::string& def, const std::vector<std::string>& allowed) const {
    const std::string* t = text(name);
    const std::string v = t ? *t : def;
    if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      fail_attr(name, "= '" + v + "' is not supported (supported: " + list + ")");
    }
    return v;
  }
  // An axis in [-rank, rank - 1 + extra], normalized to non-negative.
  int64_t axis(const std::string& name, int64_t v, int64_t rank, int64_t extra = 0) const {
    if (v < -rank || v >= rank + extra)
      fail_attr(name, "= " + std::to_string(v) + " is out of range for rank " + std::to_string(rank));
    return v < 0 ? v + rank : v;
  }
  int64_t axis_attr(const std::string& name, int64_t def, int64_t rank, int64_t extra = 0) const {
    return axis(name, integer(name, def), rank, extra);
  }
  // A list of distinct axes, normalized.
  std::vector<int64_t> axes_attr(const std::string& name, int64_t rank) const {
    std::vector<int64_t> v = ints(name, {});
    for (auto& a : v) a = axis(name, a, rank);
    std::vector<int64_t> sorted = v;
    std::sort(sorted.begin(), sorted.end());
    if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) fail_attr(name, "repeats an axis");
    return v;
  }

  void need_input(size_t i, std::initializer_list<NpyDType> dtypes, int64_t rank = -1) const {
    if (std::find(dtypes.begin(), dtypes.end(), in[i].dtype) == dtypes.end()) {
      std::string list;
      for (NpyDType t : dtypes) list += (list.empty() ? "" : "/") + dtype_text(t);
      fail("input " + std::to_string(i) + " is " + dtype_text(in[i].dtype) + ", expected " + list);
    }
    if (rank >= 0 && static_cast<int64_t>(in[i].shape.size()) != rank)
      fail("input " + std::to_string(i) + " has shape " + shape_text(in[i].shape) + ", expected rank " +
           std::to_string(rank));
  }
  void need_output(NpyDType dtype, const Shape& shape) const {
    if (out.dtype != dtype || out.shape != shape)
      fail("output 0 is " + spec_text(out) + ", expected " + dtype_text(dtype) + " " + shape_text(shape));
  }
  // Data movement cannot requantize, so a quantized input and the output must share their quantization.
  void need_same_quant(size_t i) const {
    if (quantized(in[i].dtype) && !same_quant(in[i].quant, out.quant))
      fail("input " + std::to_string(i) + " (" + quant_text(in[i].quant) + ") and output 0 (" + quant_text(out.quant) +
           ") are quantized differently");
  }
  // Optional ONNX operands the output spec already resolved (Reshape's shape, Squeeze's axes, ...).
  void need_int_vector(size_t i) const {
    if (i < in.size()) need_input(i, {NpyDType::INT32}, 1);
  }
};

using Operands = std::vector<HostOperand>;

inline NpyArray blank(const HostResultSpec& spec) {
  NpyArray a;
  a.dtype = spec.dtype;
  a.shape = spec.shape;
  a.data.resize(static_cast<size_t>(count(spec.shape) * npy_dtype_bytes(spec.dtype)));
  return a;
}

inline std::vector<float> floats(const NpyArray& a) {
  std::vector<float> v(static_cast<size_t>(a.elements()));
  std::memcpy(v.data(), a.data.data(), v.size() * sizeof(float));
  return v;
}

inline NpyArray from_floats(const HostResultSpec& spec, const std::vector<float>& v) {
  NpyArray a = blank(spec);
  std::memcpy(a.data.data(), v.data(), v.size() * sizeof(float));
  return a;
}

inline std::vector<int64_t> ints(const NpyArray& a) {
  std::vector<int64_t> v(static_cast<size_t>(a.elements()));
  for (size_t i = 0; i < v.size(); ++i) {
    if (a.dtype == NpyDType::INT8) v[i] = static_cast<int8_t>(a.data[i]);
    else if (a.dtype == NpyDType::UINT8) v[i] = a.data[i];
    else {
      int32_t x;
      std::memcpy(&x, &a.data[i * 4], 4);
      v[i] = x;
    }
  }
  return v;
}

// `v` must already lie in the dtype's range.
inline NpyArray from_ints(const HostResultSpec& spec, const std::vector<int64_t>& v) {
  NpyArray a = blank(spec);
  for (size_t i = 0; i < v.size(); ++i) {
    if (spec.dtype == NpyDType::INT32) {
      const int32_t x = static_cast<int32_t>(v[i]);
      std::memcpy(&a.data[i * 4], &x, 4);
    } else {
      a.data[i] = static_cast<uint8_t>(v[i]);
    }
  }
  return a;
}

// Builds the output element by element from the input element at src(output index): the core of the
// data-movement ops, which work on any dtype.
inline NpyArray gather(const NpyArray& x, const HostResultSpec& out, const std::function<int64_t(const Shape&)>& src) {
  NpyArray r = blank(out);
  const size_t b = static_cast<size_t>(npy_dtype_bytes(out.dtype));
  for_each_index(out.shape, [&](const Shape& idx, int64_t flat) {
    std::memcpy(&r.data[static_cast<size_t>(flat) * b], &x.data[static_cast<size_t>(src(idx)) * b], b);
  });
  return r;
}

// A sliding window over NCHW: the geometry AveragePool and Im2Col share.
struct Window {
  int64_t kh, kw, sh, sw, pt, pl, pb, pr;
};

inline Window window_params(const Call& c) {
  const std::vector<int64_t> k = c.ints("kernel_shape", {}), s = c.ints("strides", {1, 1}), p = c.ints("pads", {0, 0, 0, 0});
  if (!c.text("kernel_shape")) c.fail_attr("kernel_shape", "is required");
  if (k.size() != 2 || k[0] < 1 || k[1] < 1) c.fail_attr("kernel_shape", "= '" + *c.text("kernel_shape") + "' is not two positive integers");
  if (s.size() != 2 || s[0] < 1 || s[1] < 1) c.fail_attr("strides", "= '" + *c.text("strides") + "' is not two positive integers");
  if (p.size() != 4 || *std::min_element(p.begin(), p.end()) < 0)
    c.fail_attr("pads", "= '" + *c.text("pads") + "' is not four non-negative integers");
  return {k[0], k[1], s[0], s[1], p[0], p[1], p[2], p[3]};
}

// Output rows and columns of the window over input 0.
inline std::pair<int64_t, int64_t> window_grid(const Call& c, const Window& p) {
  const Shape& s = c.in[0].shape;
  const int64_t hp = s[2] + p.pt + p.pb - p.kh, wp = s[3] + p.pl + p.pr - p.kw;
  if (hp < 0 || wp < 0) c.fail("input 0 " + shape_text(s) + " is smaller than attribute 'kernel_shape' with its pads");
  return {hp / p.sh + 1, wp / p.sw + 1};
}

// Data movement (host_ops_movement.cc): every dtype, no arithmetic beyond requantization.
void check_quant_axis(const Call& c);
void check_quantize(const Call& c);
NpyArray run_quantize(const Call& c, const Operands& x);
void check_dequantize(const Call& c);
NpyArray run_dequantize(const Call& c, const Operands& x);
void check_transpose(const Call& c);
NpyArray run_transpose(const Call& c, const Operands& x);
void check_reshape(const Call& c);
void check_flatten(const Call& c);
void check_squeeze(const Call& c);
void check_unsqueeze(const Call& c);
NpyArray run_reshape(const Call& c, const Operands& x);
void check_identity(const Call& c);
void check_concat(const Call& c);
NpyArray run_concat(const Call& c, const Operands& x);
void check_resize(const Call& c);
NpyArray run_resize(const Call& c, const Operands& x);
void check_im2col(const Call& c);
NpyArray run_im2col(const Call& c, const Operands& x);

// Arithmetic (host_ops_math.cc): float32 math, quantized comparisons.
void check_softmax(const Call& c);
NpyArray run_softmax(const Call& c, const Operands& x);
void check_clip(const Call& c);
NpyArray run_relu(const Call& c, const Operands& x);
NpyArray run_clip(const Call& c, const Operands& x);
void check_binary(const Call& c);
NpyArray run_add(const Call& c, const Operands& x);
NpyArray run_mul(const Call& c, const Operands& x);
void check_avgpool(const Call& c);
NpyArray run_avgpool(const Call& c, const Operands& x);
void check_global_avgpool(const Call& c);
NpyArray run_global_avgpool(const Call& c, const Operands& x);

}  // namespace tessera::host_kernel
