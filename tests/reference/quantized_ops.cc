// Reference quantized layers: int32 accumulation, double-precision requantization, ties to even.
#include "tests/reference/quantized_ops.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace tessera::reference {

using compiler::ElemType;
using compiler::Layer;

int32_t quantize(double value, int32_t zero_point, ElemType type) {
  // std::nearbyint rounds ties to even under the default rounding mode.
  const double q = std::nearbyint(value) + zero_point;
  const double lo = type == ElemType::UINT8 ? 0 : -128, hi = type == ElemType::UINT8 ? 255 : 127;
  return static_cast<int32_t>(std::min(hi, std::max(lo, q)));
}

namespace {

int32_t finish(const Layer& l, int64_t acc, double w_scale) {
  const double m = l.inputs[0].scale * w_scale / l.output.scale;
  int32_t y = quantize(static_cast<double>(acc) * m, l.output.zero_point, l.output.type);
  if (l.clamp_hi) y = std::min(y, *l.clamp_hi);  // a Clip's max, after the ReLU-free saturation
  return l.relu ? std::max(y, l.output.zero_point) : y;
}

double weight_scale(const Layer& l, int64_t k) {
  return l.weight_scales.size() == 1 ? l.weight_scales[0] : l.weight_scales.at(static_cast<size_t>(k));
}

int64_t out_extent(int64_t in, int kernel, int stride, int pad_a, int pad_b) {
  return (in + pad_a + pad_b - kernel) / stride + 1;
}

}  // namespace

QValues conv2d(const Layer& l, const QValues& x) {
  const auto& s = l.inputs.at(0).shape;
  const int64_t n = s[0], c = s[1], h = s[2], w = s[3];
  const int64_t r = l.kernel_h, sw = l.kernel_w;
  // Grouped: output channel ko reads input channels [g*cg, (g+1)*cg) of its group g = ko / kg.
  const int64_t cg = c / l.group;
  const int64_t k = static_cast<int64_t>(l.weights.size()) / (cg * r * sw), kg = k / l.group;
  const int64_t oh = out_extent(h, l.kernel_h, l.stride_h, l.pad_top, l.pad_bottom);
  const int64_t ow = out_extent(w, l.kernel_w, l.stride_w, l.pad_left, l.pad_right);
  const int32_t zx = l.inputs[0].zero_point;
  QValues y(static_cast<size_t>(n * k * oh * ow));
  for (int64_t b = 0; b < n; ++b)
    for (int64_t ko = 0; ko < k; ++ko)
      for (int64_t oy = 0; oy < oh; ++oy)
        for (int64_t ox = 0; ox < ow; ++ox) {
          int64_t acc = l.bias.empty() ? 0 : l.bias[ko];
          for (int64_t j = 0; j < cg; ++j)
            for (int64_t ky = 0; ky < r; ++ky)
              for (int64_t kx = 0; kx < sw; ++kx) {
                const int64_t iy = oy * l.stride_h - l.pad_top + ky, ix = ox * l.stride_w - l.pad_left + kx;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;  // padding holds the zero point
                const int64_t ci = (ko / kg) * cg + j;
                acc += (x[((b * c + ci) * h + iy) * w + ix] - zx) * int64_t{l.weights[((ko * cg + j) * r + ky) * sw + kx]};
              }
          y[((b * k + ko) * oh + oy) * ow + ox] = finish(l, acc, weight_scale(l, ko));
        }
  return y;
}

QValues dense(const Layer& l, const QValues& x) {
  const int64_t n = l.inputs.at(0).shape[0], c = l.inputs[0].shape[1];
  const int64_t k = static_cast<int64_t>(l.weights.size()) / c;
  QValues y(static_cast<size_t>(n * k));
  for (int64_t b = 0; b < n; ++b)
    for (int64_t ko = 0; ko < k; ++ko) {
      int64_t acc = l.bias.empty() ? 0 : l.bias[ko];
      for (int64_t ci = 0; ci < c; ++ci) acc += (x[b * c + ci] - l.inputs[0].zero_point) * int64_t{l.weights[ko * c + ci]};
      y[b * k + ko] = finish(l, acc, weight_scale(l, ko));
    }
  return y;
}

