// Plain-loop host kernels for the ONNX ops without an accelerator lowering, validated before they run.
#include "driver/host_ops.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <stdexcept>

namespace tessera {
namespace {

using Shape = std::vector<int64_t>;

// Caps tensor sizes so that index arithmetic on a malformed spec cannot overflow.
constexpr int64_t kMaxElements = int64_t{1} << 40;

std::string shape_text(const Shape& s) {
  std::string t = "[";
  for (size_t i = 0; i < s.size(); ++i) t += (i ? "," : "") + std::to_string(s[i]);
  return t + "]";
}

int64_t count(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

Shape strides_of(const Shape& s) {
  Shape st(s.size(), 1);
  for (size_t i = s.size(); i-- > 1;) st[i - 1] = st[i] * s[i];
  return st;
}

// Visits every multi-index of `shape` in C order.
void for_each_index(const Shape& shape, const std::function<void(const Shape& idx, int64_t flat)>& f) {
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

bool valid_dtype(NpyDType t) { return static_cast<int>(t) <= static_cast<int>(NpyDType::FLOAT32); }
bool quantized(NpyDType t) { return t != NpyDType::FLOAT32; }

std::pair<int64_t, int64_t> range_of(NpyDType t) {
  if (t == NpyDType::INT8) return {-128, 127};
  if (t == NpyDType::UINT8) return {0, 255};
  return {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
}

// ONNX's quantization rule: round half to even (nearbyint in the default rounding mode), add the
// zero point, saturate. NaN maps to the zero point; the clamp keeps the integer cast defined.
int64_t saturate_round(double v, int32_t zero_point, NpyDType t) {
  if (std::isnan(v)) v = 0;
  const auto [lo, hi] = range_of(t);
  const double q = std::nearbyint(std::clamp(v, -1e10, 1e10)) + zero_point;
  return std::clamp<int64_t>(static_cast<int64_t>(q), lo, hi);
}

std::string dtype_text(NpyDType t) { return valid_dtype(t) ? npy_dtype_name(t) : "invalid dtype"; }
std::string spec_text(const HostResultSpec& s) { return dtype_text(s.dtype) + " " + shape_text(s.shape); }
std::string quant_text(const HostQuant& q) {
  return "scale " + std::to_string(q.scale) + " zero point " + std::to_string(q.zero_point);
}
bool same_quant(const HostQuant& a, const HostQuant& b) { return a.scale == b.scale && a.zero_point == b.zero_point; }

// Attribute text -> values; integers are limited to int32 so later size arithmetic cannot overflow.
bool parse_int(const std::string& s, int64_t& v) {
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

NpyArray blank(const HostResultSpec& spec) {
  NpyArray a;
  a.dtype = spec.dtype;
  a.shape = spec.shape;
  a.data.resize(static_cast<size_t>(count(spec.shape) * npy_dtype_bytes(spec.dtype)));
  return a;
}

std::vector<float> floats(const NpyArray& a) {
  std::vector<float> v(static_cast<size_t>(a.elements()));
  std::memcpy(v.data(), a.data.data(), v.size() * sizeof(float));
  return v;
}

NpyArray from_floats(const HostResultSpec& spec, const std::vector<float>& v) {
  NpyArray a = blank(spec);
  std::memcpy(a.data.data(), v.data(), v.size() * sizeof(float));
  return a;
}

std::vector<int64_t> ints(const NpyArray& a) {
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
NpyArray from_ints(const HostResultSpec& spec, const std::vector<int64_t>& v) {
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
NpyArray gather(const NpyArray& x, const HostResultSpec& out, const std::function<int64_t(const Shape&)>& src) {
  NpyArray r = blank(out);
  const size_t b = static_cast<size_t>(npy_dtype_bytes(out.dtype));
  for_each_index(out.shape, [&](const Shape& idx, int64_t flat) {
    std::memcpy(&r.data[static_cast<size_t>(flat) * b], &x.data[static_cast<size_t>(src(idx)) * b], b);
  });
  return r;
}

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

// ---- Softmax (opset 13: along one axis)

void check_softmax(const Call& c) {
  c.need_input(0, {NpyDType::FLOAT32});
  c.axis_attr("axis", -1, c.in[0].shape.size());
  c.need_output(NpyDType::FLOAT32, c.in[0].shape);
}

NpyArray run_softmax(const Call& c, const Operands& x) {
  const Shape& s = c.in[0].shape;
  const int64_t axis = c.axis_attr("axis", -1, s.size());
  const int64_t n = s[axis], inner = strides_of(s)[axis], outer = count(s) / std::max<int64_t>(n * inner, 1);
  std::vector<float> v = floats(x[0].value);
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      float* row = &v[o * n * inner + i];
      // Subtracting the maximum keeps exp() from overflowing.
      float mx = -std::numeric_limits<float>::infinity();
      for (int64_t k = 0; k < n; ++k) mx = std::max(mx, row[k * inner]);
      double sum = 0;
      for (int64_t k = 0; k < n; ++k) sum += std::exp(static_cast<double>(row[k * inner]) - mx);
      for (int64_t k = 0; k < n; ++k) row[k * inner] = static_cast<float>(std::exp(static_cast<double>(row[k * inner]) - mx) / sum);
    }
  }
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

// ---- Relu and Clip (a Relu is a Clip to [0, inf)); quantized tensors compare in the quantized domain

void check_clip(const Call& c) {
  c.need_input(0, {NpyDType::FLOAT32, NpyDType::INT8, NpyDType::UINT8});
  c.real("min", 0);
  c.real("max", 0);
  c.need_output(c.in[0].dtype, c.in[0].shape);
  c.need_same_quant(0);
}

NpyArray clip(const Call& c, const HostOperand& x, double lo, double hi) {
  if (!quantized(c.out.dtype)) {
    std::vector<float> v = floats(x.value);
    for (auto& f : v) f = static_cast<float>(std::min(std::max(static_cast<double>(f), lo), hi));
    return from_floats(c.out, v);
  }
  // Bounds are quantized like values, so a bound between two levels snaps to the nearest one.
  const HostQuant& q = x.quant;
  const int64_t qlo = saturate_round(lo / q.scale, q.zero_point, c.out.dtype);
  const int64_t qhi = saturate_round(hi / q.scale, q.zero_point, c.out.dtype);
  std::vector<int64_t> v = ints(x.value);
  for (auto& i : v) i = std::min(std::max(i, qlo), qhi);
  return from_ints(c.out, v);
}

constexpr double kInf = std::numeric_limits<double>::infinity();

NpyArray run_relu(const Call& c, const Operands& x) { return clip(c, x[0], 0, kInf); }
NpyArray run_clip(const Call& c, const Operands& x) { return clip(c, x[0], c.real("min", -kInf), c.real("max", kInf)); }

// ---- Add / Mul with numpy broadcasting

Shape broadcast(const Call& c) {
  const Shape &a = c.in[0].shape, &b = c.in[1].shape;
  Shape r(std::max(a.size(), b.size()), 1);
  for (size_t i = 0; i < r.size(); ++i) {
    const int64_t da = i < a.size() ? a[a.size() - 1 - i] : 1, db = i < b.size() ? b[b.size() - 1 - i] : 1;
    if (da != db && da != 1 && db != 1)
      c.fail("inputs 0 " + shape_text(a) + " and 1 " + shape_text(b) + " do not broadcast");
    r[r.size() - 1 - i] = da == 1 ? db : da;
  }
  return r;
}

void check_binary(const Call& c) {
  c.need_input(0, {NpyDType::FLOAT32});
  c.need_input(1, {NpyDType::FLOAT32});
  c.need_output(NpyDType::FLOAT32, broadcast(c));
}

// Strides of `s` over the broadcast output shape `out` (0 along broadcast axes).
Shape broadcast_strides(const Shape& s, const Shape& out) {
  const Shape st = strides_of(s);
  Shape r(out.size(), 0);
  for (size_t i = 0; i < s.size(); ++i)
    if (s[i] != 1) r[out.size() - s.size() + i] = st[i];
  return r;
}

NpyArray binary(const Call& c, const Operands& x, float (*f)(float, float)) {
  const std::vector<float> a = floats(x[0].value), b = floats(x[1].value);
  const Shape sa = broadcast_strides(c.in[0].shape, c.out.shape), sb = broadcast_strides(c.in[1].shape, c.out.shape);
  std::vector<float> r(static_cast<size_t>(count(c.out.shape)));
  for_each_index(c.out.shape, [&](const Shape& idx, int64_t flat) {
    int64_t ia = 0, ib = 0;
    for (size_t d = 0; d < idx.size(); ++d) ia += idx[d] * sa[d], ib += idx[d] * sb[d];
    r[flat] = f(a[ia], b[ib]);
  });
  return from_floats(c.out, r);
}

NpyArray run_add(const Call& c, const Operands& x) { return binary(c, x, [](float p, float q) { return p + q; }); }
NpyArray run_mul(const Call& c, const Operands& x) { return binary(c, x, [](float p, float q) { return p * q; }); }

// ---- AveragePool / GlobalAveragePool on NCHW float32

// Rejects empty spatial extents, whose mean would divide by zero.
void need_pool_input(const Call& c, int64_t rank) {
  c.need_input(0, {NpyDType::FLOAT32}, rank);
  if (c.in[0].shape.size() < 3) c.fail("input 0 " + shape_text(c.in[0].shape) + " is not N x C x spatial");
  for (size_t d = 2; d < c.in[0].shape.size(); ++d)
    if (c.in[0].shape[d] == 0) c.fail("input 0 " + shape_text(c.in[0].shape) + " has an empty spatial axis");
}

// A sliding window over NCHW: the geometry AveragePool and Im2Col share.
struct Window {
  int64_t kh, kw, sh, sw, pt, pl, pb, pr;
};

Window window_params(const Call& c) {
  const std::vector<int64_t> k = c.ints("kernel_shape", {}), s = c.ints("strides", {1, 1}), p = c.ints("pads", {0, 0, 0, 0});
  if (!c.text("kernel_shape")) c.fail_attr("kernel_shape", "is required");
  if (k.size() != 2 || k[0] < 1 || k[1] < 1) c.fail_attr("kernel_shape", "= '" + *c.text("kernel_shape") + "' is not two positive integers");
  if (s.size() != 2 || s[0] < 1 || s[1] < 1) c.fail_attr("strides", "= '" + *c.text("strides") + "' is not two positive integers");
  if (p.size() != 4 || *std::min_element(p.begin(), p.end()) < 0)
    c.fail_attr("pads", "= '" + *c.text("pads") + "' is not four non-negative integers");
  return {k[0], k[1], s[0], s[1], p[0], p[1], p[2], p[3]};
}

// Output rows and columns of the window over input 0.
std::pair<int64_t, int64_t> window_grid(const Call& c, const Window& p) {
  const Shape& s = c.in[0].shape;
  const int64_t hp = s[2] + p.pt + p.pb - p.kh, wp = s[3] + p.pl + p.pr - p.kw;
  if (hp < 0 || wp < 0) c.fail("input 0 " + shape_text(s) + " is smaller than attribute 'kernel_shape' with its pads");
  return {hp / p.sh + 1, wp / p.sw + 1};
}

struct Pool : Window {
  bool include_pad;
};

Pool pool_params(const Call& c) {
  const Window w = window_params(c);
  // A pad at least the kernel size would give windows with no input element in them.
  if (w.pt >= w.kh || w.pb >= w.kh || w.pl >= w.kw || w.pr >= w.kw)
    c.fail_attr("pads", "= '" + *c.text("pads") + "' is not four non-negative integers below kernel_shape");
  c.choice("ceil_mode", "0", {"0"});
  return {w, c.choice("count_include_pad", "0", {"0", "1"}) == "1"};
}

void check_avgpool(const Call& c) {
  need_pool_input(c, 4);
  const auto [oh, ow] = window_grid(c, pool_params(c));
  c.need_output(NpyDType::FLOAT32, {c.in[0].shape[0], c.in[0].shape[1], oh, ow});
}

NpyArray run_avgpool(const Call& c, const Operands& x) {
  const Pool p = pool_params(c);
  const int64_t H = c.in[0].shape[2], W = c.in[0].shape[3], OH = c.out.shape[2], OW = c.out.shape[3];
  const std::vector<float> v = floats(x[0].value);
  std::vector<float> r(static_cast<size_t>(count(c.out.shape)));
  for (int64_t nc = 0; nc < c.out.shape[0] * c.out.shape[1]; ++nc)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        const int64_t h0 = oh * p.sh - p.pt, w0 = ow * p.sw - p.pl;
        double sum = 0;
        int64_t n = 0;
        for (int64_t h = std::max<int64_t>(h0, 0); h < std::min(h0 + p.kh, H); ++h)
          for (int64_t w = std::max<int64_t>(w0, 0); w < std::min(w0 + p.kw, W); ++w, ++n) sum += v[(nc * H + h) * W + w];
        // Without ceil_mode every window lies inside the padded input, so it always covers kh*kw cells.
        r[(nc * OH + oh) * OW + ow] = static_cast<float>(sum / static_cast<double>(p.include_pad ? p.kh * p.kw : n));
      }
  return from_floats(c.out, r);
}

void check_global_avgpool(const Call& c) {
  need_pool_input(c, -1);
  Shape want(c.in[0].shape.size(), 1);
  want[0] = c.in[0].shape[0];
  want[1] = c.in[0].shape[1];
  c.need_output(NpyDType::FLOAT32, want);
}

NpyArray run_global_avgpool(const Call& c, const Operands& x) {
  const std::vector<float> v = floats(x[0].value);
  const int64_t planes = c.in[0].shape[0] * c.in[0].shape[1], area = count(c.in[0].shape) / std::max<int64_t>(planes, 1);
  std::vector<float> r(static_cast<size_t>(planes));
  for (int64_t i = 0; i < planes; ++i) {
    double sum = 0;
    for (int64_t k = 0; k < area; ++k) sum += v[i * area + k];
    r[i] = static_cast<float>(sum / static_cast<double>(area));
  }
  return from_floats(c.out, r);
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

// ---- The op table

struct OpDef {
  std::string name;
  std::vector<std::string> attrs;
  size_t min_inputs, max_inputs;
  void (*check)(const Call&);
  NpyArray (*run)(const Call&, const Operands&);
};

constexpr size_t kManyInputs = std::numeric_limits<size_t>::max();

const std::vector<OpDef>& op_table() {
  static const std::vector<OpDef> table = {
      {"QuantizeLinear", {"axis"}, 1, 1, check_quantize, run_quantize},
      {"DequantizeLinear", {"axis"}, 1, 1, check_dequantize, run_dequantize},
      {"Softmax", {"axis"}, 1, 1, check_softmax, run_softmax},
      {"Transpose", {"perm"}, 1, 1, check_transpose, run_transpose},
      {"Reshape", {}, 1, 2, check_reshape, run_reshape},
      {"Flatten", {"axis"}, 1, 1, check_flatten, run_reshape},
      {"Squeeze", {"axes"}, 1, 2, check_squeeze, run_reshape},
      {"Unsqueeze", {"axes"}, 1, 2, check_unsqueeze, run_reshape},
      {"Identity", {}, 1, 1, check_identity, run_reshape},
      {"Concat", {"axis"}, 1, kManyInputs, check_concat, run_concat},
      {"Resize", {"mode", "coordinate_transformation_mode", "nearest_mode", "cubic_coeff_a", "exclude_outside"}, 1, 4, check_resize, run_resize},
      {"Relu", {}, 1, 1, check_clip, run_relu},
      {"Clip", {"min", "max"}, 1, 1, check_clip, run_clip},
      {"Add", {}, 2, 2, check_binary, run_add},
      {"Mul", {}, 2, 2, check_binary, run_mul},
      {"AveragePool", {"kernel_shape", "strides", "pads", "count_include_pad", "ceil_mode"}, 1, 1, check_avgpool, run_avgpool},
      {"GlobalAveragePool", {}, 1, 1, check_global_avgpool, run_global_avgpool},
      {"Im2Col", {"kernel_shape", "strides", "pads"}, 1, 1, check_im2col, run_im2col},
  };
  return table;
}

const OpDef* find_op(const std::string& op) {
  for (const OpDef& d : op_table())
    if (d.name == op) return &d;
  return nullptr;
}

void check_spec(const HostResultSpec& s, const std::string& what, const std::string& where) {
  const auto fail = [&](const std::string& why) { throw std::runtime_error(where + ": " + what + " " + why); };
  if (!valid_dtype(s.dtype)) fail("has an invalid dtype");
  int64_t n = 1;
  for (int64_t d : s.shape) {
    if (d < 0) fail("has a negative dimension in " + shape_text(s.shape));
    if (d && n > kMaxElements / d) fail("shape " + shape_text(s.shape) + " is too large");
    n *= d;
  }
  if (!quantized(s.dtype)) return;
  if (!std::isfinite(s.quant.scale) || s.quant.scale <= 0) fail("has scale " + std::to_string(s.quant.scale) + ", which is not positive");
  const auto [lo, hi] = range_of(s.dtype);
  if (s.quant.zero_point < lo || s.quant.zero_point > hi)
    fail("has zero point " + std::to_string(s.quant.zero_point) + " outside the " + dtype_text(s.dtype) + " range");
}

}  // namespace

const std::vector<std::string>& host_op_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const OpDef& d : op_table()) n.push_back(d.name);
    return n;
  }();
  return names;
}

bool is_host_op(const std::string& op) { return find_op(op) != nullptr; }

void check_host_op(const std::string& op, const HostAttrs& attrs, const std::vector<HostResultSpec>& inputs,
                   const std::vector<HostResultSpec>& outputs, const std::string& where) {
  const OpDef* def = find_op(op);
  if (!def) {
    std::string list;
    for (const auto& n : host_op_names()) list += (list.empty() ? "" : ", ") + n;
    throw std::runtime_error(where + ": '" + op + "' is not a host op (host ops: " + list + ")");
  }
  for (const auto& [name, value] : attrs)
    if (std::find(def->attrs.begin(), def->attrs.end(), name) == def->attrs.end())
      throw std::runtime_error(where + ": unknown attribute '" + name + "' for " + op);
  if (inputs.size() < def->min_inputs || inputs.size() > def->max_inputs)
    throw std::runtime_error(where + ": " + op + " takes " + std::to_string(def->min_inputs) +
                             (def->max_inputs == def->min_inputs ? ""
                              : def->max_inputs == kManyInputs ? " or more"
                                                               : " to " + std::to_string(def->max_inputs)) +
                             " inputs, got " + std::to_string(inputs.size()));
  if (outputs.size() != 1)
    throw std::runtime_error(where + ": " + op + " has 1 output, got " + std::to_string(outputs.size()) + " output specs");
  for (size_t i = 0; i < inputs.size(); ++i) check_spec(inputs[i], "input " + std::to_string(i), where);
  check_spec(outputs[0], "output 0", where);
  def->check(Call{attrs, inputs, outputs[0], where});
}

std::vector<NpyArray> run_host_op(const std::string& op, const HostAttrs& attrs, const std::vector<HostOperand>& inputs,
                                  const std::vector<HostResultSpec>& outputs, const std::string& where) {
  std::vector<HostResultSpec> specs;
  for (const HostOperand& x : inputs) specs.push_back({x.value.dtype, x.value.shape, x.quant});
  check_host_op(op, attrs, specs, outputs, where);
  for (size_t i = 0; i < inputs.size(); ++i) {
    const size_t want = static_cast<size_t>(count(specs[i].shape) * npy_dtype_bytes(specs[i].dtype));
    if (inputs[i].value.data.size() != want)
      throw std::runtime_error(where + ": input " + std::to_string(i) + " holds " + std::to_string(inputs[i].value.data.size()) +
                               " bytes, its shape " + shape_text(specs[i].shape) + " needs " + std::to_string(want));
  }
  return {find_op(op)->run(Call{attrs, specs, outputs[0], where}, inputs)};
}

}  // namespace tessera
