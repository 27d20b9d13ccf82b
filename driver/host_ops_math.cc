// Host kernels that compute: Softmax, Relu/Clip, Add/Mul with broadcasting, AveragePool, GlobalAveragePool.
#include "driver/host_kernel.h"

namespace tessera::host_kernel {

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

}  // namespace tessera::host_kernel