QValues add(const Layer& l, const QValues& a, const QValues& b) {
  const auto& qa = l.inputs.at(0);
  const auto& qb = l.inputs.at(1);
  QValues y(a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    const double real = qa.scale * (a[i] - qa.zero_point) + qb.scale * (b[i] - qb.zero_point);
    y[i] = quantize(real / l.output.scale, l.output.zero_point, l.output.type);
    if (l.relu) y[i] = std::max(y[i], l.output.zero_point);
  }
  return y;
}

QValues max_pool(const Layer& l, const QValues& x) {
  const auto& s = l.inputs.at(0).shape;
  const int64_t n = s[0], c = s[1], h = s[2], w = s[3];
  const int64_t oh = out_extent(h, l.kernel_h, l.stride_h, l.pad_top, l.pad_bottom);
  const int64_t ow = out_extent(w, l.kernel_w, l.stride_w, l.pad_left, l.pad_right);
  QValues y(static_cast<size_t>(n * c * oh * ow));
  for (int64_t p = 0; p < n * c; ++p)
    for (int64_t oy = 0; oy < oh; ++oy)
      for (int64_t ox = 0; ox < ow; ++ox) {
        int32_t best = INT32_MIN;  // padding never wins, as ONNX pads with -inf
        for (int64_t ky = 0; ky < l.kernel_h; ++ky)
          for (int64_t kx = 0; kx < l.kernel_w; ++kx) {
            const int64_t iy = oy * l.stride_h - l.pad_top + ky, ix = ox * l.stride_w - l.pad_left + kx;
            if (iy >= 0 && iy < h && ix >= 0 && ix < w) best = std::max(best, x[(p * h + iy) * w + ix]);
          }
        y[(p * oh + oy) * ow + ox] = best;
      }
  return y;
}

QValues global_avg_pool(const Layer& l, const QValues& x) {
  const auto& s = l.inputs.at(0).shape;
  const int64_t planes = s[0] * s[1], area = s[2] * s[3];
  const auto& qx = l.inputs[0];
  // onnxruntime sums the raw values, removes zero_point * area, and requantizes the sum once.
  const double m = qx.scale / (l.output.scale * static_cast<double>(area));
  QValues y(static_cast<size_t>(planes));
  for (int64_t p = 0; p < planes; ++p) {
    int64_t sum = 0;
    for (int64_t i = 0; i < area; ++i) sum += x[p * area + i];
    y[p] = quantize(static_cast<double>(sum - int64_t{qx.zero_point} * area) * m, l.output.zero_point, l.output.type);
  }
  return y;
}

QValues run_layer(const Layer& l, const std::vector<QValues>& in) {
  switch (l.kind) {
    case compiler::LayerKind::CONV2D: return conv2d(l, in.at(0));
    case compiler::LayerKind::DENSE: return dense(l, in.at(0));
    case compiler::LayerKind::ADD: return add(l, in.at(0), in.at(1));
    case compiler::LayerKind::MAX_POOL: return max_pool(l, in.at(0));
    case compiler::LayerKind::GLOBAL_AVG_POOL: return global_avg_pool(l, in.at(0));
  }
  throw std::invalid_argument("reference: unknown layer kind");
}

void run_model(const compiler::Model& model, std::map<std::string, QValues>& tensors) {
  for (const Layer& l : model.layers) {
    std::vector<QValues> in;
    for (const auto& t : l.inputs) {
      auto it = tensors.find(t.name);
      if (it == tensors.end()) throw std::invalid_argument("reference: layer '" + l.name + "' input '" + t.name + "' is missing");
      in.push_back(it->second);
    }
    tensors[l.output.name] = run_layer(l, in);
  }
}

}  // namespace tessera::reference
